"""The policy layer: who may do what, which records and fields each viewer sees, pointers, audit."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from sqlalchemy import func, select, true

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile, parse_profile
from puente.policy import access, audit
from puente.policy.access import OPERATIONS, Pointer, RecordView, Refused, authorize
from puente.policy.principals import Principal, Role, load, save
from puente.samples import sample_files
from puente.store.schema import audit_log
from tests.ingest.test_bad_input import write

PURPOSE = "BEST Laredo case DL12QR"


def person(user_id, agency, *roles, **extra):
    return Principal(user_id=user_id, name=user_id, agency=agency, roles=frozenset(roles), **extra)


FGR = person("ana.fgr", "MX/FGR", Role.ANALYST)
GN = person("luis.gn", "MX/GN", Role.ANALYST)
ATF = person("joe.atf", "US/ATF", Role.ANALYST, certificates=frozenset({"tracing"}))
CBP = person("kim.cbp", "US/CBP", Role.OFFICER)
HSI_STEWARD = person("sam.hsi", "US/HSI", Role.STEWARD)
ADMIN = person("root.admin", "US/HSI", Role.ADMIN)
VIEWERS = [FGR, GN, ATF, CBP, HSI_STEWARD]


@pytest.fixture
def loaded(db):
    for path, profile in sample_files():
        ingest_file(db, path, load_profile(profile))
    return db


def test_principals_round_trip_and_refuse_unknown_agencies(db):
    with db.engine.begin() as conn:
        save(conn, ATF)
        assert load(conn, "joe.atf") == ATF
        assert load(conn, "nobody") is None
    with pytest.raises(ValueError, match="unknown agency"):
        person("x.y", "US/NSA", Role.ANALYST)
    with pytest.raises(ValueError, match="task force"):
        person("x.y", "US/HSI", Role.ANALYST, task_forces=frozenset({"BEST-ATLANTIS"}))


def test_authorization_matrix():
    for role, operation in itertools.product(Role, OPERATIONS):
        viewer = person("u.test", "US/HSI", role, certificates=frozenset({"tracing"}))
        assert authorize(viewer, operation).allowed == (role in OPERATIONS[operation]), (role, operation)
    untrained = person("u.test", "US/ATF", Role.ANALYST)
    decision = authorize(untrained, "trace")
    assert not decision.allowed and "tracing" in decision.en and "certificado" in decision.es
    assert not authorize(person("u.test", "US/HSI", Role.ANALYST, active=False), "status").allowed
    assert not authorize(ATF, "no_such_operation").allowed


def test_counts_come_from_visible_records_only(loaded):
    def by(viewer):
        return {(owner, kind): n for kind, owner, n in access.counts(loaded, viewer, PURPOSE)}

    fgr, gn, cbp = by(FGR), by(GN), by(CBP)
    assert ("US/ATF", "trace_request") in fgr  # ATF releases to MX/FGR
    assert ("US/ATF", "trace_request") not in gn  # ... but not to the Guardia Nacional
    assert ("US/CBP", "crossing") not in fgr and ("US/CBP", "crossing") in cbp  # CBP: US only
    assert ("MX/FGR", "seizure") in gn and ("MX/FGR", "seizure") not in cbp  # FGR: MX, ATF, HSI
    assert ("MX/FGR", "seizure") in by(ATF)


def test_a_hidden_record_yields_a_pointer_and_nothing_more(loaded):
    crossing = "US/CBP:crossing:SYS-2023-000101"
    seen = access.read_record(loaded, CBP, crossing, PURPOSE)
    assert isinstance(seen, RecordView) and seen.content["port"]["code"] == "SAN-YSIDRO"
    pointer = access.read_record(loaded, FGR, crossing, PURPOSE)
    assert isinstance(pointer, Pointer) and pointer.holder == "US/CBP"
    assert pointer.contact_en and pointer.contact_es
    assert "SAN-YSIDRO" not in repr(pointer)
    assert access.read_record(loaded, FGR, "US/CBP:crossing:NO-SUCH", PURPOSE) is None


def test_restricted_fields_are_withheld_outside_their_nation(loaded):
    buyer = "US/ATF:person:T20230001-purchaser"
    us_view = access.read_record(loaded, ATF, buyer, PURPOSE)
    mx_view = access.read_record(loaded, FGR, buyer, PURPOSE)
    assert us_view.content["ssn"]["value"] == "523-41-7788"
    assert "ssn" not in mx_view.content and mx_view.withheld_fields == ("ssn",)
    assert "523-41-7788" not in repr(mx_view)


def test_every_read_and_refusal_is_audited(loaded):
    with loaded.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(audit_log)).scalar()
    access.read_record(loaded, FGR, "US/CBP:crossing:SYS-2023-000101", PURPOSE)
    with pytest.raises(Refused):
        access.read_record(
            loaded, ADMIN, "US/CBP:crossing:SYS-2023-000101", PURPOSE
        )  # admins manage, not read
    with loaded.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.user_id, audit_log.c.action, audit_log.c.purpose)
            .where(audit_log.c.seq > before)
            .order_by(audit_log.c.seq)
        ).all()
    assert [(r.user_id, r.action) for r in rows] == [
        ("ana.fgr", "read_record"),
        ("root.admin", "refused:read_records"),
    ]
    assert all(r.purpose == PURPOSE for r in rows)
    assert audit.verify(loaded).ok


# --- the leak harness: hidden canaries must never show, through any read path -----------------------------

CANARY = "CANARY-7f3a-SECRETO"
HIDDEN = """
name: canary
title: {en: Canary, es: Canario}
agency: US/ATF
format: csv
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: case
    id: "{ID}"
    fields:
      case_number: ID
      title: TITLE
