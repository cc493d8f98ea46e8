"""Each agency's export of a block, written as that agency would: its columns, language, date order,
encoding and file type, with recording noise, duplicate submissions and a few rows broken on purpose.

Every row written is recorded in the ground truth: the records Puente will make of it (by the same
record ids the mapping profiles build) and the true entity behind each, or the reason the row must
be quarantined.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from puente.model import vocab
from puente.synth import params
from puente.synth.noise import Noise
from puente.synth.people import TruePerson
from puente.synth.world import Block, Recovery

Truth = tuple[str, str, str, str, str]  # record_id, record_type, entity_id, firearm_id, vehicle_id
Break = tuple[str, Any, str]  # column, bad value, the quarantine (or flag) code Puente must give


@dataclass
class Row:
    values: dict[str, Any]
    truths: list[Truth]
    breaks: list[Break] = field(default_factory=list)
    # bad values a load must store flagged, not quarantine (a field read "on_invalid: flag"); drawn
    # as breaks are, one of either kind
    flaws: list[Break] = field(default_factory=list)


class TruthWriter:
    """The ground-truth files beside the feeds."""

    FILES = {
        "records": ("record_id", "record_type", "entity_id", "firearm_id", "vehicle_id"),
        "broken_rows": ("file", "row_number", "code"),
        "flagged_rows": ("file", "row_number", "code"),
        "recovered_vehicles": ("vehicle_id", "stolen_on", "recovered_on"),
        "duplicate_rows": ("file", "row_number", "duplicate_of"),
        "persons": (
            "person_id",
            "nation",
            "given_names",
            "paternal_surname",
            "maternal_surname",
            "sex",
            "birth_date",
            "curp",
            "ssn",
            "phone",
            "nickname",
            "org_id",
            "role",
        ),
        "organizations": ("org_id", "name", "person_id", "role"),
        "straw_guns": ("firearm_id", "serial", "straw_purchaser", "org_id", "sold_on", "recovered_on"),
        "crossings": (
            "record_id",
            "port",
            "direction",
            "contraband",
            "stolen_vehicle",
            "vehicle_id",
            "driver",
        ),
        "front_companies": ("org_id", "company_id", "name", "rfc"),
        "recoveries": (
            "recovery_id",
            "firearm_id",
            "origin",
            "traced",
            "agency",
            "recovered_on",
            "sold_on",
            "straw",
            "obliterated",
        ),
        # who each case names, and the nation holding the case: records of the other nation that
        # touch a subject are the cross-border leads
        "case_links": ("case_record_id", "person_id", "nation"),
    }

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._handles = {}
        self.writers: dict[str, Any] = {}
        for name, columns in self.FILES.items():
            handle = (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
            self._handles[name] = handle
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            self.writers[name] = writer

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


class Feed:
    """One agency file, written row by row across blocks."""

    def __init__(
        self,
        folder: Path,
        file: str,
        profile: str,
        columns: list[str],
        *,
        fmt: str = "csv",
        encoding: str = "utf-8",
        delimiter: str = ",",
        sheet: str | None = None,
    ) -> None:
        self.file, self.profile, self.columns, self.fmt = file, profile, columns, fmt
        self.encoding, self.delimiter, self.sheet = encoding, delimiter, sheet
        self.path = folder / file
        self.rows = 0  # data rows written
        self.records = 0
        self._xlsx_rows: list[list[Any]] = []
        if fmt == "csv":
            self._handle = self.path.open("w", encoding=encoding, errors="replace", newline="")
            self._csv = csv.writer(
                self._handle, delimiter=delimiter, lineterminator="\r\n" if encoding != "utf-8" else "\n"
            )
            self._csv.writerow(columns)
        elif fmt == "jsonl":
            self._handle = self.path.open("wb")

    def row_number(self) -> int:
        """The number Puente gives the next row: its line (CSV after the header, JSONL) or sheet row."""
        return self.rows + (1 if self.fmt == "jsonl" else 2)

    def write(self, values: dict[str, Any]) -> int:
        number = self.row_number()
        if self.fmt == "csv":
            self._csv.writerow(["" if values.get(c) is None else values.get(c) for c in self.columns])
        elif self.fmt == "jsonl":
            self._handle.write(orjson.dumps(values) + b"\n")
        else:
            self._xlsx_rows.append([values.get(c) for c in self.columns])
        self.rows += 1
        return number

    def close(self) -> None:
        if self.fmt == "xlsx":
            _write_xlsx(self.path, self.sheet or "Sheet1", self.columns, self._xlsx_rows)
        else:
            self._handle.close()


def _write_xlsx(path: Path, sheet: str, columns: list[str], rows: list[list[Any]]) -> None:
    """An XLSX whose bytes depend only on its content: fixed document times and zip entry times."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    ws = book.create_sheet(sheet)
    ws.append(columns)
    for row in rows:
        ws.append(row)

    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    # openpyxl stamps zip entries with the wall clock: repack them with one fixed time
    buffer = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    path.write_bytes(buffer.getvalue())


