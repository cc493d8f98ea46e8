"""Authentication: passwords, API tokens, web sessions with CSRF tokens, and login throttling.

Passwords and API token secrets are stored as argon2id hashes. A token is shown once, as
``pte_<id>_<secret>``: the id finds its row, the secret is verified against the hash, and the row is
read on every use so that a revocation or an expiry takes effect at once. Web sessions and their
CSRF tokens are 256-bit random values kept as SHA-256 digests. Every login, token and session
event is audited; secrets never are. Faces (API, web) call these functions; an OIDC login would
produce the same session from a verified identity (``open_session``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from puente.policy import audit
from puente.policy.principals import Principal, Role, from_row, load
from puente.store.db import Database
from puente.store.repository import as_utc, utcnow
from puente.store.schema import api_tokens, credentials, login_attempts, principals, web_sessions

HASHER = PasswordHasher()  # argon2id with the library's recommended parameters
MIN_PASSWORD = 12
TOKEN_PREFIX = "pte"
MAX_TOKEN_DAYS = 365
SESSION_HOURS = 12  # absolute lifetime of a web session
SESSION_IDLE_MINUTES = 30  # a session unused this long ends
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5  # failed logins for one user id in the window, from anywhere
MAX_FAILURES_PER_ORIGIN = 20  # failed logins from one address in the window, for any user ids
# Cookie settings the web face must use for the session cookie.
SESSION_COOKIE: dict[str, Any] = {
    "key": "puente_session",
    "httponly": True,
    "secure": True,
    "samesite": "strict",
}
CSRF_HEADER = "X-CSRF-Token"


class AuthError(PermissionError):
    """A refused login, token or session, with its reason in both languages."""

    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en, self.es = en, es


@cache
def _dummy_hash() -> str:
    """Verified against for an unknown user, so that the answer takes as long as for a known one."""
    return HASHER.hash(secrets.token_urlsafe(16))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fail(db: Database, user_id: str, action: str, origin: str, en: str, es: str, **detail: Any) -> AuthError:
    with db.engine.begin() as conn:
        audit.record(conn, user_id, f"refused:{action}", detail={"reason": en, **detail}, origin=origin)
    return AuthError(en, es)


def _active_principal(conn: Connection, user_id: str) -> Principal | None:
    principal = load(conn, user_id)
    return principal if principal is not None and principal.active else None


# --- passwords -----------------------------------------------------------------------------------------


def set_password(db: Database, actor: str, user_id: str, password: str, origin: str = "cli") -> None:
    """Set a principal's password (an administrator, the local operator, or the person themself)."""
    if len(password) < MIN_PASSWORD:
        raise _fail(
            db, actor, "set_password", origin,
            f"a password needs at least {MIN_PASSWORD} characters",
            f"una contraseña necesita al menos {MIN_PASSWORD} caracteres", user=user_id,
        )  # fmt: skip
    with db.engine.begin() as conn:
        if load(conn, user_id) is None:
            raise _fail(
                db, actor, "set_password", origin, f"unknown principal '{user_id}'",
                f"usuario desconocido '{user_id}'", user=user_id,
            )  # fmt: skip
        values = {"password_hash": HASHER.hash(password), "updated_at": utcnow()}
        if conn.execute(select(credentials.c.user_id).where(credentials.c.user_id == user_id)).first():
            conn.execute(update(credentials).where(credentials.c.user_id == user_id).values(**values))
        else:
            conn.execute(insert(credentials).values(user_id=user_id, **values))
        audit.record(conn, actor, "set_password", detail={"user": user_id}, origin=origin)


def _throttled(conn: Connection, user_id: str, origin: str, now: dt.datetime) -> dt.datetime | None:
    """When this user id or this address may try again, if too many logins failed lately."""
    since = now - THROTTLE_WINDOW
    for column, value, limit in (
        (login_attempts.c.user_id, user_id, MAX_FAILURES_PER_USER),
        (login_attempts.c.origin, origin, MAX_FAILURES_PER_ORIGIN),
    ):
        # only the failures since the last success count against a user
        floor = since
        if column is login_attempts.c.user_id:
            last_ok = conn.execute(
                select(func.max(login_attempts.c.at)).where(column == value, login_attempts.c.ok)
            ).scalar()
            if last_ok is not None and as_utc(last_ok) > floor:
                floor = as_utc(last_ok)
        failures = conn.execute(
            select(login_attempts.c.at)
            .where(column == value, login_attempts.c.at > floor, login_attempts.c.ok.is_(False))
            .order_by(login_attempts.c.at)
        ).scalars().all()  # fmt: skip
        if len(failures) >= limit:
            return as_utc(failures[len(failures) - limit]) + THROTTLE_WINDOW
    return None


@dataclass(frozen=True)
class Session:
    """What the face hands to the browser once: the cookie value and the CSRF token."""

    token: str
    csrf_token: str
    user_id: str
    expires_at: dt.datetime


