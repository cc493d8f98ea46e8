"""The web pages over a real database (SQLite and PostgreSQL): login, sessions and CSRF, the
purpose of use, both languages, and no page showing what its viewer may not see."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from puente.api import create_app
from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.policy import auth
from puente.policy.principals import Role, save
from puente.resolve.batch import resolve_persons, resolve_things
from puente.samples import sample_files
from puente.search import refresh
from tests.ingest.test_bad_input import write
from tests.policy.test_access import (
    ATF,
    CANARY,
    CANARY_NEIGHBOURS,
    CBP,
    FGR,
    PURPOSE,
    SEARCHES,
    VIEWERS,
    person,
    seed_canary,
    seed_contact_canary,
    seed_lead_canary,
    seed_operation_canary,
    seed_trace_canary,
)
from tests.search.test_profile import SAME_MAN_ROW
from tests.search.test_search import SUBJECTS
from tests.trace.test_engine import ACQUISITIONS

PASSWORD = "correct horse battery staple"
FGR_STEWARD = person("marta.fgr", "MX/FGR", Role.STEWARD)


def seeded(db, tmp_path):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    ingest_file(db, write(tmp_path, SAME_MAN_ROW, "same.csv"), parse_profile(SUBJECTS, "hsi-subjects"))
    seed_canary(db, tmp_path)
    seed_contact_canary(db, tmp_path)
    ingest_file(db, write(tmp_path, ACQUISITIONS, "acq.csv"), load_profile("atf-acquisitions"))
    seed_trace_canary(db, tmp_path)
    seed_operation_canary(db)
    resolve_persons(db)
    resolve_things(db, "firearm")
    refresh(db)
    seed_lead_canary(db, tmp_path)
    _stolen_cars(db, tmp_path)
    with db.engine.begin() as conn:
        for principal in (*VIEWERS, FGR_STEWARD):
            save(conn, principal)
    for principal in (*VIEWERS, FGR_STEWARD):
        auth.set_password(db, "system", principal.user_id, PASSWORD)
    return db


def _stolen_cars(db, tmp_path):
    """A stolen car in each nation's list (NCIC, REPUVE): the officer's console has hits to show."""
    from puente.screen.lanes import rebuild
    from tests.screen.test_check import NCIC, REPUVE

    ingest_file(db, write(tmp_path, NCIC, "ncic.csv"), load_profile("ncic-stolen-vehicles"))
    path = tmp_path / "repuve.csv"
    path.write_bytes(REPUVE.encode("cp1252"))
    ingest_file(db, path, load_profile("repuve-robados"))
    rebuild(db)


def signed_in(app, principal, lang="en"):
    client = TestClient(app, base_url="https://testserver", headers={"Accept-Language": lang})
    form = {"user_id": principal.user_id, "password": PASSWORD, "next": "/search"}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    client.get("/search", params={"q": "", "purpose": PURPOSE})
    return client


def csrf_of(client):
    return client.cookies.get("puente_csrf")


@pytest.fixture
def site(db, tmp_path):
    return create_app(seeded(db, tmp_path))


def test_a_visitor_is_sent_to_log_in_and_a_wrong_password_is_refused_in_their_language(site):
    client = TestClient(site, base_url="https://testserver")
    away = client.get("/profile/MX/FGR:person:FGR-TAM-2023-0117-1", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login?next=/profile/")
    wrong = client.post("/login", data={"user_id": FGR.user_id, "password": "nope"},
                        headers={"Accept-Language": "es-MX"})  # fmt: skip
    assert wrong.status_code == 401 and "contraseña" in wrong.text and 'lang="es"' in wrong.text
    assert 'role="alert"' in wrong.text
    form = {"user_id": FGR.user_id, "password": PASSWORD, "next": "https://evil.example/"}
    elsewhere = client.post("/login", data=form, follow_redirects=False)
    assert elsewhere.headers["location"] == "/search"  # never an open redirect
    cookie = elsewhere.headers.get_list("set-cookie")
    assert any("puente_session=" in c and "HttpOnly" in c and "SameSite=strict" in c and "Secure" in c
               for c in cookie)  # fmt: skip


def test_a_form_without_the_sessions_csrf_token_changes_nothing(site):
    client = signed_in(site, FGR)
    forged = client.post(
        "/requests", data={"record_id": "US/HSI:person:H-9", "reason": "x", "csrf": "forged"}
    )
    assert forged.status_code == 403
    asked = client.post("/requests", data={"record_id": "US/HSI:person:H-9", "reason": "same man",
                                           "csrf": csrf_of(client)})  # fmt: skip
    assert asked.status_code == 200 and "US/HSI:person:H-9" in asked.text


def test_search_profile_and_record_pages_differ_by_viewer(site):
    atf, fgr = signed_in(site, ATF), signed_in(site, FGR)
    for client in (atf, fgr):
        page = client.get("/search", params={"q": "jose luis hernandez"})
        assert page.status_code == 200 and "José Luis" in page.text
    us = atf.get("/profile/MX/FGR:person:FGR-TAM-2023-0117-1").text
    mx = fgr.get("/profile/MX/FGR:person:FGR-TAM-2023-0117-1").text
    assert (
        "US/HSI:person:H-9" in us and "US/HSI:person:H-9" in mx
    )  # a record to the one, a pointer to the other
    assert 'class="pointer"' in mx and 'class="pointer"' not in us
    hidden = fgr.get("/record/US/HSI:person:H-9")
    assert hidden.status_code == 200 and "US/HSI" in hidden.text and "Gomez" not in hidden.text
    unknown, canary = fgr.get("/record/US/ATF:case:no-such"), fgr.get("/record/US/ATF:case:C-1")
    assert unknown.status_code == canary.status_code == 404
    assert re.sub(r"no-such|C-1", "", unknown.text) == re.sub(r"no-such|C-1", "", canary.text)


def test_every_page_in_both_languages(site):
    client = signed_in(site, FGR_STEWARD, lang="es")
    pages = ["/search?q=jose", "/profile/MX/FGR:person:FGR-TAM-2023-0117-1",
             "/record/MX/FGR:person:FGR-TAM-2023-0117-1", "/requests", "/steward/upload", "/steward/runs",
             "/steward/quarantine", "/audit", "/traces", "/traces/dashboard", "/traces/1",
             "/operations", "/inbox", "/inbox?status=all", "/watches", "/screen"]  # fmt: skip
    for path in pages:
        spanish = client.get(path)
        assert spanish.status_code == 200 and 'lang="es"' in spanish.text, path
    switched = client.get("/lang/en", params={"next": "/requests"}, follow_redirects=False)
    assert switched.headers["location"] == "/requests"
    for path in pages:
        english = client.get(path)
        assert english.status_code == 200 and 'lang="en"' in english.text, path


def test_a_record_page_shows_markings_and_provenance(site):
    page = signed_in(site, FGR).get("/record/MX/FGR:seizure:FGR-TAM-2023-0117").text
    assert "fgr_aseguramientos.csv" in page and "fgr-aseguramientos" in page
    assert "MX, US/ATF, US/HSI" in page


def test_a_steward_uploads_follows_the_load_and_reads_the_quarantine(site):
    client = signed_in(site, FGR_STEWARD, lang="es")
    rows = ("FOLIO;FECHA_ASEGURAMIENTO;TIPO_EVENTO;MUNICIPIO;ESTADO;NUM_DETENIDO;NOMBRE;APELLIDO_PATERNO\n"
            "FGR-WEB-1;31/02/2023;Cateo;Reynosa;Tamaulipas;1;Pedro;Páramo\n"
            "FGR-WEB-2;01/03/2023;Cateo;Reynosa;Tamaulipas;1;Juan;Preciado\n").encode("latin-1")  # fmt: skip
    answer = client.post("/steward/upload", data={"profile": "fgr-aseguramientos", "csrf": csrf_of(client)},
                         files={"file": ("web.csv", rows, "text/csv")})  # fmt: skip
    assert answer.status_code == 200 and "web.csv" in answer.text
    quarantine = client.get("/steward/quarantine")
    assert "FGR-WEB-1" in quarantine.text and "31/02/2023" in quarantine.text
    exported = client.get("/steward/quarantine", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv") and "FGR-WEB-1" in exported.text
    assert "Preciado" in client.get("/search", params={"q": "juan preciado"}).text  # indexed at once
    analyst = signed_in(site, FGR)
    assert analyst.get("/steward/quarantine").status_code == 403
    other = signed_in(site, person("sam.hsi", "US/HSI", Role.STEWARD))
    assert "FGR-WEB-1" not in other.get("/steward/quarantine").text


def without(page, asked):
    """A page less the caller's own words echoed back (the query, the address asked for)."""
    from html import escape
    from urllib.parse import quote, quote_plus

    for form in {
        asked,
        escape(asked),
        quote(asked),
        quote(asked, safe=""),
        quote_plus(asked),
        quote(quote(asked)),
    }:
        page = page.replace(form, "")
    return page


