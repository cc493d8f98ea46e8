"""``puente network``: the communities behind the records, an entity's links, the paths between two
entities, and exports of a link chart as GraphML or FollowTheMoney."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table

if TYPE_CHECKING:
    from puente.network.graph import Graph

from puente.cli.common import (
    AsRequired,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    acting,
    console,
    policy_call,
)

network_app = typer.Typer(help="Link analysis: communities, key players, links and paths between entities.")


def register(app: typer.Typer) -> None:
    app.add_typer(network_app, name="network")


def _graph(db: str | None, as_user: str, purpose: str, lang: str) -> tuple[str, Graph]:
    from puente.network.graph import viewer_graph

    lang_, database, viewer = acting(db, as_user, lang)
    return lang_, policy_call(lang_, lambda: viewer_graph(database, viewer, purpose))


def _entity(graph: Graph, text: str, lang: str) -> str:
    """An entity by its id, or the one entity whose name holds every word given."""
    from puente.network.views import find

    if text in graph.nodes:
        return text
    found = find(graph, text)
    if len(found) == 1:
        return str(found[0]["id"])
    what = "; ".join(f"{f['id']} {f['label']}" for f in found[:10]) or ("nothing" if lang == "en" else "nada")
    console.print(f"[red]{'Name one entity' if lang == 'en' else 'Indique una sola entidad'}:[/] {what}")
    raise typer.Exit(1)


@network_app.command("find")
def find_entities(
    text: Annotated[str, typer.Argument(help="Words of the entity's name, plate, serial or number.")],
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """The entities of the records you may see whose name holds every word given."""
    from puente.network.views import find

    lang_, graph = _graph(db, as_user, purpose, lang)
    found = find(graph, text)
    if as_json:
        print(orjson.dumps(found).decode())
        return
    for f in found:
        console.print(
            f"{f['id']}  {f['kind_es'] if lang_ == 'es' else f['kind_en']}  {f['label']}", soft_wrap=True
        )


@network_app.command("communities")
def list_communities(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "", limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
) -> None:  # fmt: skip
    """The communities of the records you may see, largest first, with their key players."""
    from puente.network.analysis import communities
    from puente.network.views import community_view

    lang_, graph = _graph(db, as_user, purpose, lang)
    found = [community_view(graph, c) for c in communities(graph)[:limit]]
    if as_json:
        print(orjson.dumps(found).decode())
        return
    es = lang_ == "es"
    table = Table("#", "Personas" if es else "Persons", "Entidades" if es else "Entities",
                  "Periodo" if es else "Period", "Actores clave" if es else "Key players")  # fmt: skip
    for c in found:
        players = ", ".join(f"{p['label']} ({p['score']:.2f})" for p in c["players"][:3])
        table.add_row(str(c["id"]), str(c["persons"]), str(c["size"]), f"{c['first']} – {c['last']}", players)
    console.print(table)


@network_app.command("links")
def links(
    entity: Annotated[str, typer.Argument(help="An entity id, or words of its name.")],
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "", depth: Annotated[int, typer.Option(min=1, max=3)] = 1,
) -> None:  # fmt: skip
    """An entity's links, each with the records behind it."""
    from puente.network.views import around

    lang_, graph = _graph(db, as_user, purpose, lang)
    shown = around(graph, _entity(graph, entity, lang_), depth=depth)
    if as_json:
        print(orjson.dumps(shown).decode())
        return
    for e in (shown or {}).get("edges", []):
        console.print(f"• {e['why_es'] if lang_ == 'es' else e['why_en']}", soft_wrap=True)
        console.print(f"  {', '.join(r['id'] for r in e['records'])}", soft_wrap=True, style="dim")


@network_app.command("path")
def path(
    source: Annotated[str, typer.Argument(help="From: an entity id, or words of its name.")],
    target: Annotated[str, typer.Argument(help="To: an entity id, or words of its name.")],
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, as_json: JsonOption = False,
    lang: LangOption = "", k: Annotated[int, typer.Option(min=1, max=10)] = 3,
) -> None:  # fmt: skip
    """The shortest paths from one entity to another, each hop with its evidence."""
    from puente.network.views import path_views

    lang_, graph = _graph(db, as_user, purpose, lang)
    found = path_views(graph, _entity(graph, source, lang_), _entity(graph, target, lang_), k=k)
    if as_json:
        print(orjson.dumps(found).decode())
        return
    if not found:
        console.print("No hay camino en los registros que puede ver." if lang_ == "es" else
                      "No path in the records you may see.")  # fmt: skip
    for n, p in enumerate(found, 1):
        console.print(f"[bold]{n}.[/] " + " → ".join(node["label"] for node in p["nodes"]))
        for hop in p["hops"]:
            for e in hop["edges"]:
                console.print(f"   • {e['why_es'] if lang_ == 'es' else e['why_en']}", soft_wrap=True)
                console.print(f"     {', '.join(r['id'] for r in e['records'])}", soft_wrap=True, style="dim")


@network_app.command("export")
def export(
    entity: Annotated[str, typer.Argument(help="An entity id, or words of its name.")],
    out: Annotated[Path, typer.Argument(help="File to write (.graphml, or .ftm.json for FollowTheMoney).")],
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = "",
    depth: Annotated[int, typer.Option(min=1, max=3)] = 2,
) -> None:  # fmt: skip
    """An entity's neighbourhood as GraphML or FollowTheMoney entities (by the file's ending)."""
    from puente.network.analysis import neighbourhood
    from puente.network.export import ftm_lines, graphml

    lang_, graph = _graph(db, as_user, purpose, lang)
    nodes, edges = neighbourhood(graph, _entity(graph, entity, lang_), depth=depth, limit=2000)
    if out.name.endswith(".graphml"):
        out.write_text(graphml(graph, nodes, edges), encoding="utf-8")
    else:
        out.write_bytes(ftm_lines(graph, nodes, edges))
    console.print(f"{len(nodes)} {'entidades' if lang_ == 'es' else 'entities'}, {len(edges)} "
                  f"{'vínculos' if lang_ == 'es' else 'links'} → {out}")  # fmt: skip
