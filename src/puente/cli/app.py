"""``puente``: set up, load agency files, follow the quarantine and see what is stored."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from puente.ingest import quarantine as quarantine_ops
from puente.ingest.issues import LoadError
from puente.ingest.pipeline import LoadReport, ingest_file
from puente.ingest.profiles import bundled_profiles, load_profile
from puente.model.labels import record_type_label
from puente.store import Database, connect

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Puente: a binational exchange for cross-border trafficking intelligence.",
)
quarantine_app = typer.Typer(no_args_is_help=True, help="Rows that could not be stored, and why.")
profiles_app = typer.Typer(no_args_is_help=True, help="Mapping profiles of agency export formats.")
principals_app = typer.Typer(no_args_is_help=True, help="People who use Puente: agency, roles, certificates.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")
access_app = typer.Typer(
    no_args_is_help=True, help="Requests to see records held by others: ask, list, approve, deny, revoke."
)
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(profiles_app, name="profiles")
app.add_typer(principals_app, name="principals")
app.add_typer(audit_app, name="audit")
app.add_typer(access_app, name="access")

console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_QUARANTINED, EXIT_FAILED = 0, 1, 2

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: PUENTE_DATABASE_URL or an SQLite file under ./data)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of messages: en or es.")]


def _lang(value: str | None) -> str:
    value = (value or os.environ.get("PUENTE_LANG") or "en").lower()[:2]
    return "es" if value == "es" else "en"


def _open(url: str | None) -> Database:
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


def _fail(exc: LoadError, lang: str, as_json: bool) -> None:
    message = exc.es if lang == "es" else exc.en
    if as_json:
        print(
            orjson.dumps(
                {"status": "failed", "error": {"code": exc.code, "en": exc.en, "es": exc.es}}
            ).decode()
        )
    else:
        err.print(f"[red]{'No se pudo cargar' if lang == 'es' else 'Load could not run'}:[/red] {message}")
    raise typer.Exit(EXIT_FAILED)


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress bar on the terminal for long work (none for scripts or when output is not a tty)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def init(db: DbOption = None) -> None:
    """Create or migrate the database schema."""
    database = _open(db)
    console.print(f"Database ready: {database.engine.url.render_as_string(hide_password=True)}")


def _print_report(report: LoadReport, lang: str) -> None:
    es = lang == "es"
    table = Table(title=f"{report.file} — {report.profile}", show_header=False)
    rows = [
        ("Filas leídas" if es else "Rows read", report.rows_read),
        ("Registros nuevos" if es else "Records new", report.records_new),
        ("Versiones nuevas" if es else "New versions", report.records_new_version),
        ("Sin cambios" if es else "Unchanged", report.records_unchanged),
        ("Filas duplicadas en el archivo" if es else "Duplicate rows in file", report.rows_duplicate),
        ("Filas en cuarentena" if es else "Rows quarantined", report.rows_quarantined),
    ]
    for name, value in rows:
        table.add_row(name, f"{value:,}")
    console.print(table)
    if report.resumed:
        console.print("Carga reanudada tras una interrupción." if es else "Resumed an interrupted load.")
    if report.unmapped_columns:
        label = "Columnas no mapeadas (ignoradas)" if es else "Unmapped columns (ignored)"
        console.print(f"{label}: {', '.join(report.unmapped_columns)}")
    if report.rows_quarantined:
        hint = "Vea: puente quarantine list" if es else "See: puente quarantine list"
        console.print(f"[yellow]{hint}[/yellow]")


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="The agency export to load (CSV, JSON Lines or XLSX).")],
    profile: Annotated[str, typer.Option("--profile", "-p", help="Bundled profile name or a profile .yaml.")],
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option(help="Rows per committed batch.", min=1, max=100_000)] = 5000,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Load one file through a mapping profile. Exit 0: all stored; 1: some rows quarantined; 2: failed."""
    language = _lang(lang)
    try:
        chosen = load_profile(profile)
    except LoadError as exc:
        _fail(exc, language, as_json)
    database = _open(db)
    try:
        with _progress(file.name, quiet=as_json) as progress:
            report = ingest_file(database, file, chosen, batch_size=batch_size, progress=progress)
    except LoadError as exc:
        _fail(exc, language, as_json)
    if as_json:
        print(orjson.dumps(report.as_dict()).decode())
    else:
        _print_report(report, language)
    raise typer.Exit(EXIT_QUARANTINED if report.rows_quarantined else EXIT_OK)


AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this principal (user id): what they may see.")
]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Why you look (recorded in the audit log).")]


def _principal(database: Database, user_id: str):
    from puente.policy.principals import load

    with database.engine.connect() as conn:
        principal = load(conn, user_id)
    if principal is None:
        err.print(f"[red]Unknown principal '{user_id}'[/red] (see: puente principals list)")
        raise typer.Exit(EXIT_FAILED)
    return principal


@app.command()
def status(
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
    as_user: AsOption = None,
    purpose: PurposeOption = "status",
) -> None:
    """Counts of stored records by type and agency, and of the quarantine (--as: what one person may see)."""
    from puente.store.repository import Repository

    language = _lang(lang)
    database = _open(db)
    if as_user:
        from puente.policy import access

        try:
            visible_counts = access.counts(database, _principal(database, as_user), purpose)
        except access.Refused as exc:
            err.print(f"[red]{exc.decision.es if language == 'es' else exc.decision.en}[/red]")
            raise typer.Exit(EXIT_FAILED) from None
        if as_json:
            print(
                orjson.dumps(
                    {
                        "records": [{"record_type": t, "owner": o, "count": n} for t, o, n in visible_counts],
                        "records_total": sum(n for _, _, n in visible_counts),
                    }
                ).decode()
            )
        else:
            table = Table(
                title=("Registros visibles para " if language == "es" else "Records visible to ") + as_user
            )
            for name in ("Agency", "Type", "Records"):
                table.add_column(name)
            for kind, owner, n in visible_counts:
                table.add_row(owner, record_type_label(kind, language), f"{n:,}")
            console.print(table)
        return
    with database.engine.connect() as conn:
        repo = Repository(conn)
        counts = repo.counts_by_type_and_owner()
        held = repo.quarantine_counts()
        versions = repo.version_count()
        runs = repo.runs(limit=1000)
    if as_json:
        print(
            orjson.dumps(
                {
                    "records": [{"record_type": t, "owner": o, "count": n} for t, o, n in counts],
                    "records_total": sum(n for _, _, n in counts),
                    "versions_total": versions,
                    "quarantine": [{"owner": o, "status": s, "count": n} for o, s, n in held],
                    "load_runs": len(runs),
                }
            ).decode()
        )
        return
    es = language == "es"
    table = Table(title="Registros almacenados" if es else "Stored records")
    table.add_column("Dependencia" if es else "Agency")
    table.add_column("Tipo" if es else "Type")
    table.add_column("Registros" if es else "Records", justify="right")
    for record_type, owner, n in counts:
        table.add_row(owner, record_type_label(record_type, language), f"{n:,}")
    console.print(table)
    console.print(
        f"{'Total' if not es else 'Total'}: {sum(n for _, _, n in counts):,} "
        f"({versions:,} {'versiones' if es else 'versions'}); "
        f"{len(runs)} {'cargas' if es else 'load runs'}"
    )
    quarantine_table = Table(title="Cuarentena" if es else "Quarantine")
    quarantine_table.add_column("Dependencia" if es else "Agency")
    quarantine_table.add_column("Estado" if es else "Status")
    quarantine_table.add_column("Filas" if es else "Rows", justify="right")
    for owner, state, n in held:
        quarantine_table.add_row(owner, state, f"{n:,}")
    console.print(quarantine_table)


