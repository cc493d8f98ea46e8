"""Problems found in input, with messages a data steward can act on, in English and Spanish."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem in one row: which field (profile path or column), a code and the two messages."""

    code: str
    en: str
    es: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class LoadError(Exception):
    """The load cannot run at all (exit code 2): unreadable file, unknown profile, missing columns."""

    def __init__(self, code: str, en: str, es: str) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.es = es


def shorten(value: object, limit: int = 40) -> str:
    try:
        text = str(value)
    except ValueError:  # e.g. an integer too long to print
        return "<value too long>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Spanish wording for pydantic's error types; English comes from pydantic itself.
_PYDANTIC_ES = {
    "missing": "falta el campo obligatorio",
    "string_too_long": "el texto es demasiado largo (máximo {max_length} caracteres)",
    "string_too_short": "el texto está vacío",
    "greater_than_equal": "debe ser mayor o igual a {ge}",
    "less_than_equal": "debe ser menor o igual a {le}",
    "greater_than": "debe ser mayor que {gt}",
    "int_parsing": "no es un número entero",
    "int_from_float": "no es un número entero",
    "decimal_parsing": "no es un número",
    "float_parsing": "no es un número",
    "bool_parsing": "no es un valor sí/no",
    "date_from_datetime_parsing": "no es una fecha válida",
    "datetime_from_date_parsing": "no es una fecha y hora válida",
    "enum": "no es un valor permitido (se esperaba {expected})",
    "literal_error": "no es un valor permitido (se esperaba {expected})",
    "too_long": "tiene demasiados elementos",
    "extra_forbidden": "campo no reconocido",
}


def from_validation_error(error: dict[str, Any], prefix: str = "") -> RowIssue:
    """Turn one pydantic error into a RowIssue with a Spanish message."""
    loc = ".".join(str(part) for part in error.get("loc", ()))
    field = f"{prefix}{loc}" if loc else prefix.rstrip(".") or None
    ctx = error.get("ctx") or {}
    template = _PYDANTIC_ES.get(error.get("type", ""), "valor no válido")
    try:
        es = template.format(**ctx)
    except (KeyError, IndexError):
        es = template
    value = error.get("input")
    shown = "" if isinstance(value, dict | list) or value is None else f" ('{shorten(value)}')"
    return RowIssue(
        code=f"invalid_{error.get('type', 'value')}",
        en=f"{field or 'record'}: {error.get('msg', 'invalid value')}{shown}",
        es=f"{field or 'registro'}: {es}{shown}",
        field=field,
    )
