"""The lead rules over a crafted set, on SQLite and PostgreSQL: an FGR seizure's detainee who is a
subject of an HSI case makes a lead for HSI, routed to the BEST of the seizure's state; a detention
HSI may not see makes a pointer lead; a record released to no one makes none. Then the workflow:
only the agency told may read and work its leads, every step is recorded, overdue leads escalate."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.leads.figures import figures
from puente.leads.generate import generate
from puente.leads.workflow import (
    InboxFilter,
    LeadError,
    LeadMissing,
    act,
    assign,
    close,
    comment,
    escalate,
    inbox,
    read,
)
from puente.policy.access import Refused
from puente.policy.principals import Role, save
from puente.resolve.batch import resolve_persons
from puente.resolve.review import decide
from puente.samples import sample_files
from puente.search import refresh
from puente.settle import after_loads
from puente.store.schema import leads
from puente.watch.watches import add, check
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, FGR, PURPOSE, person

HSI = person("ines.hsi", "US/HSI", Role.ANALYST)
HSI_BOSS = person("rosa.hsi", "US/HSI", Role.SUPERVISOR)
DETAINEE = "MX/FGR:person:FGR-TAM-2023-0117-1"
SEIZURE = "MX/FGR:seizure:FGR-TAM-2023-0117"
CASE = "US/HSI:case:DL55QR0000001"
SECRET = "SECRETO-ATF-9c1d"
CASE_ROWS = (
    "CASE_NUMBER,CASE_TITLE,OPENED,STATUS,CASE_TYPE,CASE_AGENT,SUBJECT_NO,SUBJECT_LAST,SUBJECT_FIRST,"
    "SUBJECT_DOB,SUBJECT_CITIZENSHIP,SUBJECT_PHONE\n"
    "DL55QR0000001,Operation Iron River,2023-01-02,OPEN,Firearms trafficking,SA J. Ortiz,1,Hernandez Gomez,"
    "Jose Luis,1988-03-04,MX,\n"
)
GN_ROWS = (
    "IPH,NUM,NOMBRE_COMPLETO,EDAD,FECHA_DETENCION,ALIAS,SEXO,MUNICIPIO,ESTADO,MOTIVO\n"
    "IPH-77,1,José Luis Hernández Gómez,35,10/05/2023,El Güero,H,Reynosa,Tamaulipas,Portación de arma\n"
)
HIDDEN = """
name: atf-informants
title: {en: Informants, es: Informantes}
agency: US/ATF
format: csv
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: person
    id: "{ID}"
    fields:
      name: NAME
      birth_date: DOB
      remarks: NOTE
