"""End to end in a real browser (Debian's Chromium through Playwright) against `puente serve` on a
loopback port: a US and a Mexican analyst search a Spanish name typed without accents, open the
profile and see different records and a pointer; the language switches; a steward uploads a file
with bad rows and reads the quarantine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from puente.store import connect
from tests.policy.test_access import ATF, FGR
from tests.web.test_pages import FGR_STEWARD, PASSWORD, seeded

CHROMIUM = "/usr/bin/chromium"
SERVED: dict[str, object] = {}  # the served database, for a test that loads data while a page is open
DETAINEE = "MX/FGR:person:FGR-TAM-2023-0117-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'puente.db'}"
    SERVED.update(url=url, folder=folder)
    db = connect(url, blob_dir=folder / "files")
    db.upgrade()
    seeded(db, folder)
    db.dispose()
    port = _free_port()
    env = {**os.environ, "PUENTE_DATA_DIR": str(folder)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "puente", "serve", "--port", str(port), "--db", url],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(
                    f"puente serve did not start: {proc.stdout.read().decode() if proc.stdout else ''}"
                )
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "Debian's chromium is installed by 'make test' (scripts/setup test)"
    with sync_playwright() as p:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses its sandbox as root
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield chromium
        chromium.close()


def log_in(browser, base, user_id, lang="en-US", purpose="BEST Laredo case DL12QR"):
    context = browser.new_context(locale=lang, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/search")
    assert "/login" in page.url
    page.fill("#user_id", user_id)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_url(f"{base}/search")
    if purpose:  # else the first search states it
        page.fill("#purpose-bar", purpose)
        page.press("#purpose-bar", "Enter")
        page.wait_for_url(f"{base}/search")
    return page


def search_and_open(page, query):
    page.fill("#q", query)
    if page.locator("#purpose-search").count():
        page.fill("#purpose-search", "BEST Laredo case DL12QR")
    page.press("#q", "Enter")
    page.wait_for_selector("#results-h")
    hit = page.locator(".hit", has_text="Hernández Gómez").first
    assert hit.is_visible()
    hit.locator(".hit-title").click()
    page.wait_for_selector("#records-h")
    return page


def test_two_analysts_see_different_records_and_a_pointer(server, browser):
    us = search_and_open(log_in(browser, server, ATF.user_id, purpose=""), "jose luis hernandez gomez")
    mx = search_and_open(log_in(browser, server, FGR.user_id, lang="es-MX"), "jose luis hernandez gomez")
    us_records = set(us.locator("tr.member code").all_inner_texts())
    mx_records = set(mx.locator("tr.member code").all_inner_texts())
    assert DETAINEE in us_records and DETAINEE in mx_records
    assert "US/HSI:person:H-9" in us_records and "US/HSI:person:H-9" not in mx_records
    pointer = mx.locator("li.pointer", has_text="US/HSI:person:H-9")
    assert pointer.is_visible() and pointer.locator("button").is_visible()  # request access
    assert us.locator("li.pointer", has_text="US/HSI:person:H-9").count() == 0
    assert mx.locator("html").get_attribute("lang") == "es"  # the browser asked for Spanish
    assert "Registros" in mx.inner_text("#records-h")
    # the Mexican analyst asks the holder for access from the pointer
    pointer.locator("input[name=reason]").fill("mismo detenido, carpeta FED/TAM/REY/0001234/2023")
    pointer.locator("button").click()
    mx.wait_for_url("**/requests?sent=1")
    assert "US/HSI:person:H-9" in mx.inner_text("main")


def test_the_language_switches_on_every_page(server, browser):
    page = log_in(browser, server, FGR.user_id)
    page.goto(f"{server}/record/{DETAINEE}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Provenance" in page.inner_text("#provenance-h")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=es]")
    assert "Procedencia" in page.inner_text("#provenance-h") and DETAINEE in page.url
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")


def test_a_steward_uploads_a_file_with_bad_rows_and_reads_the_quarantine(server, browser, tmp_path):
    rows = ("FOLIO;FECHA_ASEGURAMIENTO;TIPO_EVENTO;MUNICIPIO;ESTADO;NUM_DETENIDO;NOMBRE;APELLIDO_PATERNO\n"
            "FGR-PW-1;31/02/2023;Cateo;Reynosa;Tamaulipas;1;Pedro;Páramo\n"
            "FGR-PW-2;01/03/2023;Cateo;Reynosa;Tamaulipas;1;Juan;Preciado\n"
            "FGR-PW-3;02/03/2099;Cateo;Reynosa;Tamaulipas;1;Susana;San Juan\n")  # fmt: skip
    export = tmp_path / "aseguramientos-marzo.csv"
    export.write_bytes(rows.encode("latin-1"))
    page = log_in(browser, server, FGR_STEWARD.user_id, lang="es-MX", purpose="carga mensual")
    page.click("text=Cargar archivo")
    page.select_option("#profile", "fgr-aseguramientos")
    page.set_input_files("#file", str(export))
    page.click("button.primary")
    page.wait_for_selector("tr.run.status-completed", timeout=30_000)
    run = page.locator("tr.run", has_text="aseguramientos-marzo.csv").first
    assert "terminada" in run.inner_text()
    run.locator("a", has_text="2").click()  # the quarantined rows
    page.wait_for_selector("#quarantine")
    table = page.inner_text("#quarantine")
    assert "FGR-PW-1" in table and "FGR-PW-3" in table and "FGR-PW-2" not in table
    assert "fecha" in table.lower()  # the reason, in Spanish
    with page.expect_download() as download:
        page.click("a.button[download]")
    assert "FGR-PW-1" in Path(download.value.path()).read_text(encoding="utf-8")


def test_a_firearm_is_submitted_traced_and_shown_on_the_dashboard(server, browser):
    page = log_in(browser, server, ATF.user_id, lang="es-MX")
    page.click("a[href='/traces']")
    page.wait_for_selector("#trace-submit")
    page.fill("#make", "Glok")  # misspelt: the completeness check suggests the make
    page.fill("#model", "19")
    page.fill("#caliber", "9mm")
    page.fill("#serial", "ABC-123")
    page.fill("#recovered_on", "2023-05-01")
    page.select_option("#state", "MX-JAL")
    page.click("#trace-submit")
    page.wait_for_selector("#trace-status")
    assert "fallida" in page.inner_text("#trace-status")
    assert "marca" in page.inner_text("#trace-reason")
    assert "Glock" in page.inner_text("#trace-checks")  # ¿quiso decir Glock?
    page.click("a[href='/traces']")
    page.fill("#make", "Glock")
    page.fill("#serial", "ABC-123")
    page.fill("#recovered_on", "2023-05-01")
    page.click("#trace-submit")
    page.wait_for_selector("#trace-result")
    assert "completada" in page.inner_text("#trace-status")
    assert "HERRERA" in page.inner_text("#trace-purchaser")
    assert "menos de 3 años" in page.inner_text("#trace-indicators")
    page.click("a[href='/traces']")
    page.click("#trace-all")
    page.wait_for_selector("#bulk-done")
    page.click("#dashboard-link")
    page.wait_for_selector("#corridor-chart")
    assert page.locator("#corridor-chart rect").count() >= 1
    assert page.locator("#ttc-chart rect").count() == 5
    assert "HERRERA" in page.inner_text("#ranking")
    page.click("#switch-language")
    page.wait_for_selector("html[lang=en]")
    assert "Potential traffickers" in page.inner_text("main")


# A new FGR seizure whose detainee carries the phone the ATF analyst watches (Latin-1, ';', DMY)
NEW_SEIZURE = (
    "FOLIO;FECHA_ASEGURAMIENTO;TIPO_EVENTO;MUNICIPIO;ESTADO;CARPETA_INVESTIGACION;NUM_DETENIDO;NOMBRE;"
    "APELLIDO_PATERNO;APELLIDO_MATERNO;ALIAS;FECHA_NACIMIENTO;SEXO;CURP;TELEFONO;TIPO_ARMA;MARCA;MODELO;"
    "CALIBRE;MATRICULA;CARTUCHOS;OBSERVACIONES\n"
    "FGR-CHH-2024-0999;02/02/2024;Revisión;Juárez;Chihuahua;FED/CHH/JUA/0009999/2024;1;Raúl;Ochoa;Treviño;;"
    "12/12/1985;H;;656 555 0199;PISTOLA;Glock;17;9 mm;ZZQ123;30;\n"
)


def test_a_lead_arrives_live_in_the_inbox_and_is_assigned_actioned_and_closed(server, browser, tmp_path):
    from puente.ingest.pipeline import ingest_file
    from puente.ingest.profiles import load_profile
    from puente.settle import after_loads

    page = log_in(browser, server, ATF.user_id)
    page.goto(f"{server}/watches")
    page.fill("#watch-value", "656 555 0199")
    page.fill("#watch-label", "Juárez phone")
    page.click("#watch-add")
    page.wait_for_url(f"{server}/watches")
    assert "Juárez phone" in page.inner_text("#watches")
    page.goto(f"{server}/inbox")
    before = set(
        page.locator("#lead-rows tr[data-lead]").evaluate_all("rows => rows.map(r => r.dataset.lead)")
    )
    page.wait_for_timeout(1500)  # the page's event stream is open

    # FGR's data steward loads a new seizure while the page is open: the rules fire after the load
    path = tmp_path / "fgr.csv"
    path.write_bytes(NEW_SEIZURE.encode("latin-1"))
    db = connect(str(SERVED["url"]), blob_dir=Path(str(SERVED["folder"])) / "files")
    try:
        report = ingest_file(db, path, load_profile("fgr-aseguramientos"))
        assert after_loads(db, [report]).leads >= 1
    finally:
        db.dispose()
    page.wait_for_selector("#live:not([hidden])", timeout=15000)  # announced without a reload
    rows = page.locator("#lead-rows tr[data-lead]")
    page.wait_for_function(f"document.querySelectorAll('#lead-rows tr[data-lead]').length > {len(before)}")
    new = [n for n in rows.evaluate_all("rows => rows.map(r => r.dataset.lead)") if n not in before]
    assert new and "Juárez phone" in page.inner_text(f'tr[data-lead="{new[0]}"]')
    page.click(f'tr[data-lead="{new[0]}"] a')
    page.wait_for_selector("#lead-why")
    assert "Juárez phone" in page.inner_text("#lead-why")
    page.click("#take")
    page.wait_for_selector("#lead-history")
    assert page.inner_text("#lead-assignee") == ATF.user_id
    page.fill("#action-note", "Detainee interviewed; phone linked to a Phoenix purchaser")
    page.click("#act")
    page.wait_for_selector("#lead-status")
    assert page.inner_text("#lead-status") == "Actioned"
    page.select_option("#outcome", "seizure")
    page.fill("#close-note", "Two rifles seized")
    page.click("#close")
    page.wait_for_selector("#lead-outcome")
    assert page.inner_text("#lead-status") == "Closed" and page.inner_text("#lead-outcome") == "Seizure"
    history = page.inner_text("#lead-history")
    assert all(kind in history for kind in ("created", "assigned", "actioned", "closed"))
    assert page.locator("#take").count() == 0  # a closed lead is not worked again


def test_the_officers_console_shows_a_misread_plate_and_a_hit_to_contact_the_holder(server, browser):
    from tests.policy.test_access import CBP

    officer = log_in(browser, server, CBP.user_id)
    officer.goto(f"{server}/screen")
    officer.fill("#sc-plate", "8SB 1O85")  # the reader took B for 8 and 0 for O
    officer.fill("#sc-state", "US-TX")
    officer.click("#sc-check")
    officer.wait_for_selector("#screen-matches")
    hit = officer.inner_text("#screen-matches")
    assert "HONDA ACCORD" in hit and "confuse" in hit and "reported stolen in the US" in hit
    officer.locator("#screen-matches button[value=seized]").first.click()
    officer.wait_for_selector("#recorded")
    assert "Seized" in officer.inner_text("#recorded")

    analyst = log_in(browser, server, ATF.user_id, lang="es-MX")
    analyst.goto(f"{server}/screen")
    analyst.fill("#sc-plate", "RXP-44-12")  # REPUVE's car: its details are not released to ATF
    analyst.click("#sc-check")
    analyst.wait_for_selector("#screen-matches")
    told = analyst.inner_text("#screen-matches")
    assert "contacte al titular" in told and "JETTA" not in told


def test_a_link_chart_opens_from_a_profile_expands_and_finds_the_path_to_another_person(server, browser):
    analyst = search_and_open(log_in(browser, server, FGR.user_id), "jose luis hernandez gomez")
    analyst.click("#chart-link")
    analyst.wait_for_selector("#nw-svg .nw-node")
    start = analyst.get_attribute("#network", "data-start")
    assert analyst.locator(f'.nw-node[data-id="{start}"]').count() == 1
    assert "Hernández Gómez" in analyst.inner_text("#nw-detail h2")
    assert "seized together" in analyst.inner_text("#nw-links")  # each link says why, with its records
    before = analyst.locator(".nw-node").count()
    # expand the gun seized with him: the trace of that gun names its purchaser
    gun = analyst.locator(".nw-node.kind-firearm").first
    gun.locator("circle").click()
    analyst.click("#nw-expand")
    analyst.wait_for_function(f"document.querySelectorAll('.nw-node').length > {before}")
    assert analyst.locator(".nw-node", has_text="Ricardo Garza").count() == 1
    # hide the firearms, then show them again: a filter by kind
    analyst.uncheck('.nw-kind[value="firearm"]')
    assert analyst.locator(".nw-node.kind-firearm").count() == 0
    analyst.check('.nw-kind[value="firearm"]')
    # the path to another person, highlighted, each hop with its evidence
    analyst.fill("#nw-target", "Ricardo Garza")
    analyst.click("#nw-path-button")
    analyst.wait_for_selector("#nw-hops li.hop")
    hops = analyst.locator("#nw-hops li.hop").all_inner_texts()
    assert len(hops) == 2 and "seized together" in hops[0] and "firearm trace" in hops[1]
    assert analyst.locator(".nw-edge.on-path").count() == 2
    assert analyst.locator(".nw-node.on-path").count() == 3
    # pan and zoom move the drawing; the exports are offered
    transform = analyst.get_attribute("#nw-view", "transform")
    box = analyst.locator("#nw-svg").bounding_box()
    analyst.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    analyst.mouse.wheel(0, -300)
    moved = f"document.getElementById('nw-view').getAttribute('transform') !== '{transform}'"
    analyst.wait_for_function(moved)
    with analyst.expect_download() as graphml:
        analyst.click("#nw-graphml")
    assert start in graphml.value.path().read_text(encoding="utf-8")
