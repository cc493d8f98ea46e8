"""The application: ``/api/v1`` with its OpenAPI at ``/api/v1/openapi.json``, every error a
problem in the caller's language (en or es), never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

from puente import web
from puente.api import (
    deconfliction,
    governance,
    leads,
    network,
    principals,
    records,
    screening,
    search,
    stewards,
    traces,
    uploads,
    watches,
)
from puente.api.problems import problem, title
from puente.ingest.issues import LoadError
from puente.policy.access import Refused
from puente.policy.auth import AuthError
from puente.store.db import Database, connect

PREFIX = "/api/v1"
log = logging.getLogger("puente.api")
KNOWN = {
    400: ("the body could not be read as JSON", "el cuerpo no pudo leerse como JSON"),
    404: ("no such path", "no existe esa ruta"),
    405: ("method not allowed", "método no permitido"),
}


def _methods(request: Request) -> list[str]:
    """The methods some route serves at the request's path (FastAPI makes a route per method)."""
    found: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            found |= route.methods
    return sorted(found)


def create_app(db: Database | None = None) -> FastAPI:
    """The API over ``db`` (default: the configured database, its schema brought up to date)."""
    if db is None:
        db = connect()
        db.upgrade()
    app = FastAPI(
        title="Puente",
        version="1",
        summary="The US–Mexico exchange: records, entities and search under each agency's markings.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # the hosted docs pages load their scripts from a CDN; the UI works offline
        redoc_url=None,
    )
    app.state.db = db
    app.include_router(screening.router, prefix=PREFIX)  # first: routes are matched in order, lanes call most
    app.include_router(records.router, prefix=PREFIX)
    app.include_router(governance.router, prefix=PREFIX)
    app.include_router(stewards.router, prefix=PREFIX)
    app.include_router(uploads.router, prefix=PREFIX)
    app.include_router(search.router, prefix=PREFIX)
    app.include_router(principals.router, prefix=PREFIX)
    app.include_router(traces.router, prefix=PREFIX)
    app.include_router(deconfliction.router, prefix=PREFIX)
    app.include_router(watches.router, prefix=PREFIX)
    app.include_router(leads.router, prefix=PREFIX)
    app.include_router(network.router, prefix=PREFIX)
    web.mount(app)

    def answer(
        request: Request, status: int, detail: tuple[str, str], **extra: object
    ) -> JSONResponse | HTMLResponse:
        """A problem in the caller's language: JSON for the API, a page for the web."""
        if request.url.path.startswith(PREFIX):
            return problem(request, status, title(status), detail, **extra)  # type: ignore[arg-type]
        return web.error_page(request, status, *detail)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse | HTMLResponse:
        return answer(request, 403, (exc.decision.en, exc.decision.es))

    @app.exception_handler(LoadError)
    async def not_loaded(request: Request, exc: LoadError) -> JSONResponse | HTMLResponse:
        return answer(request, 422, (exc.en, exc.es), code=exc.code)

    @app.exception_handler(AuthError)
    async def unauthenticated(request: Request, exc: AuthError) -> JSONResponse | HTMLResponse:
        return answer(request, 401, (exc.en, exc.es))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse | HTMLResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        where = ", ".join(e["field"] for e in errors) or "the request"
        return answer(request, 422, (f"check {where}", f"revise {where}"), errors=errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse | HTMLResponse:
        detail = KNOWN.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only those of the first route
            headers["Allow"] = ", ".join(_methods(request))
        return answer(request, exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse | HTMLResponse:
        log.error("request failed: %s %s (%s)", request.method, request.url.path, type(exc).__name__)
        why = ("the request could not be completed; it was logged", "no se pudo completar la solicitud")
        return answer(request, 500, why)

    return app
