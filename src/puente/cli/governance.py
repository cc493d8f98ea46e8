"""``puente`` commands of governance: principals and their credentials, access requests, re-marking,
exports under originator control, and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from puente.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_QUARANTINED,
    AsRequired,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    console,
    err,
)
from puente.cli.common import language as _lang
from puente.cli.common import open_db as _open
from puente.cli.common import policy_call as _access_call
from puente.cli.common import principal_of as _principal

principals_app = typer.Typer(no_args_is_help=True, help="People who use Puente: agency, roles, certificates.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log, and who viewed what.")
access_app = typer.Typer(
    no_args_is_help=True, help="Requests to see records held by others: ask, list, approve, deny, revoke."
)
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens: create, list, revoke.")
export_app = typer.Typer(no_args_is_help=True, help="Export what you may see: records, entities.")


def register(app: typer.Typer) -> None:
    app.add_typer(principals_app, name="principals")
    app.add_typer(audit_app, name="audit")
    app.add_typer(access_app, name="access")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(export_app, name="export")
    app.command("remark")(remark)
    export_app.command("records")(export)


def _print_request(request, language: str) -> None:  # noqa: ANN001 - an AccessRequest
    es = language == "es"
    until = f" {'hasta' if es else 'until'} {request.expires_at:%Y-%m-%d %H:%M}" if request.expires_at else ""
    console.print(
        f"#{request.id} {request.kind} {request.record_id} ({request.owner}) "
        f"{'de' if es else 'by'} {request.requester}: [bold]{request.status}[/bold]{until}"
    )


@access_app.command("request")
def access_request(
    record_id: str,
    as_user: AsRequired,
    reason: Annotated[
        str, typer.Option("--reason", help="Why you need it: the owner's steward decides on it.")
    ],
    purpose: PurposeOption,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="view: see a hidden record; export: pass on a record under originator control."
        ),
    ] = "view",
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Ask the owner of a record you may not see for access to it (or for leave to export it)."""
    from puente.policy import requests

    language, database = _lang(lang), _open(db)
    principal = _principal(database, as_user)
    request_id = _access_call(
        language, lambda: requests.request_access(database, principal, record_id, reason, purpose, kind)
    )
    console.print(f"Solicitud #{request_id} enviada." if language == "es" else f"Request #{request_id} sent.")


@access_app.command("list")
def access_list(
    as_user: AsRequired, purpose: PurposeOption, db: DbOption = None, lang: LangOption = ""
) -> None:
    """Your requests; for a steward, also the requests for the agency's records."""
    from puente.policy import requests

    language, database = _lang(lang), _open(db)
    principal = _principal(database, as_user)
    for request in _access_call(language, lambda: requests.list_requests(database, principal, purpose)):
        _print_request(request, language)


def _decide(request_id: int, as_user: str, purpose: str, db: str | None, lang: str, **how: object) -> None:
    from puente.policy import requests

    language, database = _lang(lang), _open(db)
    steward = _principal(database, as_user)
    if how.pop("revoke", False):
        done = _access_call(language, lambda: requests.revoke(database, steward, request_id, purpose, **how))
    else:
        done = _access_call(
            language, lambda: requests.decide(database, steward, request_id, purpose=purpose, **how)
        )
    _print_request(done, language)


NoteOption = Annotated[str, typer.Option("--note", help="A word for the requester.")]


