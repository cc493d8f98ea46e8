"""Tracing: every recovered gun gets a trace, matched on serial and make only, failing with a reason
the requester can act on; results, indicators and patterns from what each viewer may see; on SQLite
and PostgreSQL."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.policy.access import Refused
from puente.policy.principals import Role
from puente.store.schema import audit_log, traces
from puente.trace import catalog
from puente.trace.analysis import in_period, patterns, ranking, read_traces
from puente.trace.engine import check, process_pending, submit, trace_all
from tests.ingest.test_bad_input import write
from tests.policy.test_access import ATF, CBP, FGR, GN, PURPOSE, person

FGR_TRACER = person("eva.fgr", "MX/FGR", Role.ANALYST, certificates=frozenset({"tracing"}))
GN_TRACER = person("rui.gn", "MX/GN", Role.ANALYST, certificates=frozenset({"tracing"}))

ACQUISITIONS = (
    "TRANSACTION_ID,FFL_NUMBER,DEALER_NAME,DEALER_STATE,SALE_DATE,WEAPON_TYPE,MANUFACTURER,MODEL,CALIBER,"
    "SERIAL_NUMBER,IMPORTER,COUNTRY_OF_MFG,MULTIPLE_SALE,BUYER_LAST,BUYER_FIRST,BUYER_DOB,BUYER_SSN,"
    "BUYER_STREET,BUYER_CITY,BUYER_STATE\n"
    "A1,1-74-001-01-1A-00001,Rio Guns,TX,01/10/2022,PISTOL,Glock,19,9mm,ABC-123,Glock Inc,AT,Y,HERRERA,MARIA,"
    "05/14/1990,,1 Elm St,Laredo,TX\n"
    "A2,1-74-001-01-1A-00001,Rio Guns,TX,01/12/2022,PISTOL,Glock,17,9mm,XYZ999,Glock Inc,AT,Y,HERRERA,MARIA,"
    "05/14/1990,,1 Elm St,Laredo,TX\n"
    "A3,5-59-002-01-2B-00002,Lake Arms,FL,03/03/2010,REVOLVER,Smith & Wesson,642,.38 Special,ABC123,,US,N,"
    "SMITH,JOHN,02/02/1960,,9 Oak St,Miami,FL\n"
    "A4,5-59-002-01-2B-00002,Lake Arms,FL,03/04/2015,RIFLE,Ruger,AR-556,5.56x45,DUP1,,US,N,ROE,ANN,"
    "03/03/1970,,2 Pine St,Miami,FL\n"
    "A5,5-59-002-01-2B-00002,Lake Arms,FL,03/05/2016,PISTOL,Ruger,SR9,9mm,DUP1,,US,N,DOE,JAN,03/04/1971,,"
    "3 Pine St,Miami,FL\n"
    "A6,5-59-002-01-2B-00002,Lake Arms,FL,06/01/2001,PISTOL,Colt,1911,.45 ACP,OLD1,,US,N,JONES,BOB,"
    "07/07/1950,,4 Pine St,Tampa,FL\n"
)
FGR_HEADER = (
    "FOLIO;FECHA_ASEGURAMIENTO;TIPO_EVENTO;MUNICIPIO;ESTADO;CARPETA_INVESTIGACION;NUM_DETENIDO;NOMBRE;"
    "APELLIDO_PATERNO;APELLIDO_MATERNO;ALIAS;FECHA_NACIMIENTO;SEXO;CURP;TELEFONO;TIPO_ARMA;MARCA;MODELO;"
    "CALIBRE;MATRICULA;CARTUCHOS;OBSERVACIONES\n"
)


def _fgr(folio: str, make: str, model: str, caliber: str, serial: str, detainee: bool = False) -> str:
    who = "1;Juan;Pérez;López;;01/01/1995;H;;;" if detainee else ";;;;;;;;;"
    return (
        f"{folio};01/05/2023;Cateo;Guadalajara;Jalisco;FED/JAL/1/2023;{who}PISTOLA;{make};{model};{caliber};"
        f"{serial};;\n"
    )


SEIZURES = FGR_HEADER + "".join(
    (
        _fgr("F1", "Glock", "19", "9mm", "abc 123", detainee=True),  # A1, not the S&W of the same serial
        _fgr("F2", "Glock", "17", "9mm", "XYZ-999"),  # A2: same buyer, same day and place
        _fgr("F3", "CZ", "75", "9mm", "LIMADO"),
        _fgr("F4", "FN Herstal", "FAL", "7.62x51", "FN1"),
        _fgr("F5", "Ruger", "", "", "DUP1"),  # two different Rugers carry it
        _fgr("F6", "Colt", "1911", ".45 ACP", "OLD1"),
        _fgr("F7", "Ruger", "AR-556", "5.56x45", "NONE1"),
        _fgr("F8", "Glok", "19", "9mm", "QQQ1"),  # a misspelt make
    )
)


@pytest.fixture
def traced_world(db, tmp_path):
    ingest_file(db, write(tmp_path, ACQUISITIONS, "acq.csv"), load_profile("atf-acquisitions"))
    ingest_file(db, write(tmp_path, SEIZURES, "fgr.csv", "latin-1"), load_profile("fgr-aseguramientos"))
    return db


def _by_source(views):
    return {v.source_id.rsplit(":", 1)[1]: v for v in views}


def test_each_recovery_is_traced_on_serial_and_make_or_fails_with_an_actionable_reason(traced_world):
    report = trace_all(traced_world, FGR_TRACER, PURPOSE)
    assert (report.submitted, report.processed, report.completed) == (8, 8, 3)
    assert report.failed == {
        "obliterated_serial": 1, "foreign_no_import": 1, "ambiguous": 1, "no_acquisition": 1, "no_make": 1,
    }  # fmt: skip
    views = _by_source(read_traces(traced_world, FGR_TRACER, PURPOSE))
    f1 = views["F1"]
    assert f1.status == "completed" and f1.result["acquisition_id"] == "US/ATF:acquisition:A1"  # not the S&W
    assert f1.result["dealer"]["licence"] == "1-74-001-01-1A-00001"
    assert f1.result["purchaser"]["name"] and f1.result["purchased_on"] == "2022-01-10"
    assert f1.time_to_crime_days == 476 and f1.result["possessor_is_purchaser"] is False
    assert views["F6"].result["acquisition_id"] == "US/ATF:acquisition:A6"
    for source, reason in (("F3", "obliterated_serial"), ("F4", "foreign_no_import"), ("F5", "ambiguous"),
                           ("F7", "no_acquisition"), ("F8", "no_make")):  # fmt: skip
        v = views[source]
        assert v.status == "failed" and v.reason == reason
        assert (
            v.result["reason"]["en"]
            and v.result["reason"]["es"]
            and v.result["reason"]["en"] != v.result["reason"]["es"]
        )


def test_the_completeness_check_suggests_the_make_and_flags_foreign_and_obliterated(traced_world):
    trace_all(traced_world, FGR_TRACER, PURPOSE)
    views = _by_source(read_traces(traced_world, FGR_TRACER, PURPOSE))
    suggestion = next(c for c in views["F8"].result["checks"] if c["code"] == "suggest_make")
    assert suggestion["suggestion"]["code"] == "GLOCK" and "Glock" in suggestion["es"]
    assert any(c["code"] == "foreign_make" for c in views["F4"].result["checks"])
    assert any(c["code"] == "obliterated_serial" for c in views["F3"].result["checks"])
    assert [i["code"] for i in views["F3"].indicators] == ["obliterated_serial"]
    assert (
        check({"serial": {"text": "X1", "value": "X1"}, "make": {"code": "GLOCK", "text": "Glock"}})[0][
            "code"
        ]
        == "no_caliber"
    )


def test_indicators_explain_themselves_in_both_languages(traced_world):
    trace_all(traced_world, FGR_TRACER, PURPOSE)
    views = _by_source(read_traces(traced_world, FGR_TRACER, PURPOSE))
    codes = {i["code"] for i in views["F1"].indicators}
    assert codes >= {
        "short_time_to_crime", "possessor_not_purchaser", "multiple_sale", "purchaser_several_guns",
        "recovered_together", "border_state_purchase",
    }  # fmt: skip
    assert "short_time_to_crime" not in {i["code"] for i in views["F6"].indicators}  # 22 years
    for indicator in views["F1"].indicators:
        assert indicator["en"] and indicator["es"] and indicator["en"] != indicator["es"]
    top = ranking(list(views.values()))
    assert top[0].guns == 2 and top[0].purchaser_ids == [
        "US/ATF:person:A1-purchaser",
        "US/ATF:person:A2-purchaser",
    ]
    assert top[0].score > top[-1].score and all(r["en"] and r["es"] for r in top[0].reasons)
    assert top[0].associates == ["MX/FGR:person:F1-1"]


def test_patterns_count_guns_once_and_show_the_corridor(traced_world):
    trace_all(traced_world, FGR_TRACER, PURPOSE)
    trace_all(traced_world, ATF, PURPOSE)  # a second agency traces the same recoveries
    found = patterns(read_traces(traced_world, ATF, PURPOSE))
    assert found["recoveries"] == 8 and found["guns_traced"] == 3
    assert found["failed"]["ambiguous"] == 1
    top = found["corridors"][0]
    assert (top["source_state"], top["source_city"], top["recovery_state"], top["count"]) == (
        "US-TX", "Laredo", "MX-JAL", 2,
    )  # fmt: skip
    assert found["top_dealers"][0] == {"licence": "1-74-001-01-1A-00001", "name": "Rio Guns", "traced": 2}
    assert sum(found["time_to_crime_years"].values()) == 3
    assert patterns(in_period(read_traces(traced_world, ATF, PURPOSE), "2024-01-01"))["guns_traced"] == 0
    assert (
        patterns(in_period(read_traces(traced_world, ATF, PURPOSE), "2023-05-01", "2023-05-01"))[
            "guns_traced"
        ]
        == 3
    )


def test_a_result_goes_to_the_requester_and_only_where_the_markings_allow(traced_world):
    trace_all(traced_world, ATF, PURPOSE)
    trace_all(traced_world, FGR_TRACER, PURPOSE, source_ids=["MX/FGR:seizure:F1"])
    fgr = read_traces(traced_world, FGR_TRACER, PURPOSE)
    completed = [v for v in fgr if v.status == "completed"]
    # FGR asked for F1 only: it sees that result, and no result of ATF's from ATF's own records
    assert [v.source_id for v in completed] == ["MX/FGR:seizure:F1"]
    # ... and its indicators count only what FGR may see: F2's trace is ATF's
    codes = {i["code"] for i in completed[0].indicators}
    assert "purchaser_several_guns" not in codes and "recovered_together" not in codes
    atf_f1 = next(v for v in read_traces(traced_world, ATF, PURPOSE)
                  if v.source_id == "MX/FGR:seizure:F1" and v.requester_agency == "US/ATF")  # fmt: skip
    assert "purchaser_several_guns" in {i["code"] for i in atf_f1.indicators}
    # GN may see FGR's seizures (released to MX) but not the sales behind the results
    gn = read_traces(traced_world, GN, PURPOSE)
    assert gn and all(v.status == "failed" for v in gn)
    assert patterns(gn)["guns_traced"] == 0 and ranking(gn) == []
    # CBP may see neither the seizures nor the sales
    assert read_traces(traced_world, CBP, PURPOSE) == []


def test_tracing_needs_the_certificate_and_a_purpose_and_is_audited(traced_world):
    with pytest.raises(Refused):
        trace_all(traced_world, FGR, PURPOSE)  # an analyst without the tracing course
    with pytest.raises(Refused):
        trace_all(traced_world, FGR_TRACER, " ")
    trace_all(traced_world, FGR_TRACER, PURPOSE)
    read_traces(traced_world, FGR_TRACER, PURPOSE)
    with traced_world.engine.begin() as conn:
        actions = set(
            conn.execute(select(audit_log.c.action).where(audit_log.c.user_id == "eva.fgr")).scalars()
        )
    assert {"trace_submit", "trace_process", "trace_read"} <= actions


def test_tracing_again_changes_nothing_and_an_interrupted_run_resumes(traced_world):
    assert submit(traced_world, FGR_TRACER, PURPOSE) == 8
    assert submit(traced_world, FGR_TRACER, PURPOSE) == 0
    first = process_pending(traced_world, FGR_TRACER, PURPOSE, limit=1)  # stops after one chunk
    assert first.processed == 8
    with traced_world.engine.begin() as conn:
        conn.execute(
            traces.update().where(traces.c.source_id == "MX/FGR:seizure:F6").values(status="in_progress")
        )
    again = trace_all(traced_world, FGR_TRACER, PURPOSE)
    assert (again.submitted, again.processed, again.completed) == (0, 1, 1)
    with traced_world.engine.begin() as conn:
        statuses = list(conn.execute(select(traces.c.status)).scalars())
    assert len(statuses) == 8 and "in_progress" not in statuses and "submitted" not in statuses


def test_the_catalogue_follows_new_versions_and_refreshing_twice_changes_nothing(traced_world, tmp_path):
    assert catalog.refresh(traced_world).catalogued == 6
    assert catalog.refresh(traced_world).catalogued == 0
    changed = ACQUISITIONS.replace("ABC-123", "ABC-124")
    ingest_file(traced_world, write(tmp_path, changed, "acq2.csv"), load_profile("atf-acquisitions"))
    assert catalog.refresh(traced_world).catalogued == 1
    trace_all(traced_world, FGR_TRACER, PURPOSE)
    f1 = _by_source(read_traces(traced_world, FGR_TRACER, PURPOSE))["F1"]
    # the Glock's serial is no longer on record, and Glocks are made in Austria
    assert f1.status == "failed" and f1.reason == "foreign_no_import"
    with traced_world.engine.begin() as conn:
        stored = orjson.loads(conn.execute(select(traces.c.result).where(traces.c.id == f1.id)).scalar_one())
    assert stored["reason"]["code"] == "foreign_no_import"


def test_a_sale_released_to_no_one_is_withheld_from_other_requesters_with_whom_to_ask(traced_world, tmp_path):
    from puente.samples import sample_files
    from tests.policy.test_access import CANARY, seed_trace_canary

    for path, profile in sample_files():
        ingest_file(traced_world, path, load_profile(profile))
    seed_trace_canary(traced_world, tmp_path)  # ATF traced the sample seizure: ATF sees the buyer
    trace_all(traced_world, FGR_TRACER, PURPOSE, source_ids=["MX/FGR:seizure:FGR-TAM-2023-0117"])
    (mine,) = [v for v in read_traces(traced_world, FGR_TRACER, PURPOSE) if v.requester_agency == "MX/FGR"]
    assert mine.status == "completed" and mine.reason == "withheld"
    assert mine.result["withheld"]["holder"] == "US/ATF" and mine.result["withheld"]["es"]
    assert CANARY not in repr(mine) and mine.purchaser_key is None


CASES = (
    "CASE_NUMBER,CASE_TITLE,OPENED,STATUS,CASE_TYPE,CASE_AGENT,SUBJECT_NO,SUBJECT_LAST,SUBJECT_FIRST,SUBJECT_DOB,"
    "SUBJECT_CITIZENSHIP,SUBJECT_PHONE\n"
    "DL34QR0000001,Operation Laredo,2023-01-02,OPEN,Firearms trafficking,SA J. Ortiz,1,Herrera,Maria,"
    "1990-05-14,US,\n"
)


def test_a_trace_whose_purchaser_is_a_case_subject_raises_an_event_where_both_may_be_seen(
    traced_world, tmp_path
):
    from puente.search import refresh
    from puente.trace.events import events

    ingest_file(traced_world, write(tmp_path, CASES, "cases.csv"), load_profile("hsi-cases"))
    refresh(traced_world)  # the case's subjects are found through the index's link terms
    hsi = person("ines.hsi", "US/HSI", Role.ANALYST, certificates=frozenset({"tracing"}))
    trace_all(traced_world, FGR_TRACER, PURPOSE)
    seen = events(traced_world, hsi, PURPOSE)
    assert {(e["case_id"], e["kind"]) for e in seen} == {("US/HSI:case:DL34QR0000001", "purchaser_in_case")}
    assert len(seen) == 2  # F1 and F2: both of Maria Herrera's guns
    assert all(e["en"] and e["es"] for e in seen)
    # FGR asked for the traces, but the case is HSI's alone: FGR learns nothing of it
    assert events(traced_world, FGR_TRACER, PURPOSE) == []
    assert events(traced_world, GN, PURPOSE) == []
    trace_all(traced_world, FGR_TRACER, PURPOSE)  # nothing pending: the events stay as they are
    assert len(events(traced_world, hsi, PURPOSE)) == 2


def test_a_gun_sold_twice_traces_to_its_first_sale_even_when_one_record_leaves_the_model_out():
    from puente.trace.engine import Sale, choose

    glock = {"code": "GLOCK", "text": "Glock"}
    first = Sale("A:1", "GLOCK", "2015-01-01", "L1", "Rio", "US-TX", "P:1", False, {"make": glock})
    again = Sale(
        "A:2", "GLOCK", "2019-01-01", "L2", "Lake", "US-FL", "P:2", False, {"make": glock, "model": "19"}
    )
    other = Sale(
        "A:3", "GLOCK", "2016-01-01", "L3", "Hill", "US-AZ", "P:3", False, {"make": glock, "model": "17"}
    )
    asked = {"serial": {"text": "X1", "value": "X1"}, "make": glock}
    assert choose(asked, "2023-01-01", [again, first]) == (first, None)
    assert choose(asked, "2023-01-01", [again, first, other]) == (None, "ambiguous")
    assert choose({**asked, "model": "19"}, "2023-01-01", [again, first, other]) == (first, None)
    assert choose(asked, "2018-01-01", [again]) == (None, "foreign_no_import")  # sold after it was recovered


def test_a_recovery_not_released_to_the_tracing_centre_is_traced_only_at_its_owners_request(db, tmp_path):
    from importlib import resources

    from puente.ingest.profiles import parse_profile

    text = (
        resources.files("puente.ingest")
        .joinpath("profiles/fgr-aseguramientos.yaml")
        .read_text(encoding="utf-8")
    )
    text = text.replace("name: fgr-aseguramientos", "name: fgr-reservado")
    text = text.replace("releasable_to: [MX, US/ATF, US/HSI]", "releasable_to: [MX]")
    assert "releasable_to: [MX]" in text
    ingest_file(db, write(tmp_path, ACQUISITIONS, "acq.csv"), load_profile("atf-acquisitions"))
    ingest_file(db, write(tmp_path, SEIZURES, "fgr.csv", "latin-1"), parse_profile(text, "fgr-reservado"))
    report = trace_all(db, GN_TRACER, PURPOSE)  # GN may see FGR's seizures, but may not pass them on
    assert (report.submitted, report.processed) == (8, 0)
    gn = read_traces(db, GN_TRACER, PURPOSE)
    assert {v.reason for v in gn} == {"not_released"} and all(v.result["reason"]["es"] for v in gn)
    assert read_traces(db, ATF, PURPOSE) == []  # the tracing centre never saw GN's requests
    assert trace_all(db, FGR_TRACER, PURPOSE).completed == 3  # the owner itself may ask