def login(db: Database, user_id: str, password: str, origin: str) -> Session:
    """Check a password and open a web session; throttled per user id and per address."""
    now = utcnow()
    with db.engine.begin() as conn:
        until = _throttled(conn, user_id, origin, now)
    if until is not None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise _fail(
            db, user_id, "login", origin,
            f"too many failed logins: try again in {minutes} minutes",
            f"demasiados intentos fallidos: intente de nuevo en {minutes} minutos", throttled=True,
        )  # fmt: skip
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(credentials.c.password_hash).where(credentials.c.user_id == user_id)
        ).scalar()
        principal = _active_principal(conn, user_id)
    ok = False
    try:
        ok = HASHER.verify(stored or _dummy_hash(), password) and stored is not None and principal is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with db.engine.begin() as conn:
        conn.execute(insert(login_attempts).values(user_id=user_id, origin=origin, at=now, ok=ok))
        if ok and stored is not None and HASHER.check_needs_rehash(stored):
            conn.execute(
                update(credentials)
                .where(credentials.c.user_id == user_id)
                .values(password_hash=HASHER.hash(password), updated_at=now)
            )
    if not ok:
        # an unknown user, a wrong password and a deactivated account read alike
        raise _fail(
            db, user_id, "login", origin, "wrong user or password", "usuario o contraseña incorrectos"
        )
    return open_session(db, user_id, origin, method="password")


def open_session(db: Database, user_id: str, origin: str, method: str) -> Session:
    """A new web session for an authenticated person (by password here; by OIDC later)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(hours=SESSION_HOURS)
    with db.engine.begin() as conn:
        conn.execute(
            insert(web_sessions).values(
                token_sha256=_sha(token), csrf_sha256=_sha(csrf), user_id=user_id, origin=origin,
                created_at=now, expires_at=expires, last_seen_at=now,
            )
        )  # fmt: skip
        audit.record(
            conn, user_id, "login", detail={"method": method, "session": _sha(token)[:12]}, origin=origin
        )
    return Session(token, csrf, user_id, expires)


def session_principal(
    db: Database, token: str, origin: str, *, unsafe: bool = False, csrf_token: str | None = None
) -> Principal:
    """The person behind a session cookie. A state-changing request (``unsafe``) must also present
    the session's CSRF token, which a page of another site cannot read."""
    now = utcnow()
    digest = _sha(token or "")
    with db.engine.begin() as conn:
        row = (
            conn.execute(select(web_sessions).where(web_sessions.c.token_sha256 == digest)).mappings().first()
        )
        live = (
            row is not None
            and row["ended_at"] is None
            and as_utc(row["expires_at"]) > now
            and as_utc(row["last_seen_at"]) + dt.timedelta(minutes=SESSION_IDLE_MINUTES) > now
        )
        principal = _active_principal(conn, row["user_id"]) if live and row is not None else None
        if principal is not None:
            conn.execute(
                update(web_sessions).where(web_sessions.c.token_sha256 == digest).values(last_seen_at=now)
            )
    if principal is None or row is None:
        raise _fail(
            db, row["user_id"] if row else "anonymous", "session", origin,
            "your session has ended: log in again", "su sesión terminó: inicie sesión de nuevo",
        )  # fmt: skip
    if unsafe and not (csrf_token and hmac.compare_digest(_sha(csrf_token), row["csrf_sha256"])):
        raise _fail(
            db, principal.user_id, "csrf", origin,
            "the request did not carry this session's CSRF token",
            "la solicitud no traía el token CSRF de esta sesión",
        )  # fmt: skip
    return principal


def logout(db: Database, token: str, origin: str) -> None:
    digest = _sha(token or "")
    with db.engine.begin() as conn:
        user = conn.execute(
            select(web_sessions.c.user_id).where(
                web_sessions.c.token_sha256 == digest, web_sessions.c.ended_at.is_(None)
            )
        ).scalar()
        if user is None:
            return
        conn.execute(
            update(web_sessions).where(web_sessions.c.token_sha256 == digest).values(ended_at=utcnow())
        )
        audit.record(conn, user, "logout", detail={"session": digest[:12]}, origin=origin)


# --- API tokens --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenInfo:
    id: str
    user_id: str
    name: str
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    def active(self, now: dt.datetime | None = None) -> bool:
        return self.revoked_at is None and as_utc(self.expires_at) > (now or utcnow())


def _may_manage(conn: Connection, actor: str, user_id: str) -> bool:
    if actor == user_id:
        return True
    principal = _active_principal(conn, actor)
    return principal is not None and Role.ADMIN in principal.roles


