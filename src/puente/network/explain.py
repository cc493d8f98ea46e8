"""Why two entities are linked, in English and Spanish: the kind of record behind the link, and
which records they are."""

from __future__ import annotations

from puente.model.labels import record_type_label
from puente.network.graph import Edge, Graph

# How each kind of evidence links two entities. Hand-written: the phrasing of a link chart's edges
# is the project's own (no library words a seizure's co-occurrence for an analyst).
KIND_TEXT: dict[str, tuple[str, str]] = {
    "seizure": ("seized together", "asegurados juntos"),
    "crossing": ("crossed the border together", "cruzaron la frontera juntos"),
    "acquisition": ("bought from a dealer", "comprada a un armero"),
    "trace_request": ("linked by a firearm trace", "vinculados por un rastreo de arma"),
    "case": ("subjects of the same case", "sujetos del mismo caso"),
    "phone": ("uses the phone", "usa el teléfono"),
    "address": ("at the address", "en el domicilio"),
    "firearm": ("holds the firearm", "tiene el arma"),
    "vehicle": ("named with the vehicle", "nombrado con el vehículo"),
    "organization": ("member of the organization", "miembro de la organización"),
    "person": ("named together", "nombrados juntos"),
}


def kind_text(kind: str, lang: str = "en") -> str:
    en, es = KIND_TEXT.get(kind, (kind, kind))
    return es if lang == "es" else en


def edge_why(graph: Graph, edge: Edge, lang: str = "en", most: int = 3) -> str:
    """'A and B: seized together in Seizure FGR-TAM-2023-0117 (2023-05-14) and 1 other record.'"""
    a, b = graph.nodes[edge.a].label, graph.nodes[edge.b].label
    cited = []
    for record_id in edge.records[:most]:
        record_type, title, _ = graph.docs[record_id]
        day = next(iter(graph.days([record_id])), None)  # a person's own record's day is a birth date
        cited.append(f"{record_type_label(record_type, lang)} {title}" + (f" ({day})" if day else ""))
    rest = len(edge.records) - len(cited)
    if lang == "es":
        more = f" y {rest} registro(s) más" if rest else ""
        return f"{a} — {b}: {kind_text(edge.kind, 'es')} según {', '.join(cited)}{more}."
    more = f" and {rest} other record(s)" if rest else ""
    return f"{a} — {b}: {kind_text(edge.kind)} in {', '.join(cited)}{more}."
