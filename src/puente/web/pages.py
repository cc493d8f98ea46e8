"""The web pages: server-rendered HTML over the same core as the API, in English or Spanish.

No script is needed to use them (forms and links), so they work from the keyboard, offline and
with any assistive technology; the one stylesheet is the project's own. A session cookie
(HttpOnly, SameSite=Strict) carries the login; every form that changes anything carries the
session's CSRF token; every read states the purpose of use kept for the session.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from puente.ingest import quarantine as quarantine_ops
from puente.ingest import stewardship
from puente.ingest.issues import LoadError
from puente.ingest.profiles import bundled_profiles
from puente.model import vocab
from puente.model.labels import enum_label, field_label, record_type_label, relation_label
from puente.policy import access, oversight, requests
from puente.policy.access import Refused
from puente.policy.auth import SESSION_COOKIE, AuthError, login, logout, session_principal
from puente.policy.principals import Principal, Role
from puente.search import Filters, search
from puente.search.profile import profile
from puente.settle import after_loads
from puente.store.db import Database
from puente.web.i18n import LANG_COOKIE, LANGUAGES, language_of, t

log = logging.getLogger("puente.web")
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSRF_COOKIE = "puente_csrf"
PURPOSE_COOKIE = "puente_purpose"
RECORD_TYPES = ("person", "organization", "firearm", "vehicle", "phone", "location", "seizure", "crossing",
                "acquisition", "trace_request", "case")  # fmt: skip


class LoginNeeded(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class Seen:
    """The person behind a page request, and what the page needs of their session."""

    def __init__(self, db: Database, principal: Principal, lang: str, purpose: str, csrf: str) -> None:
        self.db, self.principal, self.lang, self.purpose, self.csrf = db, principal, lang, purpose, csrf

    @property
    def steward(self) -> bool:
        return Role.STEWARD in self.principal.roles

    @property
    def overseer(self) -> bool:
        return bool({Role.STEWARD, Role.SUPERVISOR} & self.principal.roles)


def _origin(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _secure(request: Request) -> bool:
    """Cookies are Secure except over plain HTTP to this machine itself (the demo on 127.0.0.1),
    where a browser would otherwise drop them."""
    if request.url.scheme == "https":
        return True
    host = request.url.hostname or ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


def _cookie(response: Response, request: Request, key: str, value: str) -> None:
    response.set_cookie(key, value, httponly=True, samesite="strict", secure=_secure(request), path="/")


def current(request: Request) -> Seen:
    """The signed-in person of a page request; a visitor without a live session is sent to log in."""
    db: Database = request.app.state.db
    token = request.cookies.get(SESSION_COOKIE["key"], "")
    if not token:
        raise LoginNeeded(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    try:
        principal = session_principal(db, token, _origin(request))
    except AuthError:
        raise LoginNeeded(request.url.path) from None
    return Seen(
        db, principal, language_of(request), request.cookies.get(PURPOSE_COOKIE, ""),
        request.cookies.get(CSRF_COOKIE, ""),
    )  # fmt: skip


def changing(request: Request, csrf: Annotated[str, Form()] = "") -> Seen:
    """As ``current``, for a form that changes something: it must carry the session's CSRF token."""
    seen = current(request)
    token = request.cookies.get(SESSION_COOKIE["key"], "")
    try:
        session_principal(seen.db, token, _origin(request), unsafe=True, csrf_token=csrf)
    except AuthError as exc:
        raise Refused(access.Decision(False, exc.en, exc.es)) from None
    return seen


Page = Annotated[Seen, Depends(current)]
Change = Annotated[Seen, Depends(changing)]


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an address elsewhere (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/search"
    return target


def render(request: Request, seen: Seen | None, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = seen.lang if seen else language_of(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    other = "es" if lang == "en" else "en"
    return templates.TemplateResponse(
        request, name,
        {"lang": lang, "other_lang": other, "switch_url": f"/lang/{other}?next={quote(path)}",
         "t": lambda key, **kw: t(key, lang, **kw), "seen": seen, "type_label": record_type_label,
         "field_label": field_label, "enum_label": enum_label, "relation_label": relation_label,
         "record_types": RECORD_TYPES,
         "contact": lambda p: p.contact_es if lang == "es" else p.contact_en, **context},
        status_code=status,
    )  # fmt: skip


def error_page(request: Request, status: int, en: str, es: str) -> HTMLResponse:
    lang = language_of(request)
    return render(request, None, "error.html", status=status, message=es if lang == "es" else en, code=status)


# --- signing in and out, language, purpose ----------------------------------------------------------------


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/search", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/search") -> HTMLResponse:
    return render(request, None, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    user_id: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=2000)] = "/search",
) -> Response:
    db: Database = request.app.state.db
    try:
        session = login(db, user_id.strip(), password, _origin(request))
    except AuthError as exc:
        error = exc.es if language_of(request) == "es" else exc.en
        return render(
            request, None, "login.html", status=401, next=_safe_next(next), error=error, user_id=user_id
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(response, request, SESSION_COOKIE["key"], session.token)
    _cookie(response, request, CSRF_COOKIE, session.csrf_token)
    return response


@router.post("/logout")
def logout_form(request: Request, seen: Change) -> Response:
    logout(seen.db, request.cookies.get(SESSION_COOKIE["key"], ""), _origin(request))
    response = RedirectResponse("/login", status_code=303)
    for key in (SESSION_COOKIE["key"], CSRF_COOKIE, PURPOSE_COOKIE):
        response.delete_cookie(key, path="/")
    return response


@router.get("/lang/{lang}")
def switch_language(request: Request, lang: str, next: str = "/search") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", secure=_secure(request), path="/",
                            max_age=365 * 86400)  # fmt: skip
    return response