# --- writing rows with breakage and duplicates ------------------------------------------------------------


class Writers:
    def __init__(self, folder: Path, rng_seed: int) -> None:
        self.folder = folder
        self.truth = TruthWriter(folder / "truth")
        self.feeds: dict[str, Feed] = {}
        self._seed = rng_seed

    def add(self, key: str, feed: Feed) -> None:
        self.feeds[key] = feed

    def emit(self, key: str, row: Row, rng: random.Random) -> None:
        feed = self.feeds[key]
        values, flaw = row.values, None
        if (row.breaks or row.flaws) and rng.random() < params.BROKEN_ROW_RATE:
            n = rng.choice(range(len(row.breaks) + len(row.flaws)))  # as rng.choice(row.breaks) drew
            column, bad, code = (row.breaks + row.flaws)[n]
            values = dict(row.values)
            _set(values, column, bad)
            if n < len(row.breaks):
                number = feed.write(values)
                self.truth.writers["broken_rows"].writerow((feed.file, number, code))
                return
            flaw = code
        number = feed.write(values)
        if flaw is not None:
            self.truth.writers["flagged_rows"].writerow((feed.file, number, flaw))
        feed.records += len(row.truths)
        for truth in row.truths:
            self.truth.writers["records"].writerow(truth)
        if rng.random() < params.DUPLICATE_SUBMISSION_RATE:
            again = feed.write(values)
            self.truth.writers["duplicate_rows"].writerow((feed.file, again, number))

    def close(self) -> None:
        for feed in self.feeds.values():
            feed.close()
        self.truth.close()


def _set(values: dict[str, Any], column: str, value: Any) -> None:
    """Set a column; dotted names address nested JSON objects (JSON Lines feeds)."""
    if "." in column and column not in values:
        outer, inner = column.split(".", 1)
        values[outer] = {**values.get(outer, {}), inner: value}
    else:
        values[column] = value


# --- vocabulary helpers ----------------------------------------------------------------------------------


def state_name(code: str, lang: str = "es") -> str:
    return vocab.states()[code].label(lang)


def state_abbrev(code: str) -> str:
    state = vocab.states()[code]
    return (
        (getattr(state, "postal", None) or getattr(state, "curp", None) or code.split("-")[1])
        if code.startswith("US-")
        else (getattr(state, "curp", None) or code.split("-")[1])
    )


def _case_vehicle(
    v: Any, record_id: str, columns: tuple[str, str, str]
) -> tuple[dict[str, str], list[Truth]]:
    """A case file's columns for a subject's vehicle (plate, its state, VIN), blank when it names
    none, and the vehicle record's truth."""
    if v is None:
        return dict.fromkeys(columns, ""), []
    cells = dict(zip(columns, (v.plate, state_abbrev(v.plate_state), v.vin), strict=True))
    return cells, [(record_id, "vehicle", v.vehicle_id, "", v.vehicle_id)]


def nation_name(code: str) -> str:
    """A nation as a Mexican form names it (México, Estados Unidos)."""
    return vocab.nations()[code].name_es


def port_text(rng: random.Random, code: str) -> str:
    port = vocab.ports()[code]
    return str(port.bts_port_code) if rng.random() < 0.5 else port.name


_TYPE_ES = {"pistol": "PISTOLA", "rifle": "FUSIL", "revolver": "REVOLVER"}
_COLOR_ES = {
    "WHITE": "BLANCO",
    "BLACK": "NEGRO",
    "GRAY": "GRIS",
    "SILVER": "PLATA",
    "RED": "ROJO",
    "BLUE": "AZUL",
}


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- the feeds -------------------------------------------------------------------------------------------

