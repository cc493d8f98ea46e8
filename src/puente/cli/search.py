"""``puente search`` and ``puente index``: find records and entities by name, alias or identifier."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.table import Table

from puente.cli.common import (
    EXIT_QUARANTINED,
    AsRequired,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    console,
    language,
    open_db,
    policy_call,
    principal_of,
)


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("index")(index)


def index(db: DbOption = None, as_json: JsonOption = False, lang: LangOption = "") -> None:
    """Bring the search index level with the store (only records new or changed since the last time)."""
    from puente.search import refresh

    report = refresh(open_db(db))
    if as_json:
        print(orjson.dumps({"indexed": report.indexed, "terms": report.terms}).decode())
        return
    es = language(lang) == "es"
    console.print(
        f"Índice de búsqueda al día: {report.indexed:,} registros indexados"
        if es
        else f"Search index up to date: {report.indexed:,} records indexed"
    )


def search(
    query: Annotated[str, typer.Argument(help="Names, aliases or identifiers, in either language.")],
    as_user: AsRequired,
    purpose: PurposeOption,
    record_type: Annotated[str | None, typer.Option("--type", help="Only records of this type.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this agency's records, e.g. MX/FGR.")] = None,
    nation: Annotated[str | None, typer.Option(help="Only records of this nation's agencies.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From this day (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Up to this day (YYYY-MM-DD).")] = None,
    port: Annotated[str | None, typer.Option(help="Port code, e.g. LAREDO.")] = None,
    state: Annotated[str | None, typer.Option(help="State code, e.g. MX-TAM or US-TX.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Search what you may see; each hit says why it matched. Exit 1 when nothing matched."""
    from puente.search import Filters
    from puente.search import search as run

    lang_ = language(lang)
    database = open_db(db)
    viewer = principal_of(database, as_user)
    filters = Filters(record_type, owner, nation, date_from, date_to, port, state)
    result = policy_call(lang_, lambda: run(database, viewer, query, purpose, filters=filters, limit=limit))
    if as_json:
        print(orjson.dumps(result, default=lambda o: o.__dict__).decode())
    else:
        _print(result, lang_)
    if not result.hits and not result.pointers:
        raise typer.Exit(EXIT_QUARANTINED)


def _print(result: object, lang: str) -> None:
    from puente.model.labels import record_type_label
    from puente.search import SearchResult

    assert isinstance(result, SearchResult)
    es = lang == "es"
    table = Table(title=f"«{result.query}»")
    for name in ("Entidad", "Tipo", "Nombre", "Puntos", "Por qué") if es else (
        "Entity", "Kind", "Title", "Score", "Why"
    ):  # fmt: skip
        table.add_column(name)
    for hit in result.hits:
        why = "; ".join(r.text(lang) for r in hit.matches[0].reasons)
        records = ", ".join(m.record_id for m in hit.matches[:3])
        table.add_row(
            hit.entity_id or "—", record_type_label(hit.kind, lang), f"{hit.title}\n[dim]{records}[/dim]",
            f"{hit.score:.2f}", why,
        )  # fmt: skip
    console.print(table)
    for pointer in result.pointers:
        contact = pointer.contact_es if es else pointer.contact_en
        console.print(
            f"[yellow]{'También lo tiene' if es else 'Also held by'} {pointer.holder}[/yellow] "
            f"({pointer.record_id}): {contact}"
        )
    if not result.hits and not result.pointers:
        console.print("Sin resultados." if es else "Nothing found.")