"""


def _or_refused(call):
    try:
        return repr(call())
    except Refused as refused:
        return f"refused: {refused.decision.en}"


# What the harness searches for and whose profiles it opens: the canaries' names, numbers and
# serial, whole and in part, and the visible records that share a phone or a gun with them.
SEARCHES = ("Juan Perez", "juan pérez hidalgo", CANARY, "8991234567", "899 123 4567", "4567", "1-AB4512-19",
            "AB4512", "Calle Hidalgo 12", "jose luis hernandez", "Romarm", "canary")  # fmt: skip
CANARY_NEIGHBOURS = ("MX/FGR:seizure:FGR-TAM-2023-0117", "MX/FGR:person:FGR-TAM-2023-0117-1")


def read_paths(db, viewer):
    """Everything a viewer can get out of the store today, as text."""
    from puente.deconflict.alerts import alerts
    from puente.deconflict.operations import visible_operations
    from puente.policy import oversight, requests
    from puente.policy.dissemination import export_records
    from puente.resolve import review
    from puente.resolve.entities import memberships
    from puente.search import refresh, search
    from puente.search.profile import profile
    from puente.trace.analysis import patterns, ranking, read_traces
    from puente.trace.engine import trace_all
    from puente.trace.events import events
    from puente.watch.watches import hits as watch_hits

    out = [repr(access.counts(db, viewer, PURPOSE))]
    out.append(repr(access.read_record(db, viewer, "US/ATF:case:C-1", PURPOSE)))
    out.append(repr(access.visible_records(db, viewer, PURPOSE)))
    out.append(repr(access.visible_records(db, viewer, PURPOSE, record_type="case", owner="US/ATF")))
    out.append(_or_refused(lambda: export_records(db, viewer, PURPOSE)))
    out.append(_or_refused(lambda: requests.request_access(db, viewer, "US/ATF:case:C-1", "why", PURPOSE)))
    out.append(repr(requests.list_requests(db, viewer, PURPOSE)))
    out.append(_or_refused(lambda: oversight.views_of_agency(db, viewer, PURPOSE)))
    out.append(repr(memberships(db, viewer, PURPOSE)))
    for kind in ("phone", "address", "firearm"):  # read through members and mentions, not links
        out.append(repr(memberships(db, viewer, PURPOSE, entity_type=kind)))
    out.append(_or_refused(lambda: review.next_pairs(db, viewer, PURPOSE, limit=100)))
    out.append(repr(watch_hits(db, viewer, PURPOSE)))
    out.append(repr(visible_operations(db, viewer, PURPOSE)))
    out.append(repr(alerts(db, viewer, PURPOSE)))
    out.append(_or_refused(lambda: trace_all(db, viewer, PURPOSE)))
    if authorize(viewer, "read_records").allowed:
        views = read_traces(db, viewer, PURPOSE)
        out.extend(
            (repr(views), repr(patterns(views)), repr(ranking(views)), repr(events(db, viewer, PURPOSE)))
        )
    out.extend(_lead_paths(db, viewer))
    if authorize(viewer, "screen").allowed:  # the canary's stolen car, at the lane
        from puente.screen.lanes import rebuild, screen

        rebuild(db)
        out.append(repr(screen(db, viewer, PURPOSE, plate="CNRY-123", state="US-TX")))
        # the secret case's subject, by name, and the pickup the samples' BEST seizure took from him:
        # a wanted person, a subject's vehicle and a gun of the secret case's are ATF's alone
        subject = {"surname": "Hernández Gómez", "given": "José Luis", "birth": "1988-03-04"}
        out.append(repr(screen(db, viewer, PURPOSE, plate="HTR9921", state="US-TX", **subject)))
    refresh(db)
    for q in SEARCHES:
        found = search(db, viewer, q, PURPOSE, limit=100)
        out.append(repr((found.hits, found.pointers)))
    for record_id in ("US/ATF:case:C-1", f"US/ATF:person:{CANARY}", *CANARY_NEIGHBOURS):
        out.append(repr(profile(db, viewer, record_id, PURPOSE)))
    if authorize(viewer, "read_records").allowed:
        out.extend(network_paths(db, viewer))
    return "\n".join(out)


def network_paths(db, viewer):
    """The viewer's graph whole, its communities and their timelines, and around every entity the
    canaries' neighbours belong to or a harness search names: the neighbourhood, its exports and the
    paths between them."""
    from puente.network.analysis import communities, timeline
    from puente.network.export import export_file
    from puente.network.graph import viewer_graph
    from puente.network.views import around, community_view, find, path_views

    graph = viewer_graph(db, viewer, PURPOSE)
    out = [
        repr(sorted(graph.nodes.items())),
        repr(sorted(graph.edges.items())),
        repr(sorted(graph.docs.items())),
    ]
    out += [
        repr(community_view(graph, c)) + repr(timeline(graph, c.members))
        for c in communities(graph, min_persons=1)
    ]
    starts = [n.id for n in graph.nodes.values() if set(n.records) & set(CANARY_NEIGHBOURS)]
    starts = list(dict.fromkeys(starts + [f["id"] for q in SEARCHES for f in find(graph, q)]))
    for start in starts:
        out.append(repr(around(graph, start, depth=3)))
        out += [repr(export_file(graph, start, form, 3)) for form in ("graphml", "ftm")]
    out += [repr(path_views(graph, a, b)) for a in starts[:6] for b in starts[:6]]
    return out


def _lead_paths(db, viewer):
    """The inbox, every lead in it, and the follow-up figures, after the rules have fired."""
    from puente.leads.figures import figures
    from puente.leads.generate import generate
    from puente.leads.workflow import inbox, read

    generate(db)
    views = inbox(db, viewer, PURPOSE)
    return [
        repr(views),
        *(repr(read(db, viewer, PURPOSE, v.id)) for v in views),
        repr(figures(db, viewer, PURPOSE)),
    ]


# A case of ATF's, released to no one, whose subject is the FGR samples' detainee: ATF is told of
# FGR's seizure (a lead naming the case), and no one else learns of the case or the lead.
HIDDEN_CASE = """
name: canary-case
title: {en: Secret cases, es: Casos secretos}
agency: US/ATF
format: csv
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: case
    key: case
    id: "{ID}"
    fields:
      case_number: ID
      title: TITLE
  - type: person
    key: subject
    id: "{ID}-1"
    fields:
      name.given_names: FIRST
      name.paternal_surname: LAST
      birth_date: DOB
    relations:
      - {kind: subject_of, to: case}
