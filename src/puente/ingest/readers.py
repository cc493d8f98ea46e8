"""Readers for agency exports: CSV (any delimiter and encoding), JSON Lines and XLSX.

A reader yields one :class:`InputRow` per data row, numbered as a person sees it in a spreadsheet
or editor (CSV/JSONL: the line where the row starts; XLSX: the sheet's row). A row that cannot be
read (bad bytes, wrong number of fields, broken JSON) is yielded with its problem so that it lands
in the quarantine rather than stopping the load. Problems with the whole file raise LoadError.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from puente.ingest.issues import LoadError, RowIssue, shorten
from puente.ingest.profiles import Profile

csv.field_size_limit(64 * 1024 * 1024)  # an oversized field is a quarantined row, not a crashed load

Cell = str | dt.date | dt.datetime


@dataclass(slots=True)
class InputRow:
    seq: int  # 0-based position among the file's data rows: the resume checkpoint counts these
    row_number: int
    sheet: str
    values: dict[str, Cell] | None  # column -> value as read; None when unreadable
    raw: dict[str, Any]  # what is stored as the row's original content
    issue: RowIssue | None = None


@dataclass(slots=True)
class Source:
    """An opened input file: its header and its rows."""

    columns: list[str]
    rows: Iterator[InputRow]
    sheet: str = ""


_UTF8_NAMES = {"utf-8", "utf8", "utf-8-sig"}
_SINGLE_BYTE = {"latin-1", "latin1", "iso-8859-1", "cp1252", "windows-1252"}


class _LineDecoder:
    """Decodes physical lines one at a time, recording the lines that had a problem."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.lower()
        self.bad: dict[int, RowIssue] = {}
        self.line = 0

    def decode(self, data: bytes) -> str:
        self.line += 1
        enc = self.encoding
        if enc == "auto":
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data.decode("cp1252", errors="replace")
        if enc in _UTF8_NAMES:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad[self.line] = RowIssue(
                    "invalid_encoding",
                    f"line {self.line} is not valid UTF-8 (byte {exc.start}): is the file Latin-1 or "
                    "Windows-1252? Set the profile's encoding",
                    f"la línea {self.line} no es UTF-8 válido (byte {exc.start}): ¿el archivo está en "
                    "Latin-1 o Windows-1252? Ajuste la codificación del perfil",
                )
                return data.decode("utf-8", errors="replace")
        if enc in _SINGLE_BYTE and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                self.bad[self.line] = RowIssue(
                    "encoding_mismatch",
                    f"line {self.line} looks UTF-8 encoded but the profile says {self.encoding}: "
                    "accents would be misread",
                    f"la línea {self.line} parece estar en UTF-8 pero el perfil indica {self.encoding}: "
                    "los acentos se leerían mal",
                )
        return data.decode(enc, errors="replace")


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _decodes_cleanly(path: Path, encoding: str) -> bool:
    """Whether every line would decode without a problem, checked in large chunks (fast)."""
    enc = encoding.lower()
    if enc == "auto":
        enc = "utf-8"
    if enc not in _UTF8_NAMES and enc not in _SINGLE_BYTE:
        return False
    decoder = codecs.getincrementaldecoder("utf-8" if enc in _UTF8_NAMES else enc)()
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            if enc in _SINGLE_BYTE and _UTF8_SEQUENCE.search(tail + chunk):
                return False  # looks like UTF-8: let the line-by-line path say which lines
            tail = chunk[-1:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _physical_lines(path: Path, decoder: _LineDecoder) -> Iterator[str]:
    if _decodes_cleanly(path, decoder.encoding):
        # the common case: let the codec decode the whole stream, with no per-line work
        encoding = "utf-8" if decoder.encoding in ("auto", *_UTF8_NAMES) else decoder.encoding
        with path.open(encoding=encoding, newline="") as handle:
            for line in handle:
                decoder.line += 1
                yield line
        return
    with path.open("rb") as handle:
        for data in handle:
            yield decoder.decode(data)


def _check_header(columns: list[str], profile: Profile, origin: str) -> None:
    if not any(c.strip() for c in columns):
        raise LoadError(
            "no_header",
            f"{origin}: the first row (the header) is empty",
            f"{origin}: la primera fila (encabezado) está vacía",
        )
    seen: set[str] = set()
    dupes = sorted({c for c in columns if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    if dupes:
        raise LoadError(
            "duplicate_columns",
            f"{origin}: the header repeats column(s) {', '.join(dupes)}",
            f"{origin}: el encabezado repite la(s) columna(s) {', '.join(dupes)}",
        )
    missing = sorted(profile.required_columns() - set(columns))
    if missing:
        found = ", ".join(shorten(c, 30) for c in columns[:12])
        raise LoadError(
            "missing_columns",
            f"{origin}: required column(s) missing for profile '{profile.name}': {', '.join(missing)} "
            f"(found: {found})",
            f"{origin}: faltan columna(s) obligatoria(s) para el perfil '{profile.name}': "
            f"{', '.join(missing)} (se encontraron: {found})",
        )


def _read_csv(path: Path, profile: Profile) -> Source:
    decoder = _LineDecoder(profile.encoding)
    lines = _physical_lines(path, decoder)
    first = next(lines, None)
    if first is None or not first.strip():
        raise LoadError("empty_file", f"{path.name} is empty", f"{path.name} está vacío")
    first = first.removeprefix("\ufeff")
    if 1 in decoder.bad:
        issue = decoder.bad[1]
        raise LoadError(issue.code, f"{path.name}: header {issue.en}", f"{path.name}: encabezado, {issue.es}")
    delimiter = profile.delimiter
    columns = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))]
    _check_header(columns, profile, path.name)

    def rows() -> Iterator[InputRow]:
        reader = csv.reader(lines, delimiter=delimiter)
        ncols = len(columns)
        seq = 0
        previous_end = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = previous_end + 1
                previous_end = reader.line_num + 1
                yield InputRow(
                    seq,
                    start,
                    "",
                    None,
                    {"_error": str(exc)},
                    RowIssue(
                        "unreadable_row",
                        f"row at line {start} cannot be parsed as CSV: {exc}",
                        f"la fila de la línea {start} no se puede leer como CSV: {exc}",
                    ),
                )
                seq += 1
                continue
            start = previous_end + 1
            end = reader.line_num + 1  # +1: the header line was consumed before the reader
            previous_end = end
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line: no data to keep
            issue = next((decoder.bad[n] for n in range(start, end + 1) if n in decoder.bad), None)
            if len(fields) != ncols:
                raw: dict[str, Any] = {"_fields": fields}
                issue = issue or RowIssue(
                    "field_count",
                    f"line {start} has {len(fields)} fields but the header has {ncols} "
                    "(a stray delimiter, an unclosed quote or a truncated file?)",
                    f"la línea {start} tiene {len(fields)} campos pero el encabezado tiene {ncols} "
                    "(¿un delimitador de más, una comilla sin cerrar o un archivo truncado?)",
                )
                yield InputRow(seq, start, "", None, raw, issue)
            else:
                values = dict(zip(columns, fields, strict=True))
                yield InputRow(seq, start, "", None if issue else values, values, issue)
            seq += 1

    return Source(columns, rows())


