"""``puente``: set up, load agency files, follow the quarantine and see what is stored."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from puente.cli import deconfliction as deconfliction_cli
from puente.cli import governance, resolution
from puente.cli import leading as leading_cli
from puente.cli import network as network_cli
from puente.cli import screening as screening_cli
from puente.cli import search as search_cli
from puente.cli import tracing as tracing_cli
from puente.cli import watching as watching_cli
from puente.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_QUARANTINED,
    AsOption,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    console,
    err,
)
from puente.cli.common import language as _lang
from puente.cli.common import open_db as _open
from puente.cli.common import principal_of as _principal
from puente.ingest import quarantine as quarantine_ops
from puente.ingest.issues import LoadError
from puente.ingest.pipeline import LoadReport, ingest_file, renew_statistics
from puente.ingest.profiles import bundled_profiles, load_profile
from puente.model.labels import record_type_label
from puente.settle import after_loads
from puente.store import Database

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Puente: a binational exchange for cross-border trafficking intelligence.",
)
quarantine_app = typer.Typer(no_args_is_help=True, help="Rows that could not be stored, and why.")
profiles_app = typer.Typer(no_args_is_help=True, help="Mapping profiles of agency export formats.")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(profiles_app, name="profiles")


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
    resolve: Annotated[
        bool, typer.Option("--resolve/--no-resolve", help="Match new persons against the entities at once.")
    ] = True,
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
    changed = report.records_new or report.records_new_version
    matched = _resolve_new(database) if resolve and changed else None
    _after_loads(database, [report])
    if as_json:
        print(orjson.dumps(report.as_dict() | ({"resolved": matched} if matched else {})).decode())
    else:
        _print_report(report, language)
        if matched:
            records_, joined = f"{matched['records']:,}", f"{matched['joined']:,}"
            console.print(
                f"Personas nuevas resueltas: {records_} ({joined} unidas a entidades)"
                if language == "es"
                else f"New persons resolved: {records_} ({joined} joined to entities)"
            )
    raise typer.Exit(EXIT_QUARANTINED if report.rows_quarantined else EXIT_OK)


def _after_loads(database: Database, reports: list[LoadReport]) -> None:
    after_loads(database, reports)


def _resolve_new(database: Database) -> dict[str, int] | None:
    """Match the person records a load stored against the entities (once a resolution has run)."""
    from puente.resolve.online import resolve_new

    found = resolve_new(database)
    if not found:
        return None
    return {"records": len(found), "joined": sum(1 for m in found if m.entity_id is not None)}


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
        _after_loads(database, reports)
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
    then_serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API afterwards (puente serve).")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8000,
) -> None:
    """Build the synthetic world (or take the samples), load and resolve its feeds, create the demo
    users, print the status, then serve unless --no-serve."""
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
    reports = []
    for path, profile_name in feeds:
        try:
            report = ingest_file(database, path, load_profile(profile_name))
        except LoadError as exc:
            _fail(exc, language, False)
        _print_report(report, language)
        reports.append(report)
    renew_statistics(database, reports)
    _demo_users(database, language)
    from puente.cli.resolution import resolve

    resolve(db=db, lang=language)
    search_cli.index(db=db, lang=language)
    settled = after_loads(database, reports)  # watches, shared targets and leads, once entities exist
    console.print(
        f"Pistas: {settled.leads}; objetivos compartidos avisados: {settled.targets_told}"
        if language == "es"
        else f"Leads: {settled.leads}; shared targets told: {settled.targets_told}"
    )
    status(db=db, as_json=False, lang=language)
    if then_serve:
        serve(host=host, port=port, db=db)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web pages and the HTTP API (/api/v1, its OpenAPI at /api/v1/openapi.json) until stopped."""
    import uvicorn

    from puente.api import create_app

    database = _open(db)
    console.print(
        f"Puente on http://{host}:{port}/ (web pages; log in as a demo user) and "
        f"http://{host}:{port}/api/v1 (API) — Ctrl+C to stop"
    )
    uvicorn.run(create_app(database), host=host, port=port, log_level="warning")


DEMO_USERS = (
    ("ana.fgr", "Ana Martínez (FGR)", "MX/FGR", ("analyst",), ("tracing",)),
    ("luis.gn", "Luis Ortega (Guardia Nacional)", "MX/GN", ("analyst",), ()),
    ("marta.fgr", "Marta Ruiz (FGR, datos)", "MX/FGR", ("steward",), ()),
    ("joe.atf", "Joe Keller (ATF)", "US/ATF", ("analyst",), ("tracing",)),
    ("kim.cbp", "Kim Nguyen (CBP, Laredo)", "US/CBP", ("officer",), ()),
    ("sam.hsi", "Sam Villarreal (HSI, data steward)", "US/HSI", ("steward",), ()),
    ("ines.hsi", "Inés Herrera (HSI, BEST Rio Grande Valley)", "US/HSI", ("analyst",), ("tracing",)),
    ("root.admin", "Installation administrator", "US/HSI", ("admin",), ()),
)


def _demo_users(database: Database, language: str) -> None:
    """Principals of both nations to try what each may see (puente status --as USER), each with a
    fresh random password for the web login, printed here once."""
    import secrets

    from puente.policy import audit, auth
    from puente.policy.principals import SYSTEM, Principal, save

    es = language == "es"
    table = Table(title="Usuarios de demostración" if es else "Demo users")
    for name in (
        ("Usuario", "Dependencia", "Roles", "Contraseña") if es else ("User", "Agency", "Roles", "Password")
    ):
        table.add_column(name)
    passwords = {user_id: secrets.token_urlsafe(12) for user_id, *_ in DEMO_USERS}
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
            table.add_row(user_id, agency, ", ".join(roles), passwords[user_id])
        audit.record(conn, SYSTEM, "demo_users", detail={"users": [u[0] for u in DEMO_USERS]})
    for user_id, password in passwords.items():
        auth.set_password(database, SYSTEM, user_id, password)
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


governance.register(app)
resolution.register(app, governance.export_app)
search_cli.register(app)
tracing_cli.register(app)
network_cli.register(app)
deconfliction_cli.register(app)
watching_cli.register(app)
leading_cli.register(app)
screening_cli.register(app)


def main() -> None:
    app()