"""


def seed_lead_canary(db, tmp_path):
    from puente.leads.generate import generate
    from puente.resolve.batch import resolve_persons
    from puente.resolve.review import decide
    from puente.search import refresh

    rows = f"ID,TITLE,FIRST,LAST,DOB\nLEAD-1,{CANARY} Tamaulipas,José Luis,Hernández Gómez,1988-03-04\n"
    ingest_file(db, write(tmp_path, rows, "secret-case.csv"), parse_profile(HIDDEN_CASE, "canary-case"))
    resolve_persons(db)
    decide(db, ATF, "US/ATF:person:LEAD-1-1", "MX/FGR:person:FGR-TAM-2023-0117-1", "same", PURPOSE)
    resolve_persons(db)
    refresh(db)
    generate(db)
    from puente.store.schema import leads

    with db.engine.connect() as conn:  # the harness is armed: ATF was told, through its secret case
        told = conn.execute(select(leads.c.recipient).where(leads.c.target_ref == "US/ATF:case:LEAD-1")).all()
    assert told and {r.recipient for r in told} == {"US/ATF"}


def seed_canary(db, tmp_path):
    ingest_file(
        db, write(tmp_path, f"ID,TITLE\nC-1,{CANARY}\n", "canary.csv"), parse_profile(HIDDEN, "canary")
    )
    # a stolen car of ATF's, released to no one: no other officer's check may show it, or a pointer
    rows = f"ID,MAKE,PLATE,STATE,STOLEN\n{CANARY}-car,{CANARY} Motors,CNRY123,TX,2024-01-02\n"
    ingest_file(db, write(tmp_path, rows, "canary-car.csv"), parse_profile(HIDDEN_CAR, "canary-car"))


HIDDEN_CAR = """
name: canary-car
title: {en: Test cars, es: Autos de prueba}
agency: US/ATF
format: csv
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: vehicle
    id: "{ID}"
    fields:
      make: MAKE
      plate: PLATE
      plate.issuer: STATE
      reported_stolen_on: STOLEN
