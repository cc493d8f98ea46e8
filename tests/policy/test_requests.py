"""Access requests: asked with a reason, decided by the owner's steward, time-limited, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from puente.policy import access, audit, requests
from puente.policy.access import Pointer, RecordView, Refused
from puente.policy.principals import Role
from puente.store.schema import access_requests, audit_log
from tests.policy.test_access import CANARY, CBP, FGR, GN, PURPOSE, loaded, person, read_paths, seed_canary

__all__ = ["loaded"]  # the fixture, shared

CROSSING = "US/CBP:crossing:SYS-2023-000101"  # US only, with a pointer for others
CBP_STEWARD = person("pat.cbp", "US/CBP", Role.STEWARD)
ATF_STEWARD = person("lee.atf", "US/ATF", Role.STEWARD)


def ask(db, viewer=FGR, record_id=CROSSING, reason="arma asegurada en Tijuana cruzó por San Ysidro"):
    return requests.request_access(db, viewer, record_id, reason, PURPOSE)


def test_an_approval_shows_the_named_record_to_that_person_only(loaded):
    assert isinstance(access.read_record(loaded, FGR, CROSSING, PURPOSE), Pointer)
    before = dict(((o, t), n) for t, o, n in access.counts(loaded, FGR, PURPOSE))
    request_id = ask(loaded)
    assert isinstance(access.read_record(loaded, FGR, CROSSING, PURPOSE), Pointer)  # pending: nothing yet
    approved = requests.decide(loaded, CBP_STEWARD, request_id, approve=True, days=7, purpose=PURPOSE)
    assert approved.status == "approved" and approved.active()
    seen = access.read_record(loaded, FGR, CROSSING, PURPOSE)
    assert isinstance(seen, RecordView) and seen.content["port"]["code"] == "SAN-YSIDRO"
    after = dict(((o, t), n) for t, o, n in access.counts(loaded, FGR, PURPOSE))
    assert after[("US/CBP", "crossing")] == 1 and before.get(("US/CBP", "crossing")) is None
    # the named record only, and only for the person who asked
    assert isinstance(access.read_record(loaded, FGR, "US/CBP:crossing:SYS-2023-000102", PURPOSE), Pointer)
    assert isinstance(access.read_record(loaded, GN, CROSSING, PURPOSE), Pointer)


def test_revocation_and_expiry_take_effect_at_once(loaded):
    first = ask(loaded)
    requests.decide(loaded, CBP_STEWARD, first, approve=True, days=30, purpose=PURPOSE)
    requests.revoke(loaded, CBP_STEWARD, first, PURPOSE)
    assert isinstance(access.read_record(loaded, FGR, CROSSING, PURPOSE), Pointer)
    second = ask(loaded)
    requests.decide(loaded, CBP_STEWARD, second, approve=True, days=1, purpose=PURPOSE)
    assert isinstance(access.read_record(loaded, FGR, CROSSING, PURPOSE), RecordView)
    with loaded.engine.begin() as conn:  # the clock moves past the approval
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(update(access_requests).where(access_requests.c.id == second).values(expires_at=past))
    assert isinstance(access.read_record(loaded, FGR, CROSSING, PURPOSE), Pointer)
    assert not any(r.active() for r in requests.list_requests(loaded, FGR, PURPOSE))


def test_only_the_owners_steward_decides(loaded):
    request_id = ask(loaded)
    with pytest.raises(Refused, match="needs one of the roles"):
        requests.decide(loaded, CBP, request_id, approve=True, purpose=PURPOSE)  # an officer of the owner
    with pytest.raises(Refused, match="no request") as refused:
        requests.decide(loaded, ATF_STEWARD, request_id, approve=True, purpose=PURPOSE)  # another agency
    assert "ninguna solicitud" in refused.value.decision.es
    with pytest.raises(Refused, match="1 to 90 days"):
        requests.decide(loaded, CBP_STEWARD, request_id, approve=True, days=365, purpose=PURPOSE)
    denied = requests.decide(loaded, CBP_STEWARD, request_id, approve=False, note="sin caso", purpose=PURPOSE)
    assert denied.status == "denied" and not denied.active()
    with pytest.raises(Refused, match="is denied, not pending"):
        requests.decide(loaded, CBP_STEWARD, request_id, approve=True, purpose=PURPOSE)
    with pytest.raises(Refused, match="not approved"):
        requests.revoke(loaded, CBP_STEWARD, request_id, PURPOSE)
    assert isinstance(access.read_record(loaded, FGR, CROSSING, PURPOSE), Pointer)


def test_stewards_see_requests_for_their_records_and_requesters_their_own(loaded):
    mine = ask(loaded)
    assert [r.id for r in requests.list_requests(loaded, FGR, PURPOSE)] == [mine]
    assert [r.id for r in requests.list_requests(loaded, CBP_STEWARD, PURPOSE)] == [mine]
    assert requests.list_requests(loaded, ATF_STEWARD, PURPOSE) == []
    assert requests.list_requests(loaded, GN, PURPOSE) == []


def test_asking_reveals_nothing_about_hidden_records(loaded, tmp_path):
    seed_canary(loaded, tmp_path)  # an ATF case marked disclosure: none
    refusals = []
    for record_id in ("US/ATF:case:C-1", "US/ATF:case:NO-SUCH"):
        with pytest.raises(Refused) as refused:
            ask(loaded, record_id=record_id)
        refusals.append((refused.value.decision.en, refused.value.decision.es))
    assert refusals[0] == refusals[1]  # a forged request for a fully hidden record looks like a guess
    with pytest.raises(Refused, match="say why"):
        ask(loaded, reason="   ")
    with pytest.raises(Refused, match="already"):
        ask(loaded, viewer=CBP)
    assert CANARY not in read_paths(loaded, FGR)


def test_requests_decisions_and_refusals_are_audited(loaded):
    with loaded.engine.connect() as conn:
        before = conn.execute(select(audit_log.c.seq).order_by(audit_log.c.seq.desc())).scalar() or 0
    request_id = ask(loaded)
    with pytest.raises(Refused):
        requests.decide(loaded, ATF_STEWARD, request_id, approve=True, purpose=PURPOSE)
    requests.decide(loaded, CBP_STEWARD, request_id, approve=True, purpose=PURPOSE)
    requests.revoke(loaded, CBP_STEWARD, request_id, PURPOSE)
    with loaded.engine.connect() as conn:
        actions = [
            (u, a)
            for u, a in conn.execute(
                select(audit_log.c.user_id, audit_log.c.action)
                .where(audit_log.c.seq > before)
                .order_by(audit_log.c.seq)
            )
        ]
    assert actions == [
        ("ana.fgr", "request_access"),
        ("lee.atf", "refused:decide_access"),
        ("pat.cbp", "approve_access"),
        ("pat.cbp", "revoke_access"),
    ]
    assert audit.verify(loaded).ok