@quarantine_app.command("list")
def quarantine_list(
    db: DbOption = None,
    owner: Annotated[str | None, typer.Option(help="Only this agency, e.g. MX/FGR.")] = None,
    state: Annotated[str, typer.Option("--status", help="open, resolved or all.")] = "open",
    file: Annotated[str | None, typer.Option(help="Only rows of this file name.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Quarantined rows with their reasons."""
    language = _lang(lang)
    database = _open(db)
    entries = quarantine_ops.list_entries(
        database, owner=owner, status=None if state == "all" else state, file_name=file, limit=limit
    )
    if as_json:
        print(orjson.dumps([e.__dict__ for e in entries]).decode())
        return
    es = language == "es"
    table = Table(title="Cuarentena" if es else "Quarantine")
    for name in (
        "Id",
        "Archivo" if es else "File",
        "Fila" if es else "Row",
        "Código" if es else "Code",
        "Motivo" if es else "Reason",
    ):
        table.add_column(name)
    for e in entries:
        where = f"{e.row_number}" + (f" [{e.sheet}]" if e.sheet else "")
        table.add_row(str(e.id), e.file_name, where, e.code, e.reason_es if es else e.reason_en)
    console.print(table)


@quarantine_app.command("show")
def quarantine_show(
    entry_id: int, db: DbOption = None, as_json: JsonOption = False, lang: LangOption = ""
) -> None:
    """One quarantined row: every problem found and the row as read."""
    language = _lang(lang)
    entry = quarantine_ops.get_entry(_open(db), entry_id)
    if entry is None:
        err.print(f"No hay la entrada {entry_id}" if language == "es" else f"No quarantine entry {entry_id}")
        raise typer.Exit(EXIT_FAILED)
    if as_json:
        print(orjson.dumps(entry.__dict__).decode())
        return
    es = language == "es"
    console.print(
        f"[bold]{entry.file_name}[/bold] {'fila' if es else 'row'} {entry.row_number} "
        f"({entry.profile}, {entry.owner}) — {entry.status}"
    )
    for problem in entry.errors:
        console.print(f"  • [{problem['code']}] {problem['es'] if es else problem['en']}")
    console.print_json(orjson.dumps(entry.raw).decode())


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV to write (UTF-8).")],
    db: DbOption = None,
    owner: Annotated[str | None, typer.Option(help="Only this agency.")] = None,
    file: Annotated[str | None, typer.Option(help="Only rows of this file name.")] = None,
) -> None:
    """Write open quarantined rows to a CSV to fix and re-submit."""
    database = _open(db)
    entries = quarantine_ops.list_entries(database, owner=owner, status="open", file_name=file)
    try:
        n = quarantine_ops.export_entries(database, entries, out)
    except OSError as exc:
        err.print(f"[red]Cannot write {out}:[/red] {exc.strerror or exc}")
        raise typer.Exit(EXIT_FAILED) from None
    console.print(f"{n} rows written to {out}")


@quarantine_app.command("resubmit")
def quarantine_resubmit(
    file: Annotated[Path, typer.Argument(help="A fixed export from 'puente quarantine export'.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "",
) -> None:
    """Load fixed rows; each resolves its quarantine entry once it stores."""
    language = _lang(lang)
    database = _open(db)
    try:
        reports = quarantine_ops.resubmit(database, file)
    except LoadError as exc:
        _fail(exc, language, as_json)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _fail(
            LoadError(
                "unreadable_file",
                f"{file} cannot be read as a UTF-8 CSV export: {reason}",
                f"{file} no se puede leer como exportación CSV en UTF-8: {reason}",
            ),
            language,
            as_json,
        )
    if as_json:
        print(orjson.dumps([r.as_dict() for r in reports]).decode())
    else:
        for report in reports:
            _print_report(report, language)
    raise typer.Exit(EXIT_QUARANTINED if any(r.rows_quarantined for r in reports) else EXIT_OK)


@profiles_app.command("list")
def profiles_list(as_json: JsonOption = False, lang: LangOption = "") -> None:
    """Bundled mapping profiles."""
    language = _lang(lang)
    profiles = bundled_profiles()
    if as_json:
        print(
            orjson.dumps(
                [
                    {
                        "name": p.name,
                        "agency": p.agency,
                        "format": p.format,
                        "encoding": p.encoding,
                        "title": p.title,
                    }
                    for p in profiles.values()
                ]
            ).decode()
        )
        return
    es = language == "es"
    table = Table(title="Perfiles" if es else "Profiles")
    for name in (
        "Nombre" if es else "Name",
        "Dependencia" if es else "Agency",
        "Formato" if es else "Format",
        "Descripción" if es else "Title",
    ):
        table.add_column(name)
    for p in profiles.values():
        table.add_row(p.name, p.agency, f"{p.format} ({p.encoding})", p.title[language])
    console.print(table)


@app.command()
def synth(
    scale: Annotated[
        str, typer.Option(help="tiny (~1k records), small (~50k), medium (~1M) or large (~10M).")
    ] = "small",
    seed: Annotated[int, typer.Option(help="The same seed gives byte-identical files.")] = 20230314,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the feeds and truth into.")
    ] = Path("data/world"),
    as_json: JsonOption = False,
) -> None:
    """Generate the synthetic binational world: each agency's feeds, their profiles, and ground truth."""
    from puente.synth.generate import generate

    try:
        with _progress(f"world {scale}", quiet=as_json) as progress:
            manifest = generate(scale, seed, out, progress)
    except (ValueError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_FAILED) from None
    if as_json:
        print(
            orjson.dumps(
                {
                    "scale": scale,
                    "seed": seed,
                    "folder": str(out),
                    "records": manifest.records,
                    "feeds": manifest.feeds,
                }
            ).decode()
        )
        return
    table = Table(title=f"World '{scale}' (seed {seed}) in {out}")
    for name in ("File", "Profile", "Rows", "Records"):
        table.add_column(name)
    for feed in manifest.feeds:
        table.add_row(feed["file"], feed["profile"], f"{feed['rows']:,}", f"{feed['records']:,}")
    console.print(table)
    console.print(f"Load it with: puente ingest FILE --profile PROFILE (see {out / 'manifest.yaml'})")


@app.command()
def demo(
    db: DbOption = None,
    lang: LangOption = "",
    scale: Annotated[str, typer.Option(help="World to load: tiny, small (default) or medium.")] = "small",
    seed: Annotated[int, typer.Option(help="Seed of the world.")] = 20230314,
    samples: Annotated[
        bool, typer.Option("--samples", help="Load the four small sample exports instead.")
    ] = False,
) -> None:
    """Build the synthetic world (or take the samples), load every agency feed, print the status."""
    from puente.samples import sample_files
    from puente.store.db import data_dir
    from puente.synth.generate import generate, read_manifest

    language = _lang(lang)
    database = _open(db)
    if samples:
        feeds = sample_files()
    else:
        folder = data_dir() / f"world-{scale}-{seed}"
        try:
            manifest = read_manifest(folder)
        except FileNotFoundError:
            manifest = None
        if manifest is None or manifest.scale != scale or manifest.seed != seed:
            err.print(f"Generating the '{scale}' world (seed {seed}) in {folder} ...")
            try:
                manifest = generate(scale, seed, folder)
            except ValueError as exc:
                err.print(f"[red]{exc}[/red]")
                raise typer.Exit(EXIT_FAILED) from None
        feeds = [(folder / f["file"], f["profile"]) for f in manifest.feeds]
    for path, profile_name in feeds:
        try:
            report = ingest_file(database, path, load_profile(profile_name))
        except LoadError as exc:
            _fail(exc, language, False)
        _print_report(report, language)
    _demo_users(database, language)
    status(db=db, as_json=False, lang=language)


DEMO_USERS = (
    ("ana.fgr", "Ana Martínez (FGR)", "MX/FGR", ("analyst",), ("tracing",)),
    ("luis.gn", "Luis Ortega (Guardia Nacional)", "MX/GN", ("analyst",), ()),
    ("marta.fgr", "Marta Ruiz (FGR, datos)", "MX/FGR", ("steward",), ()),
    ("joe.atf", "Joe Keller (ATF)", "US/ATF", ("analyst",), ("tracing",)),
    ("kim.cbp", "Kim Nguyen (CBP, Laredo)", "US/CBP", ("officer",), ()),
    ("sam.hsi", "Sam Villarreal (HSI, data steward)", "US/HSI", ("steward",), ()),
    ("root.admin", "Installation administrator", "US/HSI", ("admin",), ()),
)


def _demo_users(database: Database, language: str) -> None:
    """Principals of both nations to try what each may see (puente status --as USER)."""
    from puente.policy import audit
    from puente.policy.principals import SYSTEM, Principal, save

    table = Table(title="Usuarios de demostración" if language == "es" else "Demo users")
    for name in ("User", "Agency", "Roles"):
        table.add_column(name)
    with database.engine.begin() as conn:
        for user_id, name, agency, roles, certificates in DEMO_USERS:
            save(
                conn,
                Principal(
                    user_id=user_id,
                    name=name,
                    agency=agency,
                    roles=frozenset(roles),
                    certificates=frozenset(certificates),
                ),
            )
            table.add_row(user_id, agency, ", ".join(roles))
        audit.record(conn, SYSTEM, "demo_users", detail={"users": [u[0] for u in DEMO_USERS]})
    console.print(table)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(help="A record id, e.g. MX/FGR:seizure:FGR-TAM-2023-0117.")],
    as_user: Annotated[str, typer.Option("--as", help="Act as this principal (user id).")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why you look (recorded in the audit log).")],
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """One record as a person may see it: whole, with withheld fields, a pointer to its holder, or nothing."""
    from puente.policy import access

    language = _lang(lang)
    database = _open(db)
    try:
        seen = access.read_record(database, _principal(database, as_user), record_id, purpose)
    except access.Refused as exc:
        err.print(f"[red]{exc.decision.es if language == 'es' else exc.decision.en}[/red]")
        raise typer.Exit(EXIT_FAILED) from None
    if seen is None:
        console.print("Sin coincidencia." if language == "es" else "No record.")
        raise typer.Exit(EXIT_QUARANTINED)
    if isinstance(seen, access.Pointer):
        if language == "es":
            console.print(
                f"Un registro en poder de {seen.holder} coincide. Contacte a: {seen.contact_es}. "
                "Puede solicitar acceso."
            )
        else:
            console.print(
                f"A record held by {seen.holder} matches. Contact: {seen.contact_en}. You may request access."
            )
        return
    console.print(f"[bold]{seen.record_id}[/bold] v{seen.version} ({seen.owner})")
    console.print_json(orjson.dumps(seen.content).decode())
    if seen.withheld_fields:
        console.print(
            ("Campos reservados: " if language == "es" else "Withheld fields: ")
            + ", ".join(seen.withheld_fields)
        )


_T = TypeVar("_T")
AsRequired = Annotated[str, typer.Option("--as", help="Act as this principal (user id).")]


def _access_call(language: str, call: Callable[[], _T]) -> _T:
    from puente.policy.access import Refused

    try:
        return call()
    except Refused as exc:
        err.print(f"[red]{exc.decision.es if language == 'es' else exc.decision.en}[/red]")
        raise typer.Exit(EXIT_FAILED) from None


def _print_request(request, language: str) -> None:  # noqa: ANN001 - an AccessRequest
    es = language == "es"
    until = f" {'hasta' if es else 'until'} {request.expires_at:%Y-%m-%d %H:%M}" if request.expires_at else ""
    console.print(
        f"#{request.id} {request.record_id} ({request.owner}) "
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
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Ask the owner of a record you may not see for access to it."""
    from puente.policy import requests

    language, database = _lang(lang), _open(db)
    principal = _principal(database, as_user)
    request_id = _access_call(
        language, lambda: requests.request_access(database, principal, record_id, reason, purpose)
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


def main() -> None:
    app()