def flatten_json(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested JSON objects as dotted column names (vehicle.plate); lists joined with ';'."""
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_json(value, name + "."))
        elif isinstance(value, list):
            flat[name] = ";".join("" if v is None else str(v) for v in value)
        elif value is None:
            flat[name] = ""
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = str(value)
    return flat


def _read_jsonl(path: Path, profile: Profile) -> Source:
    decoder = _LineDecoder(profile.encoding)
    lines = _physical_lines(path, decoder)
    # JSON Lines has no header: peek at the first object to check the required fields.
    buffered: list[tuple[int, str]] = []
    first_obj: dict[str, Any] | None = None
    for text in lines:
        if not buffered:
            text = text.removeprefix("\ufeff")  # a byte-order mark some exporters write
        buffered.append((decoder.line, text))
        if text.strip():
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            if isinstance(parsed, dict):
                first_obj = parsed
                break
    if not buffered or all(not t.strip() for _, t in buffered) and first_obj is None:
        raise LoadError("empty_file", f"{path.name} is empty", f"{path.name} está vacío")
    if first_obj is None:
        raise LoadError(
            "not_json_lines",
            f"{path.name} has no JSON object on any line",
            f"{path.name} no tiene ningún objeto JSON en ninguna línea",
        )
    columns = list(flatten_json(first_obj))
    missing = sorted(profile.required_columns() - set(columns))
    if missing:
        raise LoadError(
            "missing_columns",
            f"{path.name}: the first object lacks required field(s) for profile '{profile.name}': "
            f"{', '.join(missing)}",
            f"{path.name}: al primer objeto le faltan campo(s) obligatorio(s) para el perfil "
            f"'{profile.name}': {', '.join(missing)}",
        )

    def numbered() -> Iterator[tuple[int, str]]:
        yield from buffered
        for text in lines:
            yield decoder.line, text

    def rows() -> Iterator[InputRow]:
        seq = 0
        for line_no, text in numbered():
            if not text.strip():
                continue
            issue = decoder.bad.get(line_no)
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                yield InputRow(
                    seq,
                    line_no,
                    "",
                    None,
                    {"_line": text.rstrip("\r\n")},
                    issue
                    or RowIssue(
                        "invalid_json",
                        f"line {line_no} is not valid JSON ({exc}); a truncated file?",
                        f"la línea {line_no} no es JSON válido ({exc}); ¿archivo truncado?",
                    ),
                )
            else:
                if not isinstance(parsed, dict):
                    yield InputRow(
                        seq,
                        line_no,
                        "",
                        None,
                        {"_line": text.rstrip("\r\n")},
                        RowIssue(
                            "not_an_object",
                            f"line {line_no} is JSON but not an object",
                            f"la línea {line_no} es JSON pero no es un objeto",
                        ),
                    )
                else:
                    values = flatten_json(parsed)
                    yield InputRow(seq, line_no, "", None if issue else values, parsed, issue)
            seq += 1

    return Source(columns, rows())


def _cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value if (value.hour, value.minute, value.second) != (0, 0, 0) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return str(value)


def _read_xlsx(path: Path, profile: Profile) -> Source:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken or truncated zips
        raise LoadError(
            "unreadable_xlsx",
            f"{path.name} cannot be opened as XLSX: {shorten(exc, 200)}",
            f"{path.name} no se puede abrir como XLSX: {shorten(exc, 200)}",
        ) from exc
    names = workbook.sheet_names
    sheet_name = profile.sheet or (names[0] if names else None)
    if sheet_name not in names:
        raise LoadError(
            "missing_sheet",
            f"{path.name} has no sheet '{sheet_name}' (sheets: {', '.join(names)})",
            f"{path.name} no tiene la hoja '{sheet_name}' (hojas: {', '.join(names)})",
        )
    table = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    if not table:
        raise LoadError(
            "empty_file",
            f"{path.name}: sheet '{sheet_name}' is empty",
            f"{path.name}: la hoja '{sheet_name}' está vacía",
        )
    columns = [str(_cell(c)).strip() for c in table[0]]
    while columns and not columns[-1]:
        columns.pop()
    _check_header(columns, profile, f"{path.name} [{sheet_name}]")

    def rows() -> Iterator[InputRow]:
        seq = 0
        for index, row in enumerate(table[1:], start=2):
            cells = [_cell(v) for v in row]
            if not any(c != "" for c in cells):
                continue
            extra = [c for c in cells[len(columns) :] if c != ""]
            values = dict(zip(columns, cells[: len(columns)], strict=False))
            for name in columns[len(cells) :]:
                values[name] = ""
            raw = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
            if extra:
                raw["_beyond_header"] = [str(c) for c in extra]
                yield InputRow(
                    seq,
                    index,
                    sheet_name,
                    None,
                    raw,
                    RowIssue(
                        "field_count",
                        f"row {index} has values beyond the last header column",
                        f"la fila {index} tiene valores después de la última columna del encabezado",
                    ),
                )
            else:
                yield InputRow(seq, index, sheet_name, values, raw)
            seq += 1

    return Source(columns, rows(), sheet_name)


def open_source(path: Path, profile: Profile) -> Source:
    """Open ``path`` as the profile's format, checking the header against the profile."""
    if not path.exists():
        raise LoadError("no_file", f"file not found: {path}", f"no se encontró el archivo: {path}")
    if path.is_dir():
        raise LoadError("no_file", f"{path} is a folder, not a file", f"{path} es una carpeta, no un archivo")
    if path.stat().st_size == 0:
        raise LoadError("empty_file", f"{path.name} is empty", f"{path.name} está vacío")
    if profile.format == "csv":
        return _read_csv(path, profile)
    if profile.format == "jsonl":
        return _read_jsonl(path, profile)
    return _read_xlsx(path, profile)


def rows_from_records(records: list[dict[str, str]], profile: Profile, row_numbers: list[int]) -> Source:
    """Rows given as column -> value mappings (a steward's re-submitted quarantine rows)."""
    columns = sorted({name for values in records for name in values})
    missing = sorted(profile.required_columns() - set(columns))
    if missing:
        raise LoadError(
            "missing_columns",
            f"re-submitted rows lack required column(s): {', '.join(missing)}",
            f"a las filas reenviadas les faltan columna(s) obligatoria(s): {', '.join(missing)}",
        )

    def rows() -> Iterator[InputRow]:
        for seq, (values, number) in enumerate(zip(records, row_numbers, strict=True)):
            clean = {k: "" if v is None else str(v) for k, v in values.items()}
            yield InputRow(seq, number, "", clean, clean)

    return Source(columns, rows())