def test_no_page_shows_a_canary_to_anyone_but_its_owner(site):
    """The leak harness over the pages: every search and page a viewer can open."""
    atf = signed_in(site, ATF)  # the link-chart entities ATF's informant and gun are in: all ask for them
    secret = [
        f["id"]
        for q in ("Juan Perez", "1-AB4512-19")
        for f in atf.get("/network/find", params={"q": q}).json()
    ]
    assert secret
    for viewer in VIEWERS:
        client = signed_in(site, viewer)
        texts = [without(client.get("/search", params={"q": q}).text, q) for q in SEARCHES]
        for record_id in ("US/ATF:case:C-1", f"US/ATF:person:{CANARY}", f"US/ATF:firearm:{CANARY}-gun",
                          *CANARY_NEIGHBOURS):  # fmt: skip
            for page in ("profile", "record"):
                answer = client.get(f"/{page}/{record_id}")
                texts.append(without(answer.text, record_id))
        texts += [client.get(p).text for p in ("/requests", "/audit", "/steward/runs", "/steward/quarantine")]
        texts += [
            client.get(p).text
            for p in ("/traces", "/traces/dashboard", *(f"/traces/{n}" for n in range(1, 12)))
        ]
        leads = (
            "/inbox?status=all",
            "/inbox/rows?status=all",
            "/watches",
            *(f"/leads/{n}" for n in range(1, 12)),
        )
        texts += [client.get(p).text for p in leads]
        texts += chart_pages(client, secret)
        text = "\n".join(texts)
        if viewer.agency == "US/ATF":
            assert text.count(CANARY) >= 3
            assert CANARY in "\n".join(chart_pages(client, secret))  # armed: its own link charts show it
        else:
            assert CANARY not in text, viewer.user_id


