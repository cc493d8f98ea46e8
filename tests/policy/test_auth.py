"""Authentication: argon2 passwords and API tokens, web sessions with CSRF, login throttling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from puente.policy import audit, auth
from puente.policy.auth import AuthError
from puente.policy.principals import Role, save
from puente.store.schema import api_tokens, audit_log, credentials, web_sessions
from tests.policy.test_access import ADMIN, ATF, FGR, person

PASSWORD = "correct horse battery 7"
ORIGIN = "192.0.2.10"


@pytest.fixture
def people(db):
    with db.engine.begin() as conn:
        for principal in (FGR, ATF, ADMIN):
            save(conn, principal)
    auth.set_password(db, "system", FGR.user_id, PASSWORD)
    return db


def audit_text(db) -> str:
    with db.engine.connect() as conn:
        return "\n".join(f"{r.action} {r.detail}" for r in conn.execute(select(audit_log)))


def test_a_login_opens_a_session_and_state_changes_need_its_csrf_token(people):
    session = auth.login(people, FGR.user_id, PASSWORD, ORIGIN)
    assert auth.session_principal(people, session.token, ORIGIN) == FGR  # a read needs the cookie only
    with pytest.raises(AuthError, match="CSRF"):
        auth.session_principal(people, session.token, ORIGIN, unsafe=True)
    with pytest.raises(AuthError, match="CSRF"):
        auth.session_principal(people, session.token, ORIGIN, unsafe=True, csrf_token=session.token)
    assert (
        auth.session_principal(people, session.token, ORIGIN, unsafe=True, csrf_token=session.csrf_token)
        == FGR
    )
    auth.logout(people, session.token, ORIGIN)
    with pytest.raises(AuthError, match="session has ended") as ended:
        auth.session_principal(people, session.token, ORIGIN)
    assert "inicie sesión" in ended.value.es
    assert auth.SESSION_COOKIE["httponly"] and auth.SESSION_COOKIE["secure"]
    assert auth.SESSION_COOKIE["samesite"] == "strict"


def test_secrets_are_stored_hashed_and_never_audited(people):
    session = auth.login(people, FGR.user_id, PASSWORD, ORIGIN)
    info, token = auth.create_token(people, FGR.user_id, FGR.user_id, "partner system")
    with people.engine.connect() as conn:
        stored = conn.execute(select(credentials.c.password_hash)).scalar_one()
        secret_hash = conn.execute(select(api_tokens.c.secret_hash)).scalar_one()
        kept = "\n".join(str(r) for r in conn.execute(select(web_sessions)))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert secret_hash.startswith("$argon2id$") and token.split("_", 2)[2] not in secret_hash
    assert session.token not in kept and session.csrf_token not in kept
    logged = audit_text(people)
    for secret in (PASSWORD, token, token.split("_", 2)[2], session.token, session.csrf_token):
        assert secret not in logged
    assert token not in repr(auth.list_tokens(people, FGR.user_id)) and info.id in token


def test_wrong_password_unknown_user_and_deactivated_account_read_alike(people):
    messages = set()
    for user, password in ((FGR.user_id, "wrong password!!"), ("nobody.here", PASSWORD)):
        with pytest.raises(AuthError) as refused:
            auth.login(people, user, password, ORIGIN)
        messages.add(refused.value.en)
    with people.engine.begin() as conn:
        save(conn, FGR.model_copy(update={"active": False}))
    with pytest.raises(AuthError) as refused:
        auth.login(people, FGR.user_id, PASSWORD, "192.0.2.11")
    messages.add(refused.value.en)
    assert messages == {"wrong user or password"}
    with pytest.raises(AuthError, match="at least 12"):
        auth.set_password(people, "system", ATF.user_id, "short")
    with pytest.raises(AuthError, match="unknown principal"):
        auth.set_password(people, "system", "nobody.here", PASSWORD)


def test_logins_are_throttled_per_user_and_per_address(people):
    for _ in range(auth.MAX_FAILURES_PER_USER):
        with pytest.raises(AuthError, match="wrong user or password"):
            auth.login(people, FGR.user_id, "not the password", ORIGIN)
    with pytest.raises(AuthError, match="too many failed logins") as throttled:
        auth.login(people, FGR.user_id, PASSWORD, "198.51.100.7")  # even the right one, from elsewhere
    assert "demasiados intentos" in throttled.value.es
    assert "refused:login" in audit_text(people)
    # an address guessing many user ids is stopped too
    for n in range(auth.MAX_FAILURES_PER_ORIGIN - auth.MAX_FAILURES_PER_USER):
        with pytest.raises(AuthError, match="wrong user or password"):
            auth.login(people, f"guess.{n}", "x" * 12, ORIGIN)
    auth.set_password(people, "system", ATF.user_id, PASSWORD)
    with pytest.raises(AuthError, match="too many failed logins"):
        auth.login(people, ATF.user_id, PASSWORD, ORIGIN)
    assert auth.login(people, ATF.user_id, PASSWORD, "203.0.113.5").user_id == ATF.user_id


def test_sessions_end_when_expired_or_idle(people):
    for column in ("expires_at", "last_seen_at"):
        session = auth.login(people, FGR.user_id, PASSWORD, ORIGIN)
        with people.engine.begin() as conn:
            long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=auth.SESSION_HOURS + 1)
            conn.execute(update(web_sessions).values({column: long_ago}))
        with pytest.raises(AuthError, match="session has ended"):
            auth.session_principal(people, session.token, ORIGIN)
    with pytest.raises(AuthError, match="session has ended"):
        auth.session_principal(people, "forged-cookie", ORIGIN)


def test_api_tokens_are_revocable_and_expire_at_once(people):
    info, token = auth.create_token(people, FGR.user_id, FGR.user_id, "analysis notebook", days=30)
    assert auth.token_principal(people, token, ORIGIN) == FGR
    assert auth.token_principal(people, token, ORIGIN) == FGR  # verified once, then cached
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "pte_nope_secret", "Bearer " + token, ""):
        with pytest.raises(AuthError, match="unknown API token"):
            auth.token_principal(people, bad, ORIGIN)
    auth.revoke_token(people, FGR.user_id, info.id)
    with pytest.raises(AuthError, match="revoked") as revoked:
        auth.token_principal(people, token, ORIGIN)  # at once, cache or not
    assert "revocado" in revoked.value.es
    other, second = auth.create_token(people, ADMIN.user_id, FGR.user_id, "issued by an administrator")
    with people.engine.begin() as conn:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(update(api_tokens).where(api_tokens.c.id == other.id).values(expires_at=past))
    with pytest.raises(AuthError, match="expired"):
        auth.token_principal(people, second, ORIGIN)
    assert [t.active() for t in auth.list_tokens(people, FGR.user_id)] == [False, False]


def test_only_the_person_or_an_administrator_manages_tokens(people):
    with pytest.raises(AuthError, match="only the person or an administrator"):
        auth.create_token(people, ATF.user_id, FGR.user_id, "not mine")
    info, _ = auth.create_token(people, FGR.user_id, FGR.user_id, "mine")
    with pytest.raises(AuthError, match="no token"):
        auth.revoke_token(people, ATF.user_id, info.id)
    with pytest.raises(AuthError, match="1 to 365 days"):
        auth.create_token(people, FGR.user_id, FGR.user_id, "forever", days=10_000)
    analyst = person("new.user", "MX/SSPC", Role.ANALYST, active=False)
    with people.engine.begin() as conn:
        save(conn, analyst)
    with pytest.raises(AuthError, match="inactive"):
        auth.create_token(people, ADMIN.user_id, analyst.user_id, "for a deactivated account")
    assert auth.revoke_token(people, ADMIN.user_id, info.id).revoked_at is not None
    assert audit.verify(people).ok