"""


def _fgr_sample():
    return next((p, n) for p, n in sample_files() if n == "fgr-aseguramientos")


def crafted(db, tmp_path):
    """HSI's case names the FGR sample's detainee; GN detained him too; ATF holds a secret on him."""
    path, profile = _fgr_sample()
    ingest_file(db, write(tmp_path, CASE_ROWS, "cases.csv"), load_profile("hsi-cases"))
    ingest_file(db, path, load_profile(profile))
    ingest_file(db, write(tmp_path, GN_ROWS, "gn.csv"), load_profile("gn-detenidos"))
    rows = f"ID,NAME,DOB,NOTE\nI-1,José Luis Hernández Gómez,1988-03-04,{SECRET}\n"
    ingest_file(db, write(tmp_path, rows, "informants.csv"), parse_profile(HIDDEN, "atf-informants"))
    resolve_persons(db)
    # the people who may see both sides of each pair say they are one man
    decide(db, HSI, "US/HSI:person:DL55QR0000001-1", DETAINEE, "same", PURPOSE)
    decide(db, FGR, "MX/GN:person:IPH-77-1", DETAINEE, "same", PURPOSE)
    decide(db, ATF, "US/ATF:person:I-1", DETAINEE, "same", PURPOSE)
    resolve_persons(db)
    refresh(db)
    with db.engine.begin() as conn:
        for p in (HSI, HSI_BOSS, FGR, ATF):
            save(conn, p)
    return db


def _rows(db):
    with db.engine.connect() as conn:
        return conn.execute(select(leads).order_by(leads.c.id)).all()


def test_a_mexican_seizure_of_a_us_case_subject_makes_a_routed_lead_and_a_secret_makes_none(db, tmp_path):
    crafted(db, tmp_path)
    assert generate(db) == 2
    rows = _rows(db)
    assert {(r.rule, r.recipient, r.target_ref, r.source_record_id) for r in rows} == {
        ("case_subject", "US/HSI", CASE, SEIZURE),
        ("case_subject", "US/HSI", CASE, "MX/GN:person:IPH-77-1"),  # a detention list's row is its event
    }
    seizure = next(r for r in rows if r.source_record_id == SEIZURE)
    assert seizure.task_force == "BEST-RIO-GRANDE-VALLEY"  # Tamaulipas, by the routing data
    assert seizure.agent == "SA J. Ortiz" and seizure.priority == 1 and seizure.status == "new"
    assert generate(db) == 0  # told once

    views = {v.evidence[0].holder: v for v in inbox(db, HSI, PURPOSE)}
    fgr_lead, gn_lead = views["MX/FGR"], views["MX/GN"]
    assert "seizure held by MX/FGR" in fgr_lead.en and "aseguramiento de MX/FGR" in fgr_lead.es
    assert "DL55QR0000001" in fgr_lead.en and "DL55QR0000001" in fgr_lead.es
    assert fgr_lead.evidence[0].record_id == SEIZURE
    # GN's detention is MX's alone: HSI learns that GN holds something, and whom to ask
    assert gn_lead.evidence[0].record_id is None and gn_lead.evidence[0].contact_en
    assert "A record held by MX/GN" in gn_lead.en and "Reynosa" not in gn_lead.en + gn_lead.es
    everything = repr(inbox(db, HSI, PURPOSE)) + repr([read(db, HSI, PURPOSE, r.id) for r in rows])
    assert SECRET not in everything and "US/ATF:person:I-1" not in everything
    assert inbox(db, FGR, PURPOSE) == [] and inbox(db, ATF, PURPOSE) == []  # told to HSI only
    for r in rows:
        with pytest.raises(LeadMissing):
            read(db, FGR, PURPOSE, r.id)


def test_the_workflow_is_recorded_and_only_the_agency_told_may_work_it(db, tmp_path):
    crafted(db, tmp_path)
    generate(db, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))  # long overdue
    lead_id = next(r.id for r in _rows(db) if r.source_record_id == SEIZURE)
    with pytest.raises(LeadMissing):
        assign(db, FGR, PURPOSE, lead_id)  # another agency's lead looks like no lead
    with pytest.raises(Refused):
        assign(db, HSI, PURPOSE, lead_id, "rosa.hsi")  # only a supervisor gives a lead to someone
    with pytest.raises(LeadError):
        assign(db, HSI_BOSS, PURPOSE, lead_id, "ana.fgr")  # not of the agency
    assign(db, HSI_BOSS, PURPOSE, lead_id, "ines.hsi")
    assert [v.id for v in inbox(db, HSI, PURPOSE, InboxFilter(mine=True))] == [lead_id]
    assert escalate(db) == 2 and escalate(db) == 0  # both leads overdue, escalated once
    comment(db, HSI, PURPOSE, lead_id, "Vehicle seen at Pharr bridge")
    act(db, HSI, PURPOSE, lead_id, "Interviewed the subject")
    close(db, HSI, PURPOSE, lead_id, "arrest", "Arrested in McAllen")
    with pytest.raises(LeadError):
        act(db, HSI, PURPOSE, lead_id, "again")  # a closed lead stays closed
    with pytest.raises(LeadError):
        close(db, HSI, PURPOSE, lead_id, "party")
    view = read(db, HSI, PURPOSE, lead_id)
    assert view.status == "closed" and view.outcome == "arrest" and view.escalated
    assert [h["kind"] for h in view.history] == ["created", "assigned", "escalated", "comment", "actioned",
                                                 "closed"]  # fmt: skip
    numbers = figures(db, HSI, PURPOSE)
    assert numbers.leads == 2 and numbers.by_outcome == {"arrest": 1} and numbers.overdue_escalated == 2
    assert numbers.lead_to_action_hours is not None and numbers.lead_to_action_hours >= 30 * 24 - 1
    assert figures(db, FGR, PURPOSE).leads == 0


def test_a_watch_met_by_another_agencys_record_is_a_lead_for_its_watcher(db, tmp_path):
    with db.engine.begin() as conn:
        save(conn, HSI)
    add(db, HSI, PURPOSE, "identifier", "899 123 4567", label="Reynosa phone")
    path, profile = _fgr_sample()
    report = ingest_file(db, path, load_profile(profile))
    settled = after_loads(db, [report])  # the index, the watches and the rules, as every face does
    assert settled.watch_hits >= 1 and settled.leads >= 1
    watch_leads = [v for v in inbox(db, HSI, PURPOSE) if v.rule == "watch"]
    assert watch_leads and all(v.assignee == "ines.hsi" and v.status == "assigned" for v in watch_leads)
    assert "Reynosa phone" in watch_leads[0].en and "Reynosa phone" in watch_leads[0].es
    assert check(db) == 0 and generate(db) == 0


def test_a_match_the_model_could_not_settle_is_a_possible_lead_until_an_analyst_decides(db, tmp_path):
    path, profile = _fgr_sample()
    ingest_file(db, write(tmp_path, CASE_ROWS, "cases.csv"), load_profile("hsi-cases"))
    ingest_file(db, path, load_profile(profile))
    resolve_persons(db)
    refresh(db)
    # name and birth date alone leave HSI's subject and FGR's detainee to review: a possible lead
    assert generate(db) >= 1
    possible = [r for r in _rows(db) if r.rule == "possible_subject"]
    assert {(r.recipient, r.target_ref, r.source_record_id, r.priority) for r in possible} == {
        ("US/HSI", CASE, SEIZURE, 3)
    }
    view = read(db, HSI, PURPOSE, possible[0].id)
    assert "who may be" in view.en and "Confirm or reject" in view.en and "podría ser" in view.es
    # an analyst says they are one man: the confirmed lead supersedes the possible one
    decide(db, HSI, "US/HSI:person:DL55QR0000001-1", DETAINEE, "same", PURPOSE)
    resolve_persons(db)
    assert generate(db) >= 1
    view = read(db, HSI, PURPOSE, possible[0].id)
    assert (
        view.status == "closed"
        and view.outcome == "superseded"
        and "superseded by lead" in view.history[-1]["text"]
    )
    decide(db, HSI, "US/HSI:person:DL55QR0000001-1", DETAINEE, "different", PURPOSE)
    resolve_persons(db)
    with db.engine.begin() as conn:
        conn.execute(leads.delete())
    assert generate(db) == 0  # decided: no longer possible


CARPETA_ROWS = (
    "CARPETA;DELITO;FECHA_INICIO;ESTATUS;AGENTE_MP;NUM_IMPUTADO;NOMBRE;APELLIDO_PATERNO;APELLIDO_MATERNO;"
    "ALIAS;FECHA_NACIMIENTO;SEXO;NACIONALIDAD;CURP;TELEFONO\n"
    "FED/TAM/REY/0000077/2023;Tráfico de armas de fuego;01/03/2023;EN TRÁMITE;Lic. A. Treviño;1;José Luis;"
    "Hernández;Gómez;;04/03/1988;H;México;HEGJ880304HCHRML07;\n"
)


def test_a_subject_of_another_case_is_for_target_deconfliction_not_a_lead(db, tmp_path):
    crafted(db, tmp_path)
    path = tmp_path / "carpetas.csv"
    path.write_bytes(CARPETA_ROWS.encode("latin-1"))
    ingest_file(db, path, load_profile("fgr-carpetas"))
    resolve_persons(db)
    decide(db, FGR, "MX/FGR:person:FED/TAM/REY/0000077/2023-1", DETAINEE, "same", PURPOSE)
    resolve_persons(db)
    refresh(db)
    generate(db)
    subjects = {"MX/FGR:person:FED/TAM/REY/0000077/2023-1", "US/HSI:person:DL55QR0000001-1"}
    rows = _rows(db)
    assert not {r.source_record_id for r in rows} & subjects  # each case is told of the other otherwise
    # FGR's carpeta is told of GN's detention (MX may see it); HSI's case of FGR's seizure, as before
    assert ("MX/FGR", "MX/GN:person:IPH-77-1") in {(r.recipient, r.source_record_id) for r in rows}
    assert ("US/HSI", SEIZURE) in {(r.recipient, r.source_record_id) for r in rows}


ASSOCIATES = """
name: cbp-secondary
title: {en: Secondary inspections, es: Revisiones secundarias}
agency: US/CBP
format: csv
phone_region: MX
markings: {releasable_to: [US], disclosure: pointer}
records:
  - type: seizure
    key: seizure
    id: "{ID}"
    fields:
      seized_on: DAY
      port: {value: HIDALGO}
    relations:
      - {kind: subject, to: person}
  - type: person
    key: person
    id: "{ID}-1"
    fields:
      name: NAME
      phones[0]: TEL
"""


def test_a_person_sharing_a_phone_with_a_case_subject_is_a_network_lead(db, tmp_path):
    from puente.resolve.batch import resolve_contacts

    crafted(db, tmp_path)  # HSI's subject is FGR's detainee, whose phone is 899 123 4567
    rows = (
        "ID,DAY,NAME,TEL\nS-1,2023-06-01,Pedro Soto Ruiz,899 123 4567\nS-2,2023-06-02,Ana Lima,656 555 0100\n"
    )
    ingest_file(db, write(tmp_path, rows, "secondary.csv"), parse_profile(ASSOCIATES, "cbp-secondary"))
    resolve_persons(db)
    resolve_contacts(db, "phone")
    refresh(db)
    generate(db)
    network = [r for r in _rows(db) if r.rule == "network"]
    assert {(r.recipient, r.target_ref, r.source_record_id) for r in network} == {
        ("US/HSI", CASE, "US/CBP:seizure:S-1")  # the associate's seizure; not the stranger's
    }
    view = read(db, HSI, PURPOSE, network[0].id)
    assert "shares a phone number with" in view.en and "comparte un número de teléfono" in view.es
    assert view.task_force == "BEST-RIO-GRANDE-VALLEY"  # Hidalgo
