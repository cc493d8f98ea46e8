"""English and Spanish labels for record types, fields and enum values (data in labels.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "es")


@cache
def _labels() -> dict[str, Any]:
    text = resources.files("puente.model").joinpath("data/labels.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _pick(entry: dict[str, str] | None, lang: str, fallback: str) -> str:
    if not entry:
        return fallback
    return entry.get(lang) or entry.get("en") or fallback


def record_type_label(record_type: str, lang: str = "en") -> str:
    return _pick(_labels()["record_types"].get(record_type), lang, record_type)


def field_label(field: str, lang: str = "en") -> str:
    """Label of a field; a dotted path is labelled by its last part."""
    return _pick(_labels()["fields"].get(field.rsplit(".", 1)[-1]), lang, field)


def enum_label(enum: str, value: str, lang: str = "en") -> str:
    return _pick(_labels()["enums"].get(enum, {}).get(value), lang, value)


def relation_label(kind: str, lang: str = "en") -> str:
    return _pick(_labels().get("relation_kinds", {}).get(kind), lang, kind)


def item_kind_label(kind: str, lang: str = "en") -> str:
    return _pick(_labels()["item_kinds"].get(kind), lang, kind)


def labels_data() -> dict[str, Any]:
    """The whole label table (read-only use)."""
    return _labels()


def vocabulary_label(name: str, lang: str = "en") -> str:
    return _pick(_labels()["vocabularies"].get(name), lang, name)