"""


# An informant of ATF's, released to no one, who shares a phone with an FGR detainee of the samples
# and lives at a place of its own: the phone and address entities must not show the informant.
HIDDEN_CONTACT = """
name: canary-contact
title: {en: Informants, es: Informantes}
agency: US/ATF
format: csv
phone_region: MX
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: person
    id: "{ID}"
    fields:
      name: NAME
      phones[0]: TEL
  - type: location
    id: "{ID}-home"
    fields:
      address.street: STREET
      address.postal_code: CP
      address.country: {value: MX}
"""


# A gun of ATF's, released to no one, with the serial and make of the rifle an FGR seizure of the
# samples holds: the firearm entity that seizure's gun belongs to must not show it.
HIDDEN_GUN = """
name: canary-gun
title: {en: Test guns, es: Armas de prueba}
agency: US/ATF
format: csv
markings: {releasable_to: [US/ATF], disclosure: none}
records:
  - type: firearm
    id: "{ID}"
    fields:
      make: MAKE
      caliber: CALIBER
      serial: SERIAL
"""


def seed_contact_canary(db, tmp_path):
    from puente.resolve.batch import resolve_things
    from puente.search import refresh
    from puente.watch.watches import add, check

    for viewer in VIEWERS:  # each viewer watches the phone the informant shares with FGR's detainee
        add(db, viewer, PURPOSE, "identifier", "+52 899 123 4567", label="watched phone")

    rows = f"ID,NAME,TEL,STREET,CP\n{CANARY},Juan Perez,899 123 4567,Calle Hidalgo 12,88000\n"
    ingest_file(db, write(tmp_path, rows, "informant.csv"), parse_profile(HIDDEN_CONTACT, "canary-contact"))
    gun = f"ID,MAKE,CALIBER,SERIAL\n{CANARY}-gun,Romarm/Cugir,7.62x39,1-AB4512-19\n"
    ingest_file(db, write(tmp_path, gun, "gun.csv"), parse_profile(HIDDEN_GUN, "canary-gun"))
    for kind in ("phone", "address", "firearm"):
        resolve_things(db, kind)
    refresh(db)
    assert check(db) >= len(VIEWERS)  # the harness is armed: the informant is news to every watch
    from puente.store.schema import entity_members, entity_mentions

    with db.engine.connect() as conn:  # the hidden gun is one with the seizure's: the harness is armed
        hidden = conn.execute(select(entity_members.c.entity_id).where(
            entity_members.c.record_id == f"US/ATF:firearm:{CANARY}-gun")).scalar_one()  # fmt: skip
        carried = conn.execute(select(entity_mentions.c.entity_id).where(
            entity_mentions.c.entity_type == "firearm",
            entity_mentions.c.record_id == "MX/FGR:seizure:FGR-TAM-2023-0117")).scalar_one()  # fmt: skip
    assert hidden == carried


def seed_trace_canary(db, tmp_path):
    """A sale of ATF's, released to no one, of the rifle an FGR seizure of the samples holds, bought
    by the canary: ATF's trace of that seizure finds it, and no other agency may see whose it was."""
    from importlib import resources

    from puente.trace.engine import trace_all

    text = (
        resources.files("puente.ingest")
        .joinpath("profiles/atf-acquisitions.yaml")
        .read_text(encoding="utf-8")
    )
    text = text.replace("name: atf-acquisitions", "name: canary-acquisitions")
    hidden = "releasable_to: [US/ATF]\n  disclosure: none"
    text = text.replace("releasable_to: [US/ATF, US/HSI]\n  disclosure: pointer", hidden)
    assert "disclosure: none" in text
    rows = (
        "TRANSACTION_ID,FFL_NUMBER,DEALER_NAME,DEALER_STATE,SALE_DATE,WEAPON_TYPE,MANUFACTURER,MODEL,CALIBER,"
        "SERIAL_NUMBER,IMPORTER,COUNTRY_OF_MFG,MULTIPLE_SALE,BUYER_LAST,BUYER_FIRST,BUYER_DOB,BUYER_SSN,"
        "BUYER_STREET,BUYER_CITY,BUYER_STATE\n"
        f"Z1,1-74-001-01-1A-00009,{CANARY} Guns,TX,01/10/2022,RIFLE,Romarm/Cugir,WASR-10,7.62x39,1-AB4512-19,"
        f",RO,N,{CANARY},ZED,05/14/1990,,1 Elm St,Laredo,TX\n"
    )
    ingest_file(db, write(tmp_path, rows, "canary-sales.csv"), parse_profile(text, "canary-acquisitions"))
    report = trace_all(db, TRACER, PURPOSE)
    assert report.completed >= 1  # the harness is armed: ATF's trace of the seizure found the sale