@router.post("/purpose")
def set_purpose(
    request: Request,
    seen: Change,
    purpose: Annotated[str, Form(max_length=300)],
    next: Annotated[str, Form()] = "",
) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(response, request, PURPOSE_COOKIE, purpose.strip())
    return response


# --- search, profiles, records -------------------------------------------------------------------------


def _day(text: str) -> str | None:
    try:
        return dt.date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    seen: Page,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str, Query(max_length=40)] = "",
    nation: Annotated[str, Query(max_length=2)] = "",
    owner: Annotated[str, Query(max_length=40)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    port: Annotated[str, Query(max_length=40)] = "",
    state: Annotated[str, Query(max_length=10)] = "",
    purpose: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    purpose = purpose.strip() or seen.purpose
    filters = Filters(
        type or None,
        owner or None,
        nation or None,
        _day(date_from),
        _day(date_to),
        port or None,
        state or None,
    )
    result = None
    if q.strip() and purpose:
        result = search(seen.db, seen.principal, q, purpose, filters=filters, limit=25)
    kept = seen.purpose
    seen.purpose = purpose  # the bar shows the purpose this search was made for
    response = render(
        request, seen, "search.html", q=q, result=result, purpose=purpose, filters=filters,
        nations=sorted(vocab.nations()), agencies=sorted(vocab.agencies()),
        ports=_named(vocab.ports().values(), seen.lang), states=_named(vocab.states().values(), seen.lang),
    )  # fmt: skip
    if purpose != kept:
        _cookie(response, request, PURPOSE_COOKIE, purpose)
    return response


def _named(entries: Any, lang: str) -> list[tuple[str, str]]:
    """(code, name in the page's language) of a vocabulary's entries, by code."""
    return sorted((e.code, e.name_es if lang == "es" else e.name_en) for e in entries)


def _needs_purpose(request: Request, seen: Seen) -> HTMLResponse | None:
    if seen.purpose:
        return None
    return render(request, seen, "purpose.html", next=request.url.path)


@router.get("/profile/{record_id:path}", response_class=HTMLResponse)
def profile_page(request: Request, seen: Page, record_id: str) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    found = profile(seen.db, seen.principal, record_id, seen.purpose)
    if found is None:
        return render(request, seen, "error.html", status=404, message=t("not_found", seen.lang), code=404)
    return render(request, seen, "profile.html", profile=found, record_id=record_id)


ENUM_FIELDS = ("sex", "direction")


def _rows(node: Any, lang: str, path: str = "") -> list[tuple[str, str]]:
    """A record's content as (field path, value) rows, nested objects and lists flattened; the
    matching keys kept beside a name (its ``*_key`` forms) are left out."""
    if isinstance(node, dict):
        if set(node) <= {"text", "code", "value", "valid"} and "text" in node:  # a coded value
            shown = node.get("text")
            extra = node.get("code") or (node.get("value") if node.get("value") != shown else None)
            return [(path, f"{shown} ({extra})" if extra and extra != shown else str(shown))]
        out: list[tuple[str, str]] = []
        for key in sorted(node):
            if not key.endswith("_key"):
                out += _rows(node[key], lang, f"{path}.{key}" if path else key)
        return out
    if isinstance(node, list):
        out = []
        for i, item in enumerate(node):
            out += _rows(item, lang, f"{path}[{i}]")
        return out
    if path in ENUM_FIELDS and isinstance(node, str):
        return [(path, enum_label(path, node, lang))]
    return [(path, "" if node is None else str(node))]


@router.get("/record/{record_id:path}", response_class=HTMLResponse)
def record_page(request: Request, seen: Page, record_id: str) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    found = access.read_record(seen.db, seen.principal, record_id, seen.purpose)
    if found is None:
        return render(request, seen, "error.html", status=404, message=t("not_found", seen.lang), code=404)
    if isinstance(found, access.Pointer):
        return render(request, seen, "pointer.html", pointer=found, record_id=record_id,
                      contact_text=found.contact_es if seen.lang == "es" else found.contact_en)  # fmt: skip
    return render(request, seen, "record.html", view=found, rows=_rows(found.content, seen.lang))


# --- access requests ---------------------------------------------------------------------------------------


@router.get("/requests", response_class=HTMLResponse)
def requests_page(request: Request, seen: Page, sent: int = 0) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    found = requests.list_requests(seen.db, seen.principal, seen.purpose)
    return render(request, seen, "requests.html", requests=list(reversed(found)), sent=sent)


@router.post("/requests")
def request_form(
    seen: Change,
    record_id: Annotated[str, Form(max_length=400)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    requests.request_access(seen.db, seen.principal, record_id, reason, seen.purpose)
    return RedirectResponse("/requests?sent=1", status_code=303)


@router.post("/requests/{request_id}/decision")
def decision_form(
    seen: Change,
    request_id: int,
    decision: Annotated[str, Form(pattern="^(approve|deny)$")],
    days: Annotated[int, Form(ge=1, le=90)] = 30,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    requests.decide(seen.db, seen.principal, request_id, approve=decision == "approve", purpose=seen.purpose,
                    days=days, note=note)  # fmt: skip
    return RedirectResponse("/requests", status_code=303)


# --- stewards: upload, loads, quarantine; oversight ------------------------------------------------------


def _own_profiles(seen: Seen) -> list[tuple[str, str]]:
    return sorted(
        (name, p.title.get(seen.lang) or p.title.get("en") or name)
        for name, p in bundled_profiles().items()
        if p.agency == seen.principal.agency
    )


@router.get("/steward/upload", response_class=HTMLResponse)
def upload_page(request: Request, seen: Page) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    access.require(seen.db, seen.principal, "ingest", seen.purpose)
    return render(request, seen, "upload.html", profiles=_own_profiles(seen), error=None)


def _load_in_background(db: Database, seen: Seen, profile: str, name: str, folder: Path) -> None:
    """The load itself, after the page has answered: the steward follows it on the loads page."""
    try:
        with (folder / "upload").open("rb") as stream:
            report = stewardship.upload(db, seen.principal, seen.purpose, profile, name, stream)
        after_loads(db, [report])
    except (LoadError, Refused) as exc:  # on record already: a failed load, or a refusal audited
        log.info("upload not loaded: %s", type(exc).__name__)
    except Exception as exc:  # the run stays 'running' and resumes when the file is loaded again
        log.error("upload failed: %s", type(exc).__name__)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/steward/upload")
def upload_form(
    request: Request, seen: Change, file: UploadFile, profile: Annotated[str, Form(max_length=100)]
) -> Response:
    access.require(seen.db, seen.principal, "ingest", seen.purpose)
    if profile not in dict(_own_profiles(seen)):
        return render(request, seen, "upload.html", status=422, profiles=_own_profiles(seen),
                      error=t("refused", seen.lang))  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="puente-web-upload-"))
    with (folder / "upload").open("wb") as out:
        shutil.copyfileobj(file.file, out)
    worker = threading.Thread(
        target=_load_in_background, args=(seen.db, seen, profile, file.filename or "upload", folder),
        name="puente-upload", daemon=True,
    )  # fmt: skip
    worker.start()
    worker.join(timeout=2.0)  # a small file is loaded before the page answers
    return RedirectResponse("/steward/runs", status_code=303)


@router.get("/steward/runs", response_class=HTMLResponse)
def runs_page(request: Request, seen: Page) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    runs = stewardship.agency_runs(seen.db, seen.principal, seen.purpose, limit=50)
    running = any(r["status"] == "running" for r in runs)
    return render(request, seen, "runs.html", runs=runs, running=running)


@router.get("/steward/quarantine", response_model=None)
def quarantine_page(request: Request, seen: Page, format: str = "html") -> Response:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    entries = stewardship.agency_quarantine(seen.db, seen.principal, seen.purpose, limit=1000)
    if format == "csv":
        with tempfile.TemporaryDirectory(prefix="puente-web-export-") as folder:
            out = Path(folder) / "quarantine.csv"
            quarantine_ops.export_entries(seen.db, entries, out)
            body = out.read_bytes()
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="quarantine.csv"'})  # fmt: skip
    return render(request, seen, "quarantine.html", entries=entries)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, seen: Page) -> HTMLResponse:
    if (asked := _needs_purpose(request, seen)) is not None:
        return asked
    views = oversight.views_of_agency(seen.db, seen.principal, seen.purpose, limit=200)
    return render(request, seen, "audit.html", views=views)