def chart_pages(client, secret):
    """The link chart's page and what it draws from: communities, the entities the harness's searches
    name and the secret ones, their neighbourhoods, exports and the paths between them."""
    texts = [client.get("/network").text] + [
        client.get("/network", params={"community": n}).text for n in range(1, 6)
    ]
    found = []
    for q in SEARCHES:
        answer = client.get("/network/find", params={"q": q})
        texts.append(answer.text)
        found += [f["id"] for f in answer.json()] if answer.status_code == 200 else []
    starts = list(dict.fromkeys(found + secret))
    for start in starts:
        texts.append(without(client.get("/network", params={"entity": start}).text, start))
        texts.append(client.get("/network/around", params={"entity": start, "depth": 3}).text)
        for form in ("graphml", "ftm"):
            texts.append(client.get("/network/export", params={"entity": start, "format": form}).text)
    for a in starts[:5]:
        for b in starts[:5]:
            texts.append(client.get("/network/path", params={"source": a, "target": b}).text)
    return texts


def test_search_filters_by_port_state_and_dates(site):
    client = signed_in(site, FGR)
    every = client.get("/search", params={"q": "1-AB4512-19"}).text
    assert "FGR-TAM-2023-0117" in every
    narrowed = client.get(
        "/search", params={"q": "1-AB4512-19", "state": "MX-TAM", "from": "2023-02-01"}
    ).text
    assert "FGR-TAM-2023-0117" in narrowed and 'value="MX-TAM" selected' in narrowed
    elsewhere = client.get("/search", params={"q": "1-AB4512-19", "state": "MX-SON"}).text
    assert "FGR-TAM-2023-0117" not in elsewhere.replace("1-AB4512-19", "")
    assert (
        client.get("/search", params={"q": "x", "from": "not a date"}).status_code == 200
    )  # ignored, said nothing