FEEDS: dict[str, tuple[str, str, dict[str, Any], list[str]]] = {
    "acquisitions": (
        "atf_acquisitions.csv",
        "atf-acquisitions",
        {},
        [
            "TRANSACTION_ID",
            "FFL_NUMBER",
            "DEALER_NAME",
            "DEALER_STATE",
            "SALE_DATE",
            "WEAPON_TYPE",
            "MANUFACTURER",
            "MODEL",
            "CALIBER",
            "SERIAL_NUMBER",
            "IMPORTER",
            "COUNTRY_OF_MFG",
            "MULTIPLE_SALE",
            "BUYER_LAST",
            "BUYER_FIRST",
            "BUYER_DOB",
            "BUYER_SSN",
            "BUYER_STREET",
            "BUYER_CITY",
            "BUYER_STATE",
        ],
    ),
    "traces": (
        "atf_trace_results.csv",
        "atf-trace-results",
        {},
        [
            "TRACE_NUMBER",
            "REQUEST_DATE",
            "REQUESTING_AGENCY",
            "RECOVERY_DATE",
            "RECOVERY_CITY",
            "RECOVERY_STATE",
            "WEAPON_TYPE",
            "MANUFACTURER",
            "MODEL",
            "CALIBER",
            "SERIAL_NUMBER",
            "IMPORTER",
            "COUNTRY_OF_MFG",
            "TRACE_STATUS",
            "FFL_NUMBER",
            "PURCHASE_DATE",
            "PURCHASER_LAST",
            "PURCHASER_FIRST",
            "PURCHASER_DOB",
            "PURCHASER_SSN",
            "PURCHASER_CITY",
            "PURCHASER_STATE",
        ],
    ),
    "fgr": (
        "fgr_aseguramientos.csv",
        "fgr-aseguramientos",
        {"encoding": "latin-1", "delimiter": ";"},
        [
            "FOLIO",
            "FECHA_ASEGURAMIENTO",
            "TIPO_EVENTO",
            "MUNICIPIO",
            "ESTADO",
            "CARPETA_INVESTIGACION",
            "NUM_DETENIDO",
            "NOMBRE",
            "APELLIDO_PATERNO",
            "APELLIDO_MATERNO",
            "ALIAS",
            "FECHA_NACIMIENTO",
            "SEXO",
            "CURP",
            "TELEFONO",
            "TIPO_ARMA",
            "MARCA",
            "MODELO",
            "CALIBRE",
            "MATRICULA",
            "CARTUCHOS",
            "OBSERVACIONES",
        ],
    ),
    "gn": (
        "gn_detenidos.csv",
        "gn-detenidos",
        {},
        [
            "IPH",
            "NUM",
            "NOMBRE_COMPLETO",
            "EDAD",
            "FECHA_DETENCION",
            "ALIAS",
            "SEXO",
            "MUNICIPIO",
            "ESTADO",
            "MOTIVO",
        ],
    ),
    "crossings": ("cbp_crossings.jsonl", "cbp-crossings", {"fmt": "jsonl"}, []),
    "seizures": (
        "hsi_best_seizures.xlsx",
        "hsi-best-seizures",
        {"fmt": "xlsx", "sheet": "Seizures"},
        [
            "Seizure ID",
            "Date",
            "Port",
            "Direction",
            "Event",
            "Task Force",
            "Cash Amount",
            "Currency",
            "Rounds",
            "Ammo Caliber",
            "Drug",
            "Drug Grams",
            "Gun Type",
            "Gun Make",
            "Gun Caliber",
            "Gun Serial",
            "Plate",
            "Plate State",
            "VIN",
            "Subject Name",
            "Subject DOB",
            "Subject Phone",
            "Narrative",
        ],
    ),
    "ncic": (
        "ncic_stolen_vehicles.csv",
        "ncic-stolen-vehicles",
        {},
        ["NIC", "VIN", "LIC", "LIS", "VMA", "VMO", "VYR", "VCO", "DOT", "OCA", "DOR"],
    ),
    "repuve": (
        "repuve_robados.csv",
        "repuve-robados",
        {"encoding": "cp1252", "delimiter": "|"},
        [
            "FOLIO_ROBO",
            "NIV",
            "PLACA",
            "ENTIDAD_PLACA",
            "MARCA",
            "SUBMARCA",
            "MODELO",
            "COLOR",
            "FECHA_ROBO",
            "AVERIGUACION",
            "FECHA_RECUPERACION",
        ],
    ),
    "cases": (
        "hsi_cases.csv",
        "hsi-cases",
        {},
        [
            "CASE_NUMBER",
            "CASE_TITLE",
            "OPENED",
            "STATUS",
            "CASE_TYPE",
            "CASE_AGENT",
            "SUBJECT_NO",
            "SUBJECT_LAST",
            "SUBJECT_FIRST",
            "SUBJECT_DOB",
            "SUBJECT_CITIZENSHIP",
            "SUBJECT_PHONE",
            "SUBJECT_VEHICLE_PLATE",
            "SUBJECT_VEHICLE_STATE",
            "SUBJECT_VEHICLE_VIN",
        ],
    ),
    "carpetas": (
        "fgr_carpetas.csv",
        "fgr-carpetas",
        {"encoding": "latin-1", "delimiter": ";"},
        [
            "CARPETA",
            "DELITO",
            "FECHA_INICIO",
            "ESTATUS",
            "AGENTE_MP",
            "NUM_IMPUTADO",
            "NOMBRE",
            "APELLIDO_PATERNO",
            "APELLIDO_MATERNO",
            "ALIAS",
            "FECHA_NACIMIENTO",
            "SEXO",
            "NACIONALIDAD",
            "CURP",
            "TELEFONO",
            "PLACA_VEHICULO",
            "ENTIDAD_PLACA",
            "NIV",
        ],
    ),
}