TRACER = person("tom.atf", "US/ATF", Role.ANALYST, certificates=frozenset({"tracing"}))


def seed_operation_canary(db):
    """ATF's surveillance, its details released to no one, overlapping an FGR warrant: FGR is told
    whom to call, and learns nothing else of it."""
    import datetime as dt

    from puente.deconflict.operations import plan

    start = dt.datetime(2027, 1, 5, 6, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=2)
    plan(db, TRACER, PURPOSE, kind="surveillance", title=f"{CANARY} stakeout", starts_at=start, ends_at=end,
         latitude=26.08, longitude=-98.28, radius_m=800)  # fmt: skip
    officer = person("ivan.fgr", "MX/FGR", Role.OFFICER)
    _, met = plan(db, officer, PURPOSE, kind="search_warrant", title="Cateo Reynosa", starts_at=start,
                  ends_at=end, latitude=26.085, longitude=-98.285, radius_m=800,
                  releasable_to=("MX",))  # fmt: skip
    assert met == 1  # the harness is armed: FGR was told of ATF's operation


def test_leak_harness_finds_no_canary(loaded, tmp_path):
    from puente.resolve.entities import memberships

    seed_canary(loaded, tmp_path)
    seed_contact_canary(loaded, tmp_path)
    seed_trace_canary(loaded, tmp_path)
    seed_operation_canary(loaded)
    seed_lead_canary(loaded, tmp_path)
    for viewer in VIEWERS:
        text = read_paths(loaded, viewer)
        if viewer.agency == "US/ATF":
            assert CANARY in text  # the owner sees its own record: the harness can see a leak
            assert "LEAD-1" in text  # ... and the lanes' entries its secret case gives
            assert CANARY in "\n".join(network_paths(loaded, viewer))  # ... and its own link charts
            for kind in ("phone", "address", "firearm"):  # ... through the carried-value paths too
                assert CANARY in repr(memberships(loaded, viewer, PURPOSE, entity_type=kind))
            continue
        assert CANARY not in text, viewer.user_id
        assert "LEAD-1" not in text, viewer.user_id
        assert "'case'" not in text, viewer.user_id  # not even a count of the hidden record's type
        assert "Pointer" not in text  # disclosure 'none': not even a pointer


def test_the_secret_cases_lane_entries_are_atfs_alone(loaded, tmp_path):
    from puente.screen.lanes import rebuild, screen

    seed_lead_canary(loaded, tmp_path)
    rebuild(loaded)
    subject = {"surname": "Hernández Gómez", "given": "José Luis", "birth": "1988-03-04"}
    mine = screen(loaded, ATF, PURPOSE, **subject).matches
    assert any(m.reason == "case_subject" and "LEAD-1" in (m.label or "") for m in mine)  # armed
    officer = person("kim.cbp", "US/CBP", Role.OFFICER)
    for viewer in (officer, FGR):
        seen = screen(loaded, viewer, PURPOSE, plate="HTR9921", state="US-TX", **subject).matches
        assert all("LEAD-1" not in repr(m) and m.holder != "US/ATF" for m in seen), viewer.user_id


def test_leak_harness_catches_a_broken_filter(loaded, tmp_path, monkeypatch):
    seed_canary(loaded, tmp_path)
    seed_contact_canary(loaded, tmp_path)
    monkeypatch.setattr(access, "visible", lambda principal: true())
    leaks = [v.user_id for v in VIEWERS if v.agency != "US/ATF" and CANARY in read_paths(loaded, v)]
    assert leaks == [v.user_id for v in VIEWERS if v.agency != "US/ATF"]


