"""A steward's upload: one export of the agency's, loaded through a bundled profile; the answer is
the load report (rows read, records stored, rows quarantined). Only bundled profiles are named
(a path on the server is never read), and only the steward's own agency's."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, UploadFile

from puente.api.deps import Db, Purpose, Viewer
from puente.api.schemas import problems
from puente.ingest.issues import LoadError
from puente.ingest.pipeline import LoadReport, ingest_file
from puente.ingest.profiles import bundled_profiles
from puente.policy import access, audit
from puente.policy.requests import refuse

router = APIRouter()
MAX_BYTES = 512 * 1024 * 1024  # an export larger than this is loaded with `puente ingest`


@router.post("/uploads", response_model=LoadReport, status_code=201, responses=problems(400, 401, 403, 422),
             summary="Load an export of your agency's through a bundled profile (stewards)")  # fmt: skip
def upload(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    file: UploadFile,
    profile: Annotated[str, Form(min_length=1, max_length=100, description="A bundled profile's name.")],
) -> LoadReport:
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
    name = Path(file.filename or "upload").name or "upload"  # no directories from the client
    with tempfile.TemporaryDirectory(prefix="puente-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        if path.stat().st_size > MAX_BYTES:
            raise LoadError("too_large", "the file is too large to upload", "el archivo es demasiado grande")
        report = ingest_file(db, path, chosen)
    with db.engine.begin() as conn:
        detail = {"file": name, "profile": profile, "run": report.run_id, "status": report.status}
        audit.record(conn, viewer.user_id, "upload", purpose=purpose, detail=detail)
    return report
