"""The API over a real database (SQLite and PostgreSQL): token auth, the purpose of use, one
problem shape in English or Spanish, records and entities as each viewer may see them, pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from puente.api import create_app
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.policy import auth
from puente.policy.principals import save
from puente.resolve.batch import resolve_persons
from puente.samples import sample_files
from puente.search import refresh
from tests.policy.test_access import ATF, CANARY, CANARY_NEIGHBOURS, FGR, PURPOSE, SEARCHES, seed_canary

PROBLEM = "application/problem+json"


def serving(db, *principals):
    """A test client of the API over ``db``, and an API token for each principal (saved first)."""
    with db.engine.begin() as conn:
        for principal in principals:
            save(conn, principal)
    tokens = {p.user_id: auth.create_token(db, "system", p.user_id, "tests")[1] for p in principals}
    return TestClient(create_app(db)), tokens


@pytest.fixture
def api(db, tmp_path):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    seed_canary(db, tmp_path)
    resolve_persons(db)
    return serving(db, ATF, FGR)


def headers(token, purpose=PURPOSE, lang="en"):
    out = {"Authorization": f"Bearer {token}", "Accept-Language": lang}
    if purpose is not None:
        out["X-Purpose-Of-Use"] = purpose
    return out


def test_openapi_is_published(api):
    client, _ = api
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/records", "/api/v1/records/{record_id}", "/api/v1/entities", "/api/v1/status"} <= set(
        spec["paths"]
    )


def test_no_token_a_wrong_token_and_no_purpose_are_problems_in_the_callers_language(api):
    client, tokens = api
    missing = client.get("/api/v1/records")
    assert missing.status_code == 401 and missing.headers["content-type"].startswith(PROBLEM)
    assert missing.json()["status"] == 401 and "Bearer" in missing.json()["detail"]
    wrong = client.get("/api/v1/records", headers=headers("pte_0123456789abcdef_nope", lang="es"))
    assert wrong.status_code == 401 and wrong.json()["detail"] == "token de API desconocido"
    assert wrong.headers["content-language"] == "es"
    aimless = client.get("/api/v1/records", headers=headers(tokens[FGR.user_id], purpose=None, lang="es-MX"))
    assert aimless.status_code == 403 and "propósito" in aimless.json()["detail"]
    bad = client.get("/api/v1/records?limit=0", headers=headers(tokens[FGR.user_id]))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.limit"
    lost = client.get("/api/v1/nowhere", headers=headers(tokens[FGR.user_id], lang="es"))
    assert lost.status_code == 404 and lost.json()["detail"] == "no existe esa ruta"


def test_each_viewer_gets_the_records_they_may_see_and_pages_that_join_up(api):
    client, tokens = api
    seen, text = {}, {}
    for user, token in tokens.items():
        items, after = [], None
        while True:
            page = client.get("/api/v1/records", params={"limit": 7, **({"after": after} if after else {})},
                              headers=headers(token)).json()  # fmt: skip
            items += page["items"]
            after = page["next"]
            if after is None:
                break
        whole = client.get("/api/v1/records", params={"limit": 1000}, headers=headers(token)).json()["items"]
        assert [r["record_id"] for r in items] == [r["record_id"] for r in whole]
        seen[user] = {r["record_id"] for r in items}
        text[user] = repr(items)
    assert seen[ATF.user_id] != seen[FGR.user_id]
    assert CANARY in text[ATF.user_id] and CANARY not in text[FGR.user_id]
    counts = client.get("/api/v1/status", headers=headers(tokens[FGR.user_id])).json()
    assert sum(c["count"] for c in counts) == len(seen[FGR.user_id])


def test_one_record_whole_as_nothing_or_as_a_pointer(api):
    client, tokens = api
    atf, fgr = headers(tokens[ATF.user_id]), headers(tokens[FGR.user_id])
    hidden = "US/ATF:case:C-1"  # the canary case, marked for no one else and no pointer
    assert client.get(f"/api/v1/records/{hidden}", headers=atf).json()["owner"] == "US/ATF"
    nothing = client.get(f"/api/v1/records/{hidden}", headers=fgr)
    unknown = client.get("/api/v1/records/US/ATF:case:no-such", headers=fgr)
    assert nothing.status_code == unknown.status_code == 404
    assert nothing.json()["detail"] == unknown.json()["detail"]
    assert CANARY not in nothing.text
    mine = next(iter(client.get("/api/v1/records", params={"limit": 1}, headers=fgr).json()["items"]))
    one = client.get(f"/api/v1/records/{mine['record_id']}", headers=fgr).json()
    assert {k: v for k, v in one.items() if k not in ("markings", "provenance")} == {
        k: v for k, v in mine.items() if k not in ("markings", "provenance")
    }
    assert one["markings"]["owner"] == "MX/FGR" and one["provenance"]["row"] >= 1


def test_entities_are_what_the_viewer_may_see_of_them(api):
    client, tokens = api
    for user, token in tokens.items():
        page = client.get("/api/v1/entities", params={"limit": 1000}, headers=headers(token))
        assert page.status_code == 200 and page.json()["items"]
        if user != ATF.user_id:
            assert CANARY not in page.text
    wrong = client.get("/api/v1/entities", params={"kind": "planet"}, headers=headers(tokens[FGR.user_id]))
    assert wrong.status_code == 422


def test_leak_harness_over_every_endpoint(db, tmp_path):
    """Every GET endpoint, as each viewer: the canary records of ATF (a case, an informant with a
    phone and a home, a gun) show to ATF only."""
    from tests.policy.test_access import (
        VIEWERS,
        seed_contact_canary,
        seed_lead_canary,
        seed_operation_canary,
        seed_trace_canary,
    )

    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    seed_canary(db, tmp_path)
    seed_contact_canary(db, tmp_path)
    seed_trace_canary(db, tmp_path)
    seed_operation_canary(db)
    resolve_persons(db)
    refresh(db)
    seed_lead_canary(db, tmp_path)
    client, tokens = serving(db, *VIEWERS)
    spec = client.get("/api/v1/openapi.json").json()
    gets = sorted(p for p, ops in spec["paths"].items() if "get" in ops)
    assert gets == [f"/api/v1/{p}" for p in (
        "access-requests", "audit/views", "deconfliction-alerts", "entities", "lead-figures", "leads",
        "leads/{lead_id}", "me", "network/communities", "network/communities/{number}/timeline",
        "network/entities", "network/entities/{entity_id}", "network/entities/{entity_id}/export",
        "network/paths", "operations",
        "principals", "profiles/{record_id}", "quarantine", "records", "records/{record_id}", "runs",
        "runs/{run_id}", "screen-rates", "search", "status", "trace-events", "traces", "traces/patterns",
        "traces/ranking", "traces/{trace_id}", "watch-hits", "watches",
    )]  # fmt: skip
    # the link chart entities ATF's informant and gun are in: every other viewer asks for them too
    atf = headers(tokens[ATF.user_id])
    named = [client.get("/api/v1/network/entities", params={"q": q}, headers=atf).json()
             for q in ("Juan Perez", "1-AB4512-19")]  # fmt: skip
    secret = [f["id"] for found in named for f in found]
    assert secret
    for viewer in VIEWERS:
        h = headers(tokens[viewer.user_id])
        plain = ("/api/v1/status", "/api/v1/access-requests", "/api/v1/me", "/api/v1/principals")
        answers = [client.get(path, headers=h).text for path in plain]
        answers.append(client.get("/api/v1/audit/views", params={"limit": 1000}, headers=h).text)
        answers.append(client.get("/api/v1/quarantine", params={"status": "all"}, headers=h).text)
        runs = client.get("/api/v1/runs", params={"limit": 1000}, headers=h)
        answers += [runs.text] + [client.get(f"/api/v1/runs/{n}", headers=h).text for n in range(1, 30)]
        if runs.status_code == 200:  # a steward: the agency's own loads only, and there are some
            assert runs.json() and {r["owner"] for r in runs.json()} == {viewer.agency}
        answers.append(client.get("/api/v1/records", params={"limit": 1000}, headers=h).text)
        for path in ("traces", "traces/patterns", "traces/ranking", "trace-events", "operations",
                     "deconfliction-alerts", "watch-hits", "watches", "leads", "lead-figures", "screen-rates",
                     *(f"traces/{n}" for n in range(1, 12)),
                     *(f"leads/{n}" for n in range(1, 12))):  # fmt: skip
            answers.append(client.get(f"/api/v1/{path}", headers=h).text)
        for kind in ("person", "firearm", "vehicle", "organization", "phone", "address"):
            page = client.get("/api/v1/entities", params={"kind": kind, "limit": 1000}, headers=h)
            answers.append(page.text)
        for q in SEARCHES:
            answer = client.get("/api/v1/search", params={"q": q, "limit": 100}, headers=h).json()
            answer.pop("query", None)  # the caller's own words
            answers.append(repr(answer))
        for record_id in ("US/ATF:case:C-1", f"US/ATF:person:{CANARY}", f"US/ATF:firearm:{CANARY}-gun",
                          *CANARY_NEIGHBOURS):  # fmt: skip
            for path in ("records", "profiles"):
                answer = client.get(f"/api/v1/{path}/{record_id}", headers=h).json()
                answer.pop("instance", None)  # a problem names the path asked for: the caller's own words
                answers.append(repr(answer))
        answers += network_answers(client, h, secret)
        text = "\n".join(answers)
        if viewer.agency == "US/ATF":
            assert text.count(CANARY) >= 4, text[:500]  # armed: the owner sees it on every path
            assert CANARY in "\n".join(network_answers(client, h, secret))  # ... its link charts too
            assert CANARY in "\n".join(answers[-2 * (3 + len(CANARY_NEIGHBOURS)) - len(SEARCHES) :])
        else:
            assert CANARY not in text, viewer.user_id


def network_answers(client, h, secret):
    """The link-analysis endpoints: communities and their timelines, the entities the harness's
    searches name and the secret ones, their neighbourhoods, exports and the paths between them."""
    out = [client.get("/api/v1/network/communities", params={"min_persons": 1, "limit": 500}, headers=h).text]
    out += [client.get(f"/api/v1/network/communities/{n}/timeline", headers=h).text for n in range(1, 8)]
    found = []
    for q in SEARCHES:
        answer = client.get("/api/v1/network/entities", params={"q": q}, headers=h)
        out.append(answer.text)
        found += [f["id"] for f in answer.json()] if answer.status_code == 200 else []
    starts = list(dict.fromkeys(found + secret))
    for start in starts:
        chart = client.get(f"/api/v1/network/entities/{start}", params={"depth": 3}, headers=h).json()
        chart.pop("instance", None)  # a problem names the path asked for: the caller's own words
        out.append(repr(chart))
        for form in ("graphml", "ftm"):
            exported = client.get(
                f"/api/v1/network/entities/{start}/export", params={"format": form}, headers=h
            )
            out.append(exported.text if exported.status_code == 200 else repr(exported.json().get("detail")))
    for a in starts[:5]:
        for b in starts[:5]:
            answer = client.get("/api/v1/network/paths", params={"from": a, "to": b}, headers=h).json()
            out.append(repr(answer.get("paths", answer.get("detail"))))
    return out
