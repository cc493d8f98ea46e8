"""``puente trace``: bulk tracing of recovered firearms, their results, patterns and the ranking."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

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

trace_app = typer.Typer(help="Trace recovered firearms to their first retail sale, and read the patterns.")


def register(app: typer.Typer) -> None:
    app.add_typer(trace_app, name="trace")


def _traces_of(
    db: str | None, as_user: str, purpose: str, lang: str, **options: Any
) -> tuple[str, list[Any]]:
    """The viewer's language and the traces they may see (refused in that language, exit 2)."""
    from puente.trace.analysis import read_traces

    lang_, database, viewer = acting(db, as_user, lang)
    return lang_, policy_call(lang_, lambda: read_traces(database, viewer, purpose, **options))


def _json(value: object) -> None:
    print(
        orjson.dumps(
            value, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o)
        ).decode()
    )


@trace_app.command("run")
def run(
    as_user: AsRequired,
    purpose: PurposeOption,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Trace every recovered firearm you may see that your agency has not traced yet."""
    from puente.trace.engine import REASONS, trace_all

    lang_, database, viewer = acting(db, as_user, lang)
    report = policy_call(lang_, lambda: trace_all(database, viewer, purpose))
    if as_json:
        _json(report)
        return
    es = lang_ == "es"
    console.print(
        (
            f"Solicitudes nuevas: {report.submitted:,}; procesadas: {report.processed:,}; completadas: "
            f"{report.completed:,}"
        )
        if es
        else (
            f"New requests: {report.submitted:,}; processed: {report.processed:,}; "
            f"completed: {report.completed:,}"
        )
    )
    for reason, count in sorted(report.failed.items(), key=lambda kv: -kv[1]):
        console.print(f"  {count:,} × {REASONS[reason][1 if es else 0]}")


@trace_app.command("list")
def list_traces(
    as_user: AsRequired,
    purpose: PurposeOption,
    status: Annotated[str | None, typer.Option(help="submitted, in_progress, completed or failed")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """The traces you may see, newest last."""
    lang_, views = _traces_of(db, as_user, purpose, lang, status=status)
    views = views[-limit:]
    if as_json:
        _json(views)
        return
    es = lang_ == "es"
    table = Table()
    for name in (
        ("Id", "Fuente", "Estado", "Comprador", "Días", "Indicadores")
        if es
        else ("Id", "Source", "Status", "Purchaser", "Days", "Indicators")
    ):
        table.add_column(name)
    for v in views:
        purchaser = (v.result.get("purchaser") or {}).get("name") or "—"
        table.add_row(
            str(v.id),
            f"{v.source_id}#{v.item}",
            v.status if not v.reason else f"{v.status}: {v.reason}",
            purchaser,
            str(v.time_to_crime_days or "—"),
            ", ".join(i["code"] for i in v.indicators),
        )
    console.print(table)


@trace_app.command("show")
def show(
    trace_id: int,
    as_user: AsRequired,
    purpose: PurposeOption,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """One trace: its request, result and indicators, each with its reason (JSON)."""
    lang_, views = _traces_of(db, as_user, purpose, lang, ids=[trace_id])
    if not views:
        console.print(
            "No existe o no puede verla." if lang_ == "es" else "No such trace, or you may not see it."
        )
        raise typer.Exit(1)
    _json(views[0])


@trace_app.command("patterns")
def show_patterns(
    as_user: AsRequired,
    purpose: PurposeOption,
    top: Annotated[int, typer.Option(min=1)] = 10,
    since: Annotated[str | None, typer.Option("--from", help="Recovered from this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Recovered up to this day (YYYY-MM-DD).")] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Corridors, top dealers and purchasers, time-to-crime: from the traces you may see (JSON)."""
    from puente.trace.analysis import in_period, patterns

    _, views = _traces_of(db, as_user, purpose, lang)
    _json(patterns(in_period(views, since, until), top=top))


@trace_app.command("rank")
def rank(
    as_user: AsRequired,
    purpose: PurposeOption,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Potential traffickers: purchasers ranked by the evidence of their traced guns, with reasons."""
    from puente.trace.analysis import ranking

    lang_, views = _traces_of(db, as_user, purpose, lang)
    candidates = ranking(views, limit=limit)
    if as_json:
        _json(candidates)
        return
    es = lang_ == "es"
    table = Table()
    for name in (
        ("#", "Comprador", "Puntos", "Armas", "Por qué") if es else ("#", "Purchaser", "Score", "Guns", "Why")
    ):
        table.add_column(name)
    for n, c in enumerate(candidates, start=1):
        why = "; ".join(r["es" if es else "en"] for r in c.reasons)
        table.add_row(str(n), c.name or c.key, f"{c.score:g}", str(c.guns), why)
    console.print(table)


@trace_app.command("events")
def show_events(
    as_user: AsRequired,
    purpose: PurposeOption,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Traces whose purchaser is already a case subject, where you may see both (JSON)."""
    from puente.trace.events import events

    lang_, database, viewer = acting(db, as_user, lang)
    _json(policy_call(lang_, lambda: events(database, viewer, purpose)))