def open_writers(folder: Path, seed: int) -> Writers:
    writers = Writers(folder, seed)
    for key, (file, profile, options, columns) in FEEDS.items():
        writers.add(key, Feed(folder, file, profile, columns, **options))
    return writers


class BlockWriter:
    """Writes one block into every feed."""

    def __init__(self, writers: Writers, block: Block, seed: int) -> None:
        self.w = writers
        self.block = block
        self.rng = random.Random(f"{seed}:{block.index}:feeds")
        self.noise = Noise(self.rng)

    def write(self) -> None:
        self._truth_people()
        self._acquisitions()
        self._traces()
        self._fgr()
        self._gn()
        self._crossings()
        self._seizures()
        self._stolen()
        self._cases()
        self._carpetas()

    # ground truth of the world itself
    def _truth_people(self) -> None:
        roles = self.block.roles
        writer = self.w.truth.writers["persons"]
        for p in self.block.people:
            org, role = roles.get(p.person_id, ("", ""))
            writer.writerow(
                (
                    p.person_id,
                    p.nation,
                    p.given_names,
                    p.paternal_surname,
                    p.maternal_surname or "",
                    p.sex,
                    p.birth_date.isoformat(),
                    p.curp or "",
                    p.ssn or "",
                    p.phone,
                    p.nickname or "",
                    org,
                    role,
                )
            )
        for org in self.block.orgs:
            for person, role in org.members:
                self.w.truth.writers["organizations"].writerow((org.org_id, org.name, person.person_id, role))
            for company_id, company, rfc in org.front_companies:
                self.w.truth.writers["front_companies"].writerow((org.org_id, company_id, company, rfc))
        for r in self.block.recoveries:
            self.w.truth.writers["recoveries"].writerow(
                (
                    r.recovery_id,
                    r.gun.gun_id,
                    r.origin,
                    int(r.traced),
                    r.agency,
                    r.recovered_on.isoformat(),
                    r.sale.sold_on.isoformat() if r.sale else "",
                    int(bool(r.sale and r.sale.org_id)),
                    int(r.obliterated),
                )
            )
        recovered = {r.gun.gun_id: r for r in self.block.recoveries}
        for sale in self.block.sales:
            if sale.org_id:
                r = recovered.get(sale.gun.gun_id)
                self.w.truth.writers["straw_guns"].writerow(
                    (
                        sale.gun.gun_id,
                        sale.gun.serial,
                        sale.buyer.person_id,
                        sale.org_id,
                        sale.sold_on.isoformat(),
                        r.recovered_on.isoformat() if r else "",
                    )
                )

    def _name_en(self, p: TruePerson) -> tuple[str, str, list[str]]:
        """Given name and one surname field, as US forms hold them (the noise may hyphenate)."""
        given, paternal, maternal, kinds = self.noise.person_name(p, "en")
        return given, f"{paternal} {maternal}" if maternal else paternal, kinds

    def _acquisitions(self) -> None:
        rng, noise = self.rng, self.noise
        for sale in self.block.sales:
            tid = f"A{sale.sale_id[1:]}"
            given, last, _ = self._name_en(sale.buyer)
            dob, _ = noise.date_text(sale.buyer.birth_date, "MDY")
            gun = sale.gun
            values = {
                "TRANSACTION_ID": tid,
                "FFL_NUMBER": sale.dealer.licence,
                "DEALER_NAME": sale.dealer.name,
                "DEALER_STATE": state_abbrev(sale.dealer.state),
                "SALE_DATE": sale.sold_on.strftime("%m/%d/%Y"),
                "WEAPON_TYPE": gun.gun_type.upper(),
                "MANUFACTURER": gun.make,
                "MODEL": gun.model,
                "CALIBER": gun.caliber,
                "SERIAL_NUMBER": gun.serial,
                "IMPORTER": gun.importer,
                "COUNTRY_OF_MFG": gun.country,
                "MULTIPLE_SALE": "Y" if sale.multiple_sale else "N",
                "BUYER_LAST": last,
                "BUYER_FIRST": given,
                "BUYER_DOB": dob,
                "BUYER_SSN": sale.buyer.ssn if sale.buyer.ssn and rng.random() < 0.4 else "",
                "BUYER_STREET": sale.buyer.address.street,
                "BUYER_CITY": sale.buyer.address.city,
                "BUYER_STATE": state_abbrev(sale.buyer.address.state),
            }
            truths = [
                (f"US/ATF:acquisition:{tid}", "acquisition", sale.sale_id, gun.gun_id, ""),
                (f"US/ATF:person:{tid}-purchaser", "person", sale.buyer.person_id, "", ""),
            ]
            self.w.emit(
                "acquisitions",
                Row(
                    values,
                    truths,
                    [("SALE_DATE", "02/30/2021", "invalid_date"), ("SALE_DATE", "01/15/2031", "future_date")],
                ),
                rng,
            )

    def _serial_text(self, r: Recovery) -> str:
        return self.rng.choice(("OBLITERATED", "GROUND OFF")) if r.obliterated else r.gun.serial

    def _traces(self) -> None:
        rng, noise = self.rng, self.noise
        for r in self.block.recoveries:
            number = f"T{r.recovered_on.year}{r.recovery_id[1:]}"
            requested = min(r.recovered_on + dt.timedelta(days=rng.randrange(3, 60)), dt.date(2024, 9, 30))
            gun = r.gun
            status = (
                "COMPLETED"
                if r.traced
                else "OBLITERATED SERIAL"
                if r.obliterated
                else "FOREIGN - NO US RECORD"
                if r.origin == "foreign"
                else "NO DEALER RECORD"
            )
            values = {
                "TRACE_NUMBER": number,
                "REQUEST_DATE": requested.strftime("%m/%d/%Y"),
                "REQUESTING_AGENCY": r.agency.split("/")[1],
                "RECOVERY_DATE": r.recovered_on.strftime("%m/%d/%Y"),
                "RECOVERY_CITY": r.municipality,
                "RECOVERY_STATE": state_name(r.state),
                "WEAPON_TYPE": gun.gun_type.upper(),
                "MANUFACTURER": gun.make,
                "MODEL": gun.model,
                "CALIBER": gun.caliber,
                "SERIAL_NUMBER": self._serial_text(r),
                "IMPORTER": gun.importer,
                "COUNTRY_OF_MFG": gun.country,
                "TRACE_STATUS": status,
            }
            truths = [(f"US/ATF:trace_request:{number}", "trace_request", r.recovery_id, gun.gun_id, "")]
            if r.traced and r.sale is not None:
                given, last, _ = self._name_en(r.sale.buyer)
                values.update(
                    {
                        "FFL_NUMBER": r.sale.dealer.licence,
                        "PURCHASE_DATE": r.sale.sold_on.strftime("%m/%d/%Y"),
                        "PURCHASER_LAST": last,
                        "PURCHASER_FIRST": given,
                        "PURCHASER_DOB": noise.date_text(r.sale.buyer.birth_date, "MDY")[0],
                        "PURCHASER_SSN": r.sale.buyer.ssn if r.sale.buyer.ssn and rng.random() < 0.2 else "",
                        "PURCHASER_CITY": r.sale.buyer.address.city,
                        "PURCHASER_STATE": state_abbrev(r.sale.buyer.address.state),
                    }
                )
                truths.append((f"US/ATF:person:{number}-purchaser", "person", r.sale.buyer.person_id, "", ""))
            self.w.emit(
                "traces",
                Row(
                    values,
                    truths,
                    [("REQUEST_DATE", "13/45/2023", "invalid_date"), ("TRACE_NUMBER", "", "missing_id")],
                ),
                rng,
            )

    def _fgr(self) -> None:
        rng, noise = self.rng, self.noise
        for r in self.block.recoveries:
            if r.agency != "MX/FGR":
                continue
            year = r.recovered_on.year
            folio = f"FGR-{r.state[3:]}-{year}-{r.recovery_id[1:]}"
            gun = r.gun
            rounds = str(rng.randrange(5, 400)) if rng.random() < 0.6 else ""
            values: dict[str, Any] = {
                "FOLIO": folio,
                "FECHA_ASEGURAMIENTO": r.recovered_on.strftime("%d/%m/%Y"),
                "TIPO_EVENTO": rng.choice(("Cateo", "Revisión en carretera", "Enfrentamiento", "Patrullaje")),
                "MUNICIPIO": r.municipality,
                "ESTADO": state_name(r.state),
                "CARPETA_INVESTIGACION": f"FED/{r.state[3:]}/{rng.randrange(10**6, 10**7)}/{year}",
                "TIPO_ARMA": _TYPE_ES[gun.gun_type],
                "MARCA": gun.make,
                "MODELO": gun.model,
                "CALIBRE": gun.caliber,
                "MATRICULA": "LIMADO" if r.obliterated else gun.serial,
                "CARTUCHOS": rounds,
                "OBSERVACIONES": "",
            }
            truths = [
                (f"MX/FGR:seizure:{folio}", "seizure", r.recovery_id, gun.gun_id, ""),
                (f"MX/FGR:firearm:{folio}-arma", "firearm", gun.gun_id, gun.gun_id, ""),
            ]
            breaks: list[Break] = [("FECHA_ASEGURAMIENTO", "31/02/2021", "invalid_date")]
            if rounds:
                breaks.append(("CARTUCHOS", "-12", "negative_quantity"))
            p = r.possessor
            if p is not None:
                given, paternal, maternal, _ = noise.person_name(p, "es")
                curp = p.curp if p.curp and rng.random() < 0.7 else ""
                values.update(
                    {
                        "NUM_DETENIDO": "1",
                        "NOMBRE": given,
                        "APELLIDO_PATERNO": paternal,
                        "APELLIDO_MATERNO": maternal or "",
                        "ALIAS": p.nickname or "",
                        "FECHA_NACIMIENTO": noise.date_text(p.birth_date, "DMY")[0],
                        "SEXO": "H" if p.sex == "male" else "M",
                        "CURP": curp,
                        "TELEFONO": noise.phone_text(p.phone, "es")[0] or "",
                    }
                )
                truths.append((f"MX/FGR:person:{folio}-1", "person", p.person_id, "", ""))
                if curp:
                    wrong = curp[:-1] + ("0" if curp[-1] != "0" else "1")
                    breaks.append(("CURP", wrong, "invalid_curp"))
            self.w.emit("fgr", Row(values, truths, breaks), rng)

    def _gn(self) -> None:
        rng, noise = self.rng, self.noise
        for n, (p, when, state, motive) in enumerate(self.block.detainees, start=1):
            iph = f"IPH-GN-{when.year}-{self.block.index:05d}{n:04d}"
            text, _ = noise.full_name(p, "es")
            values = {
                "IPH": iph,
                "NUM": "1",
                "NOMBRE_COMPLETO": text,
                "EDAD": str(_age(p.birth_date, when)),
                "FECHA_DETENCION": when.strftime("%d/%m/%Y"),
                "ALIAS": p.nickname or "",
                "SEXO": "H" if p.sex == "male" else "M",
                "MUNICIPIO": rng.choice(("Centro", "Norte", "Sur"))
                if state not in ("MX-BCN",)
                else "Tijuana",
                "ESTADO": state_name(state),
                "MOTIVO": motive,
            }
            self.w.emit(
                "gn",
                Row(
                    values,
                    [(f"MX/GN:person:{iph}-1", "person", p.person_id, "", "")],
                    [
                        ("NOMBRE_COMPLETO", "", "missing_value"),
                        ("FECHA_DETENCION", "30/02/2023", "invalid_date"),
                    ],
                ),
                rng,
            )

    def _crossings(self) -> None:
        rng, noise = self.rng, self.noise
        for c in sorted(self.block.crossings, key=lambda c: (c.at, c.crossing_id)):
            cid = f"{c.port[:3]}-{c.at.year}-{c.crossing_id[1:]}"
            p, v = c.driver, c.vehicle
            given, paternal, maternal, _ = noise.person_name(p, "en")
            offset = dt.timezone(dt.timedelta(hours=-7))
            values = {
                "crossing_id": cid,
                "crossed_at": c.at.replace(tzinfo=offset).isoformat(),
                "port": port_text(rng, c.port),
                "direction": "S" if c.direction == "southbound" else "N",
                "lane": c.lane,
                "occupants": c.occupants,
                "vehicle": {
                    "plate": v.plate,
                    "plate_state": state_abbrev(v.plate_state),
                    "vin": v.vin,
                    "make": v.make,
                    "model": v.model,
                    "year": v.year,
                    "color": v.color,
                },
                "driver": {
                    "last_name": f"{paternal} {maternal}" if maternal else paternal,
                    "first_name": given,
                    "dob": p.birth_date.isoformat(),
                    "citizenship": p.nation,
                },
            }
            rid = f"US/CBP:crossing:{cid}"
            truths = [
                (rid, "crossing", c.crossing_id, "", v.vehicle_id),
                (f"US/CBP:vehicle:{cid}-vehicle", "vehicle", v.vehicle_id, "", v.vehicle_id),
                (f"US/CBP:person:{cid}-driver", "person", p.person_id, "", ""),
            ]
            self.w.truth.writers["crossings"].writerow(
                (
                    rid,
                    c.port,
                    c.direction,
                    ";".join(c.contraband),
                    int(c.stolen_vehicle),
                    v.vehicle_id,
                    p.person_id,
                )
            )
            self.w.emit(
                "crossings",
                Row(
                    values,
                    truths,
                    [("port", "Atlantis", "unknown_port"), ("crossed_at", "", "missing_value")],
                ),
                rng,
            )

    def _seizures(self) -> None:
        rng = self.rng
        for s in self.block.seizures:
            c, p, v = s.crossing, s.crossing.driver, s.crossing.vehicle
            gun = s.guns[0] if s.guns else None
            port = vocab.ports()[c.port]
            given, paternal, maternal, _ = self.noise.person_name(p, "en")
            values = {
                "Seizure ID": f"BEST-{c.port[:3]}-{s.seizure_id[1:]}",
                "Date": c.at.date(),
                "Port": port.name,
                "Direction": "SB" if c.direction == "southbound" else "NB",
                "Event": "Outbound inspection" if c.direction == "southbound" else "Primary inspection",
                "Task Force": f"BEST-{port.us_state.upper().replace(' ', '-')}",
                "Cash Amount": s.cash_usd or None,
                "Currency": "USD" if s.cash_usd else None,
                "Rounds": s.rounds or None,
                "Ammo Caliber": s.ammo_caliber,
                "Drug": s.drug,
                "Drug Grams": s.drug_grams or None,
                "Gun Type": gun.gun_type.upper() if gun else None,
                "Gun Make": gun.make if gun else None,
                "Gun Caliber": gun.caliber if gun else None,
                "Gun Serial": gun.serial if gun else None,
                "Plate": v.plate,
                "Plate State": state_abbrev(v.plate_state),
                "VIN": v.vin,
                "Subject Name": f"{paternal}{' ' + maternal if maternal else ''}, {given}".upper(),
                "Subject DOB": p.birth_date.strftime("%m/%d/%Y"),
                "Subject Phone": None,
                "Narrative": f"{len(s.guns)} firearm(s)" if s.guns else "Narcotics in vehicle",
            }
            sid = values["Seizure ID"]
            truths = [
                (f"US/HSI:seizure:{sid}", "seizure", s.seizure_id, gun.gun_id if gun else "", v.vehicle_id),
                (f"US/HSI:person:{sid}-subject", "person", p.person_id, "", ""),
            ]
            breaks: list[Break] = [("Date", "Feb 30 2023", "invalid_date")]
            if s.cash_usd:
                breaks.append(("Cash Amount", -500, "negative_quantity"))
            self.w.emit("seizures", Row(values, truths, breaks), rng)

    def _stolen(self) -> None:
        rng = self.rng
        recovered = self.w.truth.writers["recovered_vehicles"]
        for v in self.block.stolen_us + self.block.stolen_mx:
            if v.recovered_on:
                recovered.writerow((v.vehicle_id, v.stolen_on, v.recovered_on))
        for v in self.block.stolen_us:
            nic = f"V{v.vehicle_id[1:]}"
            values = {
                "NIC": nic,
                "VIN": v.vin,
                "LIC": v.plate,
                "LIS": state_abbrev(v.plate_state),
                "VMA": v.make[:4],
                "VMO": v.model,
                "VYR": str(v.year),
                "VCO": v.color[:3],
                "DOT": v.stolen_on.strftime("%m/%d/%Y") if v.stolen_on else "",
                "OCA": v.theft_report,
                "DOR": v.recovered_on.strftime("%m/%d/%Y") if v.recovered_on else "",  # date of recovery
            }
            self.w.emit(
                "ncic",
                Row(
                    values,
                    [(f"US/FBI:vehicle:{nic}", "vehicle", v.vehicle_id, "", v.vehicle_id)],
                    flaws=[("DOT", "02/30/2023", "invalid_date")],
                ),
                rng,
            )
        for v in self.block.stolen_mx:
            folio = f"RB{v.vehicle_id[1:]}"
            values = {
                "FOLIO_ROBO": folio,
                "NIV": v.vin,
                "PLACA": v.plate,
                "ENTIDAD_PLACA": state_abbrev(v.plate_state),
                "MARCA": v.make,
                "SUBMARCA": v.model,
                "MODELO": str(v.year),
                "COLOR": _COLOR_ES[v.color],
                "FECHA_ROBO": v.stolen_on.strftime("%d/%m/%Y") if v.stolen_on else "",
                "AVERIGUACION": v.theft_report,
                "FECHA_RECUPERACION": v.recovered_on.strftime("%d/%m/%Y") if v.recovered_on else "",
            }
            self.w.emit(
                "repuve",
                Row(
                    values,
                    [(f"MX/SSPC:vehicle:{folio}", "vehicle", v.vehicle_id, "", v.vehicle_id)],
                    flaws=[("FECHA_ROBO", "31/02/2023", "invalid_date")],
                ),
                rng,
            )

    def _cases(self) -> None:
        rng = self.rng
        for case in self.block.cases:
            for n, p in enumerate(case.subjects, start=1):
                given, last, _ = self._name_en(p)
                values = {
                    "CASE_NUMBER": case.case_number,
                    "CASE_TITLE": case.title,
                    "OPENED": case.opened_on.isoformat(),
                    "STATUS": case.status,
                    "CASE_TYPE": case.case_type,
                    "CASE_AGENT": case.agent,
                    "SUBJECT_NO": str(n),
                    "SUBJECT_LAST": last,
                    "SUBJECT_FIRST": given,
                    "SUBJECT_DOB": p.birth_date.isoformat(),
                    "SUBJECT_CITIZENSHIP": p.nation,
                    "SUBJECT_PHONE": "",
                }
                truths = [
                    (f"US/HSI:case:{case.case_number}", "case", case.case_number, "", ""),
                    (f"US/HSI:person:{case.case_number}-{n}", "person", p.person_id, "", ""),
                ]
                columns = ("SUBJECT_VEHICLE_PLATE", "SUBJECT_VEHICLE_STATE", "SUBJECT_VEHICLE_VIN")
                rid = f"US/HSI:vehicle:{case.case_number}-{n}-v"
                cells, vehicle = _case_vehicle(case.vehicles.get(p.person_id), rid, columns)
                values |= cells
                truths += vehicle
                # a broken row here would also drop the case record the other subject rows share
                self.w.emit("cases", Row(values, truths if n == 1 else truths[1:], []), rng)
                self.w.truth.writers["case_links"].writerow(
                    (f"US/HSI:case:{case.case_number}", p.person_id, "US")
                )

    def _carpetas(self) -> None:
        rng, noise = self.rng, self.noise
        for case in self.block.mx_cases:
            for n, p in enumerate(case.subjects, start=1):
                given, paternal, maternal, _ = noise.person_name(p, "es")
                values = {
                    "CARPETA": case.case_number,
                    "DELITO": case.case_type,
                    "FECHA_INICIO": case.opened_on.strftime("%d/%m/%Y"),
                    "ESTATUS": case.status,
                    "AGENTE_MP": case.agent,
                    "NUM_IMPUTADO": str(n),
                    "NOMBRE": given,
                    "APELLIDO_PATERNO": paternal,
                    "APELLIDO_MATERNO": maternal or "",
                    "ALIAS": p.nickname or "",
                    "FECHA_NACIMIENTO": noise.date_text(p.birth_date, "DMY")[0],
                    "SEXO": "H" if p.sex == "male" else "M",
                    "NACIONALIDAD": nation_name(p.nation),
                    "CURP": p.curp if p.curp and rng.random() < 0.8 else "",
                    "TELEFONO": noise.phone_text(p.phone, "es")[0] or "",
                }
                rid = f"MX/FGR:case:{case.case_number}"
                truths = [
                    (rid, "case", case.case_number, "", ""),
                    (f"MX/FGR:person:{case.case_number}-{n}", "person", p.person_id, "", ""),
                ]
                vid = f"MX/FGR:vehicle:{case.case_number}-{n}-v"
                columns = ("PLACA_VEHICULO", "ENTIDAD_PLACA", "NIV")
                cells, vehicle = _case_vehicle(case.vehicles.get(p.person_id), vid, columns)
                values |= cells
                truths += vehicle
                # as for HSI cases: a broken row would drop the case record the other rows share
                self.w.emit("carpetas", Row(values, truths if n == 1 else truths[1:], []), rng)
                self.w.truth.writers["case_links"].writerow((rid, p.person_id, "MX"))
