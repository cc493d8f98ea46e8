"""The web pages' words in English and Spanish, and the language a request asks for."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from starlette.requests import Request

LANG_COOKIE = "puente_lang"
LANGUAGES = ("en", "es")


@cache
def messages() -> dict[str, dict[str, str]]:
    text = resources.files("puente.web").joinpath("messages.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def t(key: str, lang: str, **values: Any) -> str:
    """One message in ``lang`` (English where it has no Spanish), with ``values`` filled in."""
    entry = messages().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def language_of(request: Request) -> str:
    """The language chosen on the page (a cookie), else the browser's first choice, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"