@access_app.command("approve")
def access_approve(
    request_id: int,
    as_user: AsRequired,
    purpose: PurposeOption,
    days: Annotated[int, typer.Option("--days", help="How long the access lasts (1 to 90 days).")] = 30,
    note: NoteOption = "",
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Grant a pending request (the owner agency's steward) for a number of days."""
    _decide(request_id, as_user, purpose, db, lang, approve=True, days=days, note=note)


@access_app.command("deny")
def access_deny(
    request_id: int, as_user: AsRequired, purpose: PurposeOption, note: NoteOption = "", db: DbOption = None,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """Refuse a pending request (the owner agency's steward)."""
    _decide(request_id, as_user, purpose, db, lang, approve=False, note=note)


@access_app.command("revoke")
def access_revoke(
    request_id: int, as_user: AsRequired, purpose: PurposeOption, note: NoteOption = "", db: DbOption = None,
    lang: LangOption = "",
) -> None:  # fmt: skip
    """End an approval at once (the owner agency's steward)."""
    _decide(request_id, as_user, purpose, db, lang, revoke=True, note=note)


@principals_app.command("add")
def principals_add(
    user_id: str,
    agency: Annotated[str, typer.Option(help="Agency code, e.g. MX/FGR.")],
    role: Annotated[
        list[str], typer.Option(help="analyst, officer, steward, supervisor or admin (repeatable).")
    ],
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    task_force: Annotated[list[str] | None, typer.Option(help="Task force code (repeatable).")] = None,
    certificate: Annotated[list[str] | None, typer.Option(help="e.g. tracing (repeatable).")] = None,
    db: DbOption = None,
) -> None:
    """Create or update a principal (an administrator's operation; recorded in the audit log)."""
    from pydantic import ValidationError

    from puente.policy import audit
    from puente.policy.principals import SYSTEM, Principal, save

    database = _open(db)
    try:
        principal = Principal(
            user_id=user_id,
            name=name or user_id,
            agency=agency,
            roles=frozenset(role),
            task_forces=frozenset(task_force or ()),
            certificates=frozenset(certificate or ()),
        )
    except ValidationError as exc:
        err.print("[red]Invalid principal:[/red] " + "; ".join(e["msg"] for e in exc.errors()))
        raise typer.Exit(EXIT_FAILED) from None
    with database.engine.begin() as conn:
        save(conn, principal)
        audit.record(
            conn,
            SYSTEM,
            "principal_saved",
            detail={"user_id": user_id, "agency": agency, "roles": sorted(principal.roles)},
        )
    console.print(f"Saved {user_id} ({agency}: {', '.join(sorted(principal.roles))})")


@principals_app.command("list")
def principals_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every principal with agency, roles and certificates."""
    from sqlalchemy import select

    from puente.store.schema import principals

    database = _open(db)
    with database.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(principals).order_by(principals.c.user_id)).mappings()]
    if as_json:
        print(orjson.dumps(rows, default=str).decode())
        return
    table = Table(title="Principals")
    for name in ("User", "Agency", "Roles", "Certificates", "Active"):
        table.add_column(name)
    for r in rows:
        table.add_row(r["user_id"], r["agency"], r["roles"], r["certificates"], str(r["active"]))
    console.print(table)


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    expect_head: Annotated[str | None, typer.Option(help="The newest entry's hash, kept elsewhere.")] = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Check the audit chain: exit 0 when intact, 1 when any entry was changed, removed or reordered."""
    from puente.policy import audit

    language = _lang(lang)
    result = audit.verify(_open(db), expect_head)
    if as_json:
        print(
            orjson.dumps(
                {"ok": result.ok, "entries": result.entries, "head": result.head, "problems": result.problems}
            ).decode()
        )
    elif result.ok:
        console.print(
            ("Bitácora íntegra: " if language == "es" else "Audit log intact: ")
            + f"{result.entries} entries, head {result.head}"
        )
    else:
        for problem in result.problems:
            err.print(f"[red]{problem['es'] if language == 'es' else problem['en']}[/red]")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_QUARANTINED)


@principals_app.command("password")
def principals_password(
    user_id: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Set a principal's password for the web login (the local operator; recorded in the audit log)."""
    import sys

    from puente.policy import auth

    language, database = _lang(lang), _open(db)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    _access_call(language, lambda: auth.set_password(database, "system", user_id, password))
    console.print(
        f"Contraseña guardada para {user_id}." if language == "es" else f"Password set for {user_id}."
    )


@tokens_app.command("create")
def tokens_create(
    user_id: str,
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. the partner system.")],
    days: Annotated[int, typer.Option("--days", help="How long it lasts (1 to 365 days).")] = 90,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Create an API token for a principal (the local operator). The token is shown this once only."""
    from puente.policy import auth

    language, database = _lang(lang), _open(db)
    info, token = _access_call(language, lambda: auth.create_token(database, "system", user_id, name, days))
    console.print(token, soft_wrap=True, highlight=False)
    err.print(
        f"Token {info.id} ({info.user_id}) "
        + ("válido hasta" if language == "es" else "valid until")
        + f" {info.expires_at:%Y-%m-%d}. "
        + (
            "Guárdelo ahora: no se vuelve a mostrar."
            if language == "es"
            else "Keep it now: it is not shown again."
        )
    )


@tokens_app.command("list")
def tokens_list(
    user_id: Annotated[str | None, typer.Argument(help="Only this principal's tokens.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """API tokens (never their secrets): whose, what for, until when, revoked or not, last used."""
    from puente.policy import auth

    tokens = auth.list_tokens(_open(db), user_id)
    if as_json:
        print(orjson.dumps([t.__dict__ | {"active": t.active()} for t in tokens], default=str).decode())
        return
    table = Table(title="API tokens")
    for column in ("Id", "User", "Name", "Expires", "Revoked", "Last used"):
        table.add_column(column)
    for t in tokens:
        table.add_row(
            t.id, t.user_id, t.name, f"{t.expires_at:%Y-%m-%d}",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
        )  # fmt: skip
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: str, db: DbOption = None, lang: LangOption = "") -> None:
    """Revoke an API token at once (the local operator)."""
    from puente.policy import auth

    language, database = _lang(lang), _open(db)
    info = _access_call(language, lambda: auth.revoke_token(database, "system", token_id))
    console.print(f"Token {info.id} " + ("revocado." if language == "es" else "revoked."))


def _parse_restrictions(values: list[str]) -> dict[str, list[str]]:
    restricted: dict[str, list[str]] = {}
    for value in values:
        field, _, grantees = value.partition("=")
        restricted[field.strip()] = [g.strip() for g in grantees.split(",") if g.strip()]
    return restricted


def remark(
    record_id: Annotated[str, typer.Argument(help="One of your agency's records.")],
    as_user: AsRequired,
    reason: Annotated[str, typer.Option("--reason", help="Why the marking changes (audited).")],
    purpose: PurposeOption,
    releasable_to: Annotated[
        list[str] | None,
        typer.Option("--releasable-to", help="A nation (MX) or agency (US/ATF); repeatable."),
    ] = None,
    disclosure: Annotated[
        str, typer.Option("--disclosure", help="What others learn: pointer or none.")
    ] = "pointer",
    originator_controlled: Annotated[
        bool, typer.Option("--originator-controlled", help="Passing it on needs your approval.")
    ] = False,
    restrict: Annotated[
        list[str] | None,
        typer.Option("--restrict", help="FIELD=GRANTEE,GRANTEE: a field only they may see; repeatable."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Change who may see one of your agency's records (a steward): a new version, audited."""
    from puente.policy import remark as remarking

    language, database = _lang(lang), _open(db)
    steward = _principal(database, as_user)
    markings = {
        "releasable_to": releasable_to or [],
        "disclosure": disclosure,
        "originator_controlled": originator_controlled,
        "restricted_fields": _parse_restrictions(restrict or []),
    }
    version = _access_call(
        language, lambda: remarking.remark(database, steward, record_id, markings, reason, purpose)
    )
    console.print(
        f"{record_id}: " + (f"versión {version} con el nuevo marcado." if language == "es"
                            else f"version {version} with the new markings.")
    )  # fmt: skip


def export(
    out: Annotated[Path, typer.Option("--out", help="The JSON Lines file to write.")],
    as_user: AsRequired,
    purpose: PurposeOption,
    record_type: Annotated[str | None, typer.Option("--type", help="Only this record type.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this agency's records.")] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Export the records you may see as JSON Lines, restricted fields withheld.

    Records another agency keeps under originator control are held back until its steward approves
    (puente access request RECORD --kind export). Exit 1 when some were held back.
    """
    from puente.policy.dissemination import export_records

    language, database = _lang(lang), _open(db)
    principal = _principal(database, as_user)
    done = _access_call(
        language,
        lambda: export_records(database, principal, purpose, record_type=record_type, owner=owner),
    )
    with out.open("wb") as handle:
        for view in done.records:
            line = {
                "record_id": view.record_id, "record_type": view.record_type, "owner": view.owner,
                "version": view.version, "withheld_fields": list(view.withheld_fields),
                "record": view.content,
            }  # fmt: skip
            handle.write(orjson.dumps(line) + b"\n")
    es = language == "es"
    console.print(
        f"{len(done.records):,} " + ("registros exportados a " if es else "records exported to ") + str(out)
    )
    for view in done.held_back:
        err.print(
            f"[yellow]{view.record_id}[/yellow] "
            + (f"retenido: bajo control del originador ({view.owner}); solicite permiso con "
               if es else f"held back: under originator control ({view.owner}); ask with ")
            + f"puente access request {view.record_id} --kind export"
        )  # fmt: skip
    raise typer.Exit(EXIT_QUARANTINED if done.held_back else EXIT_OK)


@audit_app.command("views")
def audit_views(
    as_user: AsRequired,
    purpose: PurposeOption,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Newest entries to show.")] = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Who read, looked for, asked for or exported your agency's records (a steward or supervisor)."""
    from puente.policy import oversight

    language, database = _lang(lang), _open(db)
    steward = _principal(database, as_user)
    views = _access_call(language, lambda: oversight.views_of_agency(database, steward, purpose, limit=limit))
    if as_json:
        print(orjson.dumps([v.__dict__ for v in views]).decode())
        return
    es = language == "es"
    table = Table(
        title=(f"Consultas de registros de {steward.agency}" if es else f"Views of {steward.agency} records")
    )
    for column in (
        ("Cuándo", "Quién", "Acción", "Resultado", "Registros", "Propósito")
        if es
        else ("When", "Who", "Action", "Outcome", "Records", "Purpose")
    ):
        table.add_column(column)  # fmt: skip
    for v in views:
        names = ", ".join(v.record_ids[:3]) + (" …" if len(v.record_ids) > 3 else "")
        table.add_row(v.at[:19], v.user_id, v.action, v.outcome, f"{v.count:,} {names}".strip(), v.purpose)
    console.print(table)
