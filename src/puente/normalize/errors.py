"""The single error type raised by the normalisers, with messages for data stewards on both sides."""

from __future__ import annotations

# Longer values are rejected before any parsing so that a corrupt field cannot cost time.
MAX_INPUT_LENGTH = 200
_EXCERPT_LENGTH = 40


class NormalizationError(ValueError):
    """A value that cannot be normalised; carries a machine code and messages in English and Spanish."""

    code: str
    en: str
    es: str

    def __init__(self, code: str, en: str, es: str) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.es = es

    def __str__(self) -> str:
        return self.en

    def __repr__(self) -> str:
        return f"NormalizationError({self.code!r}, {self.en!r}, {self.es!r})"

    # ValueError would pickle only args=(en,); workers in other processes must get all three back.
    def __reduce__(self) -> tuple[type[NormalizationError], tuple[str, str, str]]:
        return (type(self), (self.code, self.en, self.es))


def excerpt(value: object) -> str:
    """The value as shown inside messages: at most 40 characters, control characters made visible."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _EXCERPT_LENGTH:
        text = text[: _EXCERPT_LENGTH - 3] + "..."
    if not text.isprintable():
        text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text


def bounded(value: str | None, label_en: str, label_es: str) -> str:
    """Strip `value` and return it, or raise empty_value / value_too_long.

    `label_en` names the field in English ("CURP"), `label_es` in Spanish with its article ("la CURP").
    Fixed-width exports pad fields with spaces, so an over-long value is stripped once (C speed) before
    being rejected; nothing else runs on it.
    """
    if value is None:
        raise NormalizationError("empty_value", f"{label_en} is empty", f"El valor de {label_es} está vacío")
    if not isinstance(value, str):
        raise NormalizationError(
            "invalid_type",
            f"{label_en} must be text, got {type(value).__name__} {excerpt(value)}",
            f"El valor de {label_es} debe ser texto, se recibió {type(value).__name__} {excerpt(value)}",
        )
    if len(value) > MAX_INPUT_LENGTH:
        value = value.strip()
        if len(value) > MAX_INPUT_LENGTH:
            raise NormalizationError(
                "value_too_long",
                f"{label_en} '{excerpt(value)}' is {len(value)} characters long; "
                f"at most {MAX_INPUT_LENGTH} are accepted, check that the column is mapped correctly",
                f"El valor de {label_es} '{excerpt(value)}' tiene {len(value)} caracteres; "
                f"se aceptan como máximo {MAX_INPUT_LENGTH}, revise que la columna esté bien asignada",
            )
    else:
        value = value.strip()
    if not value:
        raise NormalizationError("empty_value", f"{label_en} is empty", f"El valor de {label_es} está vacío")
    return value
