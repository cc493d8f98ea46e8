"""A steward's upload: one export of the agency's, loaded through a bundled profile; the answer is
the load report (rows read, records stored, rows quarantined). Only bundled profiles are named
(a path on the server is never read), and only the steward's own agency's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile

from puente.api.deps import Db, Purpose, Viewer
from puente.api.schemas import problems
from puente.ingest import stewardship
from puente.ingest.pipeline import LoadReport
from puente.settle import after_loads

router = APIRouter()


@router.post("/uploads", response_model=LoadReport, status_code=201, responses=problems(400, 401, 403, 422),
             summary="Load an export of your agency's through a bundled profile (stewards)")  # fmt: skip
def upload(
    db: Db,
    viewer: Viewer,
    purpose: Purpose,
    file: UploadFile,
    profile: Annotated[str, Form(min_length=1, max_length=100, description="A bundled profile's name.")],
) -> LoadReport:
    report = stewardship.upload(db, viewer, purpose, profile, file.filename, file.file)
    after_loads(db, [report])  # found by search at once, and watches told
    return report
