"""What every endpoint needs from a request: the database, the principal behind its token, and
the purpose of use it states (recorded in the audit log with what it reads)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import AwareDatetime, BeforeValidator
from starlette.concurrency import run_in_threadpool

from puente.policy.auth import AuthError, token_principal, token_verified
from puente.policy.principals import Principal
from puente.store.db import Database

PURPOSE_HEADER = "X-Purpose-Of-Use"


# The dependencies that do no I/O are coroutines: FastAPI would run plain functions in its thread
# pool, a hand-off per dependency and request.
async def database(request: Request) -> Database:
    return request.app.state.db


def origin(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(
            "send an API token: Authorization: Bearer <token>",
            "envíe un token de API: Authorization: Bearer <token>",
        )
    return token.strip()


def principal(
    request: Request,
    db: Annotated[Database, Depends(database)],
    authorization: Annotated[str | None, Header(description="Bearer pte_<id>_<secret>")] = None,
) -> Principal:
    """The principal of the API token in ``Authorization: Bearer``; refused without a valid one."""
    return token_principal(db, _bearer(authorization), origin(request))


# A lane's token is read again once a second at most, as its hot lists are: a revocation or a
# deactivation holds at the lanes within that second, and each check saves the read.
LANE_RECHECK_S = 1.0
_LANE_TOKENS: dict[tuple[int, str], tuple[Principal, float]] = {}


async def lane_principal(
    request: Request,
    db: Annotated[Database, Depends(database)],
    authorization: Annotated[str | None, Header(description="Bearer pte_<id>_<secret>")] = None,
) -> Principal:
    """As :func:`principal`, for the lane's check, which must answer in milliseconds: a token read
    within the last second is taken as it was; one verified before is read on the event loop (an
    indexed read); a new one (argon2, slow on purpose) goes to the thread pool so it stalls no lane."""
    token = _bearer(authorization)
    key = (id(db), token)
    held = _LANE_TOKENS.get(key)
    now = time.monotonic()
    if held is not None and now - held[1] < LANE_RECHECK_S:
        return held[0]
    if token_verified(token):
        found = token_principal(db, token, origin(request))
    else:
        found = await run_in_threadpool(token_principal, db, token, origin(request))
    if len(_LANE_TOKENS) >= 1_000:
        _LANE_TOKENS.clear()
    _LANE_TOKENS[key] = (found, now)
    return found


async def purpose(
    x_purpose_of_use: Annotated[
        str, Header(alias=PURPOSE_HEADER, description="Why you look: recorded in the audit log.")
    ] = "",
) -> str:
    return x_purpose_of_use


Db = Annotated[Database, Depends(database)]
Viewer = Annotated[Principal, Depends(principal)]
LaneViewer = Annotated[Principal, Depends(lane_principal)]
Purpose = Annotated[str, Depends(purpose)]


def _iso_day(value: object) -> object:
    """A day only as YYYY-MM-DD: pydantic would also take a number of seconds since 1970."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]


def _text_moment(value: object) -> object:
    """A moment only as ISO 8601 text: pydantic would also take a number of seconds since 1970."""
    if not isinstance(value, str | dt.datetime):
        raise ValueError("a moment is written as ISO 8601 text with its zone, e.g. 2027-01-05T06:00:00-06:00")
    return value


IsoMoment = Annotated[AwareDatetime, BeforeValidator(_text_moment)]
