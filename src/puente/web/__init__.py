"""The web face: bilingual pages for analysts, officers and data stewards, over the core."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from puente.web.pages import LoginNeeded, error_page, router

__all__ = ["error_page", "mount"]


def mount(app: FastAPI) -> None:
    """Serve the pages and their stylesheet beside the API."""
    from puente.web import leads, network, operations, screening, tracing

    app.include_router(router)
    app.include_router(tracing.router)
    app.include_router(operations.router)
    app.include_router(leads.router)
    app.include_router(screening.router)
    app.include_router(network.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.exception_handler(LoginNeeded)
    async def to_login(request: Request, exc: LoginNeeded) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)
