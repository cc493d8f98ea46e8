"""What every endpoint needs from a request: the database, the principal behind its token, and
the purpose of use it states (recorded in the audit log with what it reads)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import AwareDatetime, BeforeValidator

from puente.policy.auth import AuthError, token_principal
from puente.policy.principals import Principal
from puente.store.db import Database

PURPOSE_HEADER = "X-Purpose-Of-Use"


def database(request: Request) -> Database:
    return request.app.state.db


def origin(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def principal(
    request: Request,
    db: Annotated[Database, Depends(database)],
    authorization: Annotated[str | None, Header(description="Bearer pte_<id>_<secret>")] = None,
) -> Principal:
    """The principal of the API token in ``Authorization: Bearer``; refused without a valid one."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(
            "send an API token: Authorization: Bearer <token>",
            "envíe un token de API: Authorization: Bearer <token>",
        )
    return token_principal(db, token.strip(), origin(request))


def purpose(
    x_purpose_of_use: Annotated[
        str, Header(alias=PURPOSE_HEADER, description="Why you look: recorded in the audit log.")
    ] = "",
) -> str:
    return x_purpose_of_use


Db = Annotated[Database, Depends(database)]
Viewer = Annotated[Principal, Depends(principal)]
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
