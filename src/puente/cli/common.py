"""What every ``puente`` command shares: consoles, exit codes, options, the database, the principal."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from puente.policy.principals import Principal
from puente.store import Database, connect

console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_QUARANTINED, EXIT_FAILED = 0, 1, 2

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: PUENTE_DATABASE_URL or an SQLite file under ./data)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of messages: en or es.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this principal (user id): what they may see.")
]
AsRequired = Annotated[str, typer.Option("--as", help="Act as this principal (user id).")]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Why you look (recorded in the audit log).")]

_T = TypeVar("_T")


def language(value: str | None) -> str:
    value = (value or os.environ.get("PUENTE_LANG") or "en").lower()[:2]
    return "es" if value == "es" else "en"


def open_db(url: str | None) -> Database:
    try:
        db = connect(url)
    except Exception as exc:  # bad URL or driver: say so plainly
        err.print(f"[red]Cannot open the database:[/red] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    try:
        db.upgrade()
    except Exception as exc:
        err.print(f"[red]Cannot prepare the database schema at {db.engine.url!r}:[/red] {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    return db


def principal_of(database: Database, user_id: str) -> Principal:
    from puente.policy.principals import load

    with database.engine.connect() as conn:
        principal = load(conn, user_id)
    if principal is None:
        err.print(f"[red]Unknown principal '{user_id}'[/red] (see: puente principals list)")
        raise typer.Exit(EXIT_FAILED)
    return principal


def acting(db: str | None, as_user: str, lang: str) -> tuple[str, Database, Principal]:
    """The language of the messages, the database and the principal a command acts as."""
    database = open_db(db)
    return language(lang), database, principal_of(database, as_user)


def policy_call(lang: str, call: Callable[[], _T]) -> _T:
    """Run a policy operation; a refusal becomes its message in the user's language and exit 2."""
    from puente.policy.access import Refused
    from puente.policy.auth import AuthError

    try:
        return call()
    except Refused as exc:
        err.print(f"[red]{exc.decision.es if lang == 'es' else exc.decision.en}[/red]")
    except AuthError as exc:
        err.print(f"[red]{exc.es if lang == 'es' else exc.en}[/red]")
    raise typer.Exit(EXIT_FAILED)
