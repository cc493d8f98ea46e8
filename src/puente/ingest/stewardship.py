"""What an agency's data stewards do through the API and the web pages: upload an export of the
agency's through a bundled profile (a path on the server is never read, and only the steward's own
agency's profiles are offered), follow the agency's loads, and read the rows that could not be
stored. Another agency's loads and quarantine are never shown: their file names and raw rows are
that agency's data. Every read is audited."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from puente.ingest import quarantine as quarantine_ops
from puente.ingest.issues import LoadError
from puente.ingest.pipeline import LoadReport, ingest_file
from puente.ingest.profiles import bundled_profiles
from puente.policy import access, audit
from puente.policy.principals import Principal
from puente.policy.requests import refuse
from puente.store.db import Database
from puente.store.repository import Repository

MAX_BYTES = 512 * 1024 * 1024  # an export larger than this is loaded with `puente ingest`


def upload(
    db: Database, viewer: Principal, purpose: str, profile: str, filename: str | None, stream: BinaryIO
) -> LoadReport:
    """Load ``stream`` (a file as uploaded) through the bundled profile named ``profile``, for a
    steward of that profile's agency; audited. Raises LoadError when the load cannot run."""
    access.require(db, viewer, "ingest", purpose)
    chosen = bundled_profiles().get(profile)
    if chosen is None:
        raise LoadError("unknown_profile", f"unknown profile '{profile}'", f"perfil desconocido '{profile}'")
    if chosen.agency != viewer.agency:
        raise refuse(
            db, viewer, "ingest", purpose,
            f"'{profile}' is a profile of {chosen.agency}: a steward loads the agency's own exports",
            f"'{profile}' es un perfil de {chosen.agency}: se cargan las exportaciones de la propia agencia",
        )  # fmt: skip
    name = Path(filename or "upload").name or "upload"  # no directories from the client
    with tempfile.TemporaryDirectory(prefix="puente-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out)
        if path.stat().st_size > MAX_BYTES:
            raise LoadError("too_large", "the file is too large to upload", "el archivo es demasiado grande")
        report = ingest_file(db, path, chosen)
    with db.engine.begin() as conn:
        detail = {"file": name, "profile": profile, "run": report.run_id, "status": report.status}
        audit.record(conn, viewer.user_id, "upload", purpose=purpose, detail=detail)
    return report


def agency_quarantine(
    db: Database, viewer: Principal, purpose: str, status: str | None = "open", limit: int = 200
) -> list[quarantine_ops.Entry]:
    """The steward's agency's quarantined rows (``status`` open, resolved, or None for all)."""
    access.require(db, viewer, "quarantine", purpose)
    entries = quarantine_ops.list_entries(db, owner=viewer.agency, status=status, limit=limit)
    with db.engine.begin() as conn:
        detail = {"owner": viewer.agency, "count": len(entries), "ids": [e.id for e in entries]}
        audit.record(conn, viewer.user_id, "read_quarantine", purpose=purpose, detail=detail)
    return entries


def agency_runs(
    db: Database, viewer: Principal, purpose: str, limit: int = 50, run_id: int | None = None
) -> list[dict[str, Any]]:
    """The steward's agency's loads, newest first (or the one ``run_id``, if it is the agency's)."""
    access.require(db, viewer, "quarantine", purpose)
    with db.engine.begin() as conn:
        rows = Repository(conn).runs(limit, owner=viewer.agency, run_id=run_id)
        audit.record(conn, viewer.user_id, "read_load_runs", purpose=purpose,
                     detail={"owner": viewer.agency, "runs": [r["id"] for r in rows]})  # fmt: skip
    return rows