def test_a_firearm_is_traced_from_the_form_and_the_dashboard_explains_the_traces(site):
    analyst = person("ines.hsi", "US/HSI", Role.ANALYST, certificates=frozenset({"tracing"}))
    with site.state.db.engine.begin() as conn:
        save(conn, analyst)
    auth.set_password(site.state.db, "system", analyst.user_id, PASSWORD)
    client = signed_in(site, analyst, lang="es")
    form = {"make": "Glock", "model": "19", "caliber": "9mm", "serial": "abc 123",
            "recovered_on": "2023-05-01", "state": "MX-JAL", "city": "Guadalajara",
            "csrf": csrf_of(client)}  # fmt: skip
    answer = client.post("/traces", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/traces/")
    page = client.get(answer.headers["location"]).text
    assert "completada" in page and "Rio Guns" in page and "HERRERA" in page and "476" in page
    assert "menos de 3 años" in page  # an indicator, in Spanish
    failed = client.post("/traces", data={**form, "serial": "LIMADO"}, follow_redirects=True).text
    assert "fallida" in failed and "laboratorio" in failed
    bulk = client.post("/traces/bulk", data={"csrf": csrf_of(client)}, follow_redirects=True).text
    assert "solicitudes nuevas" in bulk
    dashboard = client.get("/traces/dashboard").text
    assert "<svg" in dashboard and "Corredores" in dashboard and "Laredo, US-TX" in dashboard
    assert "HERRERA" in dashboard  # the ranking names the purchaser, with reasons
    refused = signed_in(site, FGR).post("/traces", data={**form, "csrf": ""})
    assert refused.status_code == 403


def test_two_agencies_plan_overlapping_operations_on_the_page_and_each_is_told_whom_to_call(site):
    officer = person("ivan.fgr", "MX/FGR", Role.OFFICER)
    with site.state.db.engine.begin() as conn:
        save(conn, officer)
    auth.set_password(site.state.db, "system", officer.user_id, PASSWORD)
    us = signed_in(site, ATF)
    form = {"kind": "surveillance", "title": "Stash house on Calle 5", "start": "2027-01-05T00:00",
            "tz": "-6", "hours": "2", "latitude": "27.5060", "longitude": "-99.5075", "radius": "500",
            "csrf": csrf_of(us)}  # fmt: skip
    first = us.post("/operations", data=form, follow_redirects=True)
    assert first.status_code == 200 and "overlaps 0" in first.text and "Stash house" in first.text
    mx = signed_in(site, officer, lang="es")
    warrant = {**form, "kind": "search_warrant", "title": "Cateo", "latitude": "27.4861", "radius": "2000",
               "csrf": csrf_of(mx)}  # fmt: skip
    second = mx.post("/operations", data=warrant, follow_redirects=True).text
    assert "coincide con 1" in second and "llame a" in second and "Stash house" not in second
    assert "call" in us.get("/operations").text and "Cateo" not in us.get("/operations").text
    bad = mx.post("/operations", data={**warrant, "kind": "raid"})
    assert bad.status_code == 422 and "el tipo debe ser uno de" in bad.text
    analyst = signed_in(site, FGR)  # an analyst may plan too; a steward may not
    assert 'id="op-plan"' in analyst.get("/operations").text
    # the calendar and the map of what each may see; near a place, only what is near it
    page = us.get("/operations").text
    assert 'id="ops-calendar"' in page and "2027-01-05" in page and 'id="ops-map"' in page
    assert page.count("<ellipse") == 2 and "Cateo" not in page  # ATF's own two; not FGR's warrant
    near = mx.get("/operations", params={"lat": 27.48, "lon": -99.50, "km": 5}).text
    assert near.count("<ellipse") == 2 and 'id="ops-calendar"' in near  # the warrant, the place asked
    far = mx.get("/operations", params={"lat": 32.5, "lon": -117.0, "km": 5}).text
    assert far.count("<ellipse") == 1 and 'id="ops-calendar"' not in far  # only the place asked about


def test_a_lead_is_read_and_worked_from_its_page_by_its_agency_only(site):
    atf, fgr = signed_in(site, ATF, lang="es"), signed_in(site, FGR)
    inbox = atf.get("/inbox").text
    lead_id = int(re.search(r'data-lead="(\d+)"', inbox).group(1))  # the secret case's lead
    page = atf.get(f"/leads/{lead_id}").text
    why = re.search(r'id="lead-why">([^<]*)<', page).group(1)
    assert "Un registro de tipo aseguramiento de" in why and CANARY in why
    assert (
        fgr.get(f"/leads/{lead_id}").status_code == 404
        and "no such lead" in fgr.get(f"/leads/{lead_id}").text
    )
    assert fgr.post(f"/leads/{lead_id}/action", data={"note": "x", "csrf": csrf_of(fgr)}).status_code == 404
    acted = atf.post(f"/leads/{lead_id}/action", data={"note": "Entrevista", "csrf": csrf_of(atf)})
    assert acted.status_code == 200 and "Atendida" in acted.text and "Entrevista" in acted.text
    closed = atf.post(f"/leads/{lead_id}/close", data={"outcome": "arrest", "csrf": csrf_of(atf)})
    assert "Cerrada" in closed.text and "Detención" in closed.text
    again = atf.post(f"/leads/{lead_id}/action", data={"note": "otra", "csrf": csrf_of(atf)})
    assert again.status_code == 409 and "cerrada" in again.text
    forged = atf.post(f"/leads/{lead_id}/comments", data={"text": "x", "csrf": "forged"})
    assert forged.status_code == 403


def test_watches_are_added_listed_and_stopped_from_their_page(site):
    client = signed_in(site, FGR)
    added = client.post("/watches", data={"value": "3VWFE21C04M000001", "label": "Jetta robado",
                                          "csrf": csrf_of(client)})  # fmt: skip
    assert added.status_code == 200 and "Jetta robado" in added.text
    watch_id = re.search(r'action="/watches/(\d+)/stop"', added.text).group(1)
    stopped = client.post(f"/watches/{watch_id}/stop", data={"csrf": csrf_of(client)})
    assert 'action="/watches/' + watch_id + '/stop"' not in stopped.text
    short = client.post("/watches", data={"value": "-", "csrf": csrf_of(client)})
    assert short.status_code == 422 and 'id="watch-error"' in short.text


def test_the_officers_console_shows_a_hit_or_whom_to_contact(site):
    cbp, atf = signed_in(site, CBP), signed_in(site, ATF, lang="es")
    hit = cbp.post("/screen", data={"plate": "RXP4412", "csrf": csrf_of(cbp)}).text
    assert "JETTA" in hit and "stolen_mx" in hit and 'id="screen-matches"' in hit
    pointer = atf.post("/screen", data={"plate": "RXP4412", "csrf": csrf_of(atf)}).text
    assert "contacte al titular" in pointer and "JETTA" not in pointer
    hit_id = re.search(r'action="/screen/hits/(\d+)"', hit).group(1)
    done = cbp.post(f"/screen/hits/{hit_id}", data={"action": "inspected", "csrf": csrf_of(cbp)})
    assert done.status_code == 200 and 'id="recorded"' in done.text
    assert (
        cbp.post(f"/screen/hits/{hit_id}", data={"action": "inspected", "csrf": csrf_of(atf)}).status_code
        == 403
    )


def test_the_link_charts_communities_and_a_communitys_timeline(site):
    import re

    client = signed_in(site, FGR, lang="es")
    listed = client.get("/network").text
    assert "Comunidades en los registros que puede ver" in listed and 'href="/network?community=1"' in listed
    page = client.get("/network", params={"community": 1}).text
    assert "Lo que hizo la comunidad" in page and 'id="nw-timeline"' in page
    days = re.findall(r'<time datetime="([0-9-]+)">', page)
    assert days and days == sorted(days)
    unknown = client.get("/network", params={"entity": "EP-0000000000000000"}).text
    assert "No hay una entidad con ese nombre" in unknown
