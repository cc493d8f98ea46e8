"""One error shape for every refusal and failure: RFC 9457 problem details, in English or Spanish.

The language is the first of Accept-Language that Puente speaks (``es`` or ``en``), English when
none is; the body never carries a traceback or the text of an internal exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

PROBLEM_TYPE = "application/problem+json"


def language(request: Request) -> str:
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in ("es", "en"):
            return tag
    return "en"


def problem(
    request: Request,
    status: int,
    title: tuple[str, str],
    detail: tuple[str, str],
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem response; ``title`` and ``detail`` are (English, Spanish); ``headers`` are kept
    (a 405's Allow, say)."""
    es = language(request) == "es"
    body = {
        "type": "about:blank",
        "title": title[1] if es else title[0],
        "status": status,
        "detail": detail[1] if es else detail[0],
        "instance": request.url.path,
        **extra,
    }
    sent = {**(headers or {}), "Content-Language": "es" if es else "en"}
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=sent)


TITLES = {
    400: ("Bad request", "Solicitud incorrecta"),
    401: ("Not authenticated", "No autenticado"),
    403: ("Refused", "Rechazado"),
    404: ("Not found", "No encontrado"),
    405: ("Method not allowed", "Método no permitido"),
    422: ("Invalid request", "Solicitud inválida"),
    500: ("Internal error", "Error interno"),
    503: ("Unavailable for now", "No disponible por ahora"),
}


def title(status: int) -> tuple[str, str]:
    return TITLES.get(status, ("Error", "Error"))