def create_token(
    db: Database, actor: str, user_id: str, name: str, days: int = 90, origin: str = "cli"
) -> tuple[TokenInfo, str]:
    """A new API token for ``user_id`` (by that person, an administrator or the local operator
    ``system``); returns its record and the token itself, which is shown this once only."""
    with db.engine.begin() as conn:
        allowed = actor == "system" or _may_manage(conn, actor, user_id)
        known = _active_principal(conn, user_id) is not None
    if not allowed:
        raise _fail(
            db, actor, "create_token", origin, "only the person or an administrator may create their tokens",
            "solo la persona o un administrador puede crear sus tokens", user=user_id,
        )  # fmt: skip
    if not known:
        raise _fail(
            db, actor, "create_token", origin, f"unknown or inactive principal '{user_id}'",
            f"usuario desconocido o inactivo '{user_id}'", user=user_id,
        )  # fmt: skip
    if not 1 <= days <= MAX_TOKEN_DAYS or not name.strip():
        raise _fail(
            db, actor, "create_token", origin,
            f"a token needs a name and runs 1 to {MAX_TOKEN_DAYS} days",
            f"un token necesita un nombre y dura de 1 a {MAX_TOKEN_DAYS} días", user=user_id,
        )  # fmt: skip
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    now = utcnow()
    values = {
        "id": token_id, "user_id": user_id, "name": name.strip()[:200], "secret_hash": HASHER.hash(secret),
        "created_by": actor, "created_at": now, "expires_at": now + dt.timedelta(days=days),
    }  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(insert(api_tokens).values(**values))
        audit.record(conn, actor, "create_token", detail={"token": token_id, "user": user_id}, origin=origin)
    info = TokenInfo(token_id, user_id, values["name"], actor, now, values["expires_at"], None, None)
    return info, f"{TOKEN_PREFIX}_{token_id}_{secret}"


# Tokens verified lately, by the SHA-256 of the whole token: argon2 is slow on purpose, and an API
# client calls many times. The row is still read on every call, so a revocation holds at once.
_VERIFIED: dict[str, str] = {}
_VERIFIED_MAX = 10_000


def token_verified(presented: str) -> bool:
    """Whether this token's secret was verified lately (its row is still read on every call)."""
    return _sha(presented or "") in _VERIFIED


def token_principal(db: Database, presented: str, origin: str) -> Principal:
    """The person an API token stands for; refused if unknown, wrong, expired or revoked."""
    parts = (presented or "").split("_", 2)
    token_id = parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else ""
    now = utcnow()
    # one read for the token and its principal: a lane calls many times a second
    with db.engine.connect() as conn:
        row = conn.execute(
            select(api_tokens, *(c.label(f"p_{c.name}") for c in principals.c))
            .outerjoin(principals, principals.c.user_id == api_tokens.c.user_id)
            .where(api_tokens.c.id == token_id)
        ).mappings().first()  # fmt: skip
    principal = None
    if row is not None and row["p_user_id"] is not None:
        principal = from_row({c.name: row[f"p_{c.name}"] for c in principals.c})
        principal = principal if principal.active else None
    if row is None:
        raise _fail(db, "anonymous", "token", origin, "unknown API token", "token de API desconocido")
    fingerprint = _sha(presented)
    if _VERIFIED.get(fingerprint) != row["secret_hash"]:
        try:
            HASHER.verify(row["secret_hash"], parts[2])
        except (VerificationError, InvalidHashError):
            raise _fail(
                db,
                row["user_id"],
                "token",
                origin,
                "unknown API token",
                "token de API desconocido",
                token=token_id,
            ) from None
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[fingerprint] = row["secret_hash"]
    if row["revoked_at"] is not None:
        raise _fail(
            db, row["user_id"], "token", origin,
            "this API token was revoked", "este token de API fue revocado", token=token_id,
        )  # fmt: skip
    if as_utc(row["expires_at"]) <= now:
        raise _fail(
            db, row["user_id"], "token", origin, "this API token has expired", "este token de API expiró",
            token=token_id,
        )  # fmt: skip
    if principal is None:
        raise _fail(
            db, row["user_id"], "token", origin, "the token's principal is deactivated",
            "el usuario del token está desactivado", token=token_id,
        )  # fmt: skip
    last = row["last_used_at"]
    if last is None or as_utc(last) + dt.timedelta(minutes=1) < now:  # one write a minute at most
        with db.engine.begin() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now))
    return principal


def revoke_token(db: Database, actor: str, token_id: str, origin: str = "cli") -> TokenInfo:
    """End a token at once (its owner, an administrator or the local operator)."""
    with db.engine.begin() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).mappings().first()
        allowed = row is not None and (actor == "system" or _may_manage(conn, actor, row["user_id"]))
    if row is None or not allowed:
        raise _fail(
            db, actor, "revoke_token", origin,
            f"no token {token_id} of yours", f"no tiene ningún token {token_id}", token=token_id,
        )  # fmt: skip
    with db.engine.begin() as conn:
        if row["revoked_at"] is None:
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=utcnow()))
        audit.record(
            conn, actor, "revoke_token", detail={"token": token_id, "user": row["user_id"]}, origin=origin
        )
        return _token(conn, token_id)


def list_tokens(db: Database, user_id: str | None = None) -> list[TokenInfo]:
    """Tokens (never their secrets), of one person or of everyone."""
    query = select(api_tokens).order_by(api_tokens.c.created_at)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    with db.engine.connect() as conn:
        return [_info(r) for r in conn.execute(query).mappings()]


def _token(conn: Connection, token_id: str) -> TokenInfo:
    return _info(conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).mappings().one())


def _info(row: Any) -> TokenInfo:
    return TokenInfo(
        row["id"], row["user_id"], row["name"], row["created_by"], row["created_at"], row["expires_at"],
        row["revoked_at"], row["last_used_at"],
    )  # fmt: skip
