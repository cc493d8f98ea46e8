"""Schemathesis against the published OpenAPI: generated requests, valid and not, never get a
5xx, and every answer matches the schema (problems included). Run as a signed-in analyst with a
purpose, over the samples in an SQLite file of its own (the app is built when the module is
collected: Schemathesis reads the schema from it to make the tests)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from puente.api import create_app
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.policy import auth
from puente.policy.principals import save
from puente.resolve.batch import resolve_persons
from puente.samples import sample_files
from puente.store import connect
from tests.policy.test_access import FGR, PURPOSE


def _app_and_token():
    folder = Path(tempfile.mkdtemp(prefix="puente-schema-"))
    db = connect(f"sqlite:///{folder / 'api.db'}", blob_dir=folder / "files")
    db.upgrade()
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    resolve_persons(db)
    with db.engine.begin() as conn:
        save(conn, FGR)
    return create_app(db), auth.create_token(db, "system", FGR.user_id, "schemathesis")[1]


APP, TOKEN = _app_and_token()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_answers_that_match_the_schema(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}", "X-Purpose-Of-Use": PURPOSE})