# --- the authorization matrix, enforced: each principal kind calls each operation for real ----------

ENFORCED = {
    "read_records": lambda db, who: access.read_record(db, who, "US/CBP:crossing:SYS-2023-000101", PURPOSE),
    "status": lambda db, who: access.counts(db, who, PURPOSE),
    "request_access": lambda db, who: _requests().list_requests(db, who, PURPOSE),
    "decide_access": lambda db, who: _requests().decide(db, who, 999, approve=False, purpose=PURPOSE),
    "remark": lambda db, who: _remark().remark(db, who, "US/CBP:none", {}, "why", PURPOSE),
    "audit_own_agency": lambda db, who: _oversight().views_of_agency(db, who, PURPOSE),
    "export": lambda db, who: _export()(db, who, PURPOSE, owner="US/CBP"),
    "plan_operation": lambda db, who: _plan(db, who),
    "work_leads": lambda db, who: _lead_work(db, who),
    "manage_webhooks": lambda db, who: _webhook(db, who),
    "screen": lambda db, who: _screen(db, who),
    "trace": lambda db, who: _trace()(db, who, PURPOSE),
}


def _lead_work(db, who):
    from puente.leads.workflow import LeadMissing, comment

    with contextlib.suppress(LeadMissing):  # allowed, and there is no such lead
        comment(db, who, PURPOSE, 1, "seen")


def _screen(db, who):
    from puente.screen.lanes import screen

    screen(db, who, PURPOSE, plate="ABC1234")


def _webhook(db, who):
    from puente.leads.outbox import add_webhook

    add_webhook(db, who, PURPOSE, "http://127.0.0.1:9/hook")


def _plan(db, who):
    import datetime as dt

    from puente.deconflict.operations import plan

    start = dt.datetime(2027, 1, 5, 6, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=2)
    return plan(db, who, PURPOSE, kind="surveillance", title="t", starts_at=start, ends_at=end,
                latitude=27.5, longitude=-99.5, radius_m=500)  # fmt: skip


def _trace():
    from puente.trace.engine import trace_all

    return trace_all


def _requests():
    from puente.policy import requests

    return requests


def _remark():
    from puente.policy import remark

    return remark


def _oversight():
    from puente.policy import oversight

    return oversight


def _export():
    from puente.policy.dissemination import export_records

    return export_records


def test_the_authorization_matrix_is_enforced_by_every_operation(loaded):
    for role, (operation, call) in itertools.product(Role, ENFORCED.items()):
        who = person(f"{role.value}.cbp", "US/CBP", role, certificates=frozenset({"tracing"}))
        try:
            call(loaded, who)
            refused = None
        except Refused as exc:
            refused = exc.decision.en
        role_refusal = refused is not None and "needs one of the roles" in refused
        assert role_refusal == (role not in OPERATIONS[operation]), (role, operation, refused)
    with loaded.engine.connect() as conn:
        refusals = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action.like("refused:%"))
        ).scalar()
    assert refusals >= sum(len(set(Role) - OPERATIONS[op]) for op in ENFORCED)  # each one audited


def test_a_purpose_of_use_is_required_and_filters_are_parameters(loaded):
    with pytest.raises(Refused, match="purpose of use") as refused:
        access.counts(loaded, FGR, "  ")
    assert "propósito" in refused.value.decision.es
    for hostile in ("case' OR '1'='1", "x; DROP TABLE records; --", "%", "US/ATF' --"):
        assert access.visible_records(loaded, FGR, PURPOSE, record_type=hostile) == []
        assert access.visible_records(loaded, FGR, PURPOSE, owner=hostile) == []
    assert access.counts(loaded, FGR, PURPOSE)  # the tables are all still there


def test_leak_harness_catches_an_operation_shown_to_all(loaded, monkeypatch):
    from puente.deconflict import operations

    seed_operation_canary(loaded)
    assert CANARY not in read_paths(loaded, FGR)
    monkeypatch.setattr(operations, "released_to", lambda principal: true())
    assert CANARY in read_paths(loaded, FGR)


def test_leak_harness_catches_a_broken_trace_filter(loaded, tmp_path, monkeypatch):
    from puente.trace import analysis

    seed_trace_canary(loaded, tmp_path)
    monkeypatch.setattr(analysis, "visible_traces", lambda principal: true())
    assert CANARY in read_paths(loaded, FGR)
