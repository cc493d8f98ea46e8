"""Synthetic agency exports for the ingest benchmark, in the three bundled profiles' formats.

Deterministic from a seed: each file has its own ``random.Random`` seeded with a string (hashed
with SHA-512 by Python, so the same on every platform and run). The rows imitate the bundled samples
(src/puente/samples): unique ids; Spanish names with compound given names, two surnames, particles
and accents, and English names; dates in each profile's date order; CURPs whose check digit is
computed with stdnum; VINs with the North-American check digit; Mexican phones written the ways
people write them; calibers, makes and firearm types in the alias forms the samples use. About 1%
of the rows are broken the ways the samples are (impossible and future dates, a missing id, a
negative quantity, a wrong CURP check digit, an unknown port, a missing time, a bad direction code,
a truncated JSON line): those are quarantined. A few more carry flaws that are kept with a flag
(a wrong VIN check digit, an invalid SSN, an unknown make), and the ATF file repeats a few rows
verbatim (counted as duplicates).

Not a benchmark module (its name starts with "_"): ``bench.ingest`` uses it.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson
import phonenumbers
from stdnum.mx import curp as stdnum_curp
from stdnum.us import ssn as stdnum_ssn

T = TypeVar("T")

BROKEN_RATE = 0.01  # rows quarantined on purpose
FLAWED_RATE = 0.004  # rows kept with a quality flag
DUPLICATE_RATE = 0.002  # ATF rows re-sent verbatim

# --- people ---------------------------------------------------------------------------------------

# fmt: off
MALE_GIVEN = (
    "José Luis", "Juan Carlos", "José Antonio", "Jesús Alberto", "Luis Fernando", "Miguel Ángel",
    "Juan Manuel", "Francisco Javier", "José de Jesús", "José Guadalupe", "Luis Ángel", "Juan Pablo",
    "Juan", "Luis", "Carlos", "Jorge", "Ramón", "Héctor", "Raúl", "Andrés", "Sergio", "Martín", "Óscar",
    "Iván", "Julián", "Rubén", "Efraín", "Joaquín", "Germán", "Tomás", "Adrián", "Eduardo", "Alejandro",
    "Fernando", "Ricardo", "Roberto", "Arturo", "Alfredo", "Javier", "Jesús", "Antonio", "Manuel",
    "Pedro", "Rafael", "Víctor", "Gerardo", "Ismael", "Abraham", "Noé", "Saúl", "Simón", "Nicolás",
)
FEMALE_GIVEN = (
    "María Guadalupe", "María José", "Ana María", "María Fernanda", "Ana Laura", "María de los Ángeles",
    "María Elena", "Rosa María", "Elena", "Verónica", "Mónica", "Leticia", "Sofía", "Lucía", "Araceli",
    "Rocío", "Inés", "Beatriz", "Ximena", "Itzel", "Citlali", "Yesenia", "Guadalupe", "Patricia",
    "Gabriela", "Adriana", "Alejandra", "Karla", "Brenda", "Dulce", "Marisol", "Noemí", "Raquel",
)
SURNAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
    "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez",
    "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez",
    "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán",
    "Velázquez", "Muñoz", "Rojas", "Salazar", "Contreras", "Ortega", "Luna", "Núñez", "Peña", "Treviño",
    "Garza", "Villarreal", "Ibáñez", "Beltrán", "Quiñones", "Zúñiga", "de la Garza", "de la Cruz",
    "del Ángel", "de León", "Ochoa", "Carrillo", "Caro", "Guerrero", "Félix", "Valenzuela", "Sepúlveda",
    "Bañuelos", "Montaño", "Acuña", "Cárdenas", "Escobedo", "Íñiguez", "Ceballos", "Urías", "Quintero",
)
NICKNAMES = (
    "El Güero", "La Güera", "El Flaco", "El Pelón", "El Negro", "El Compa", "La Morena", "El Chaparro",
    "El Cholo", "El Tigre", "El Pollo", "La Flaca", "Chuy", "Pepe", "Paco", "Lalo", "Memo", "Toño", "Beto",
    "Nacho", "El Chino", "Chino", "El Güero, Beto", "El Flaco; Memo", "El Ñoño", "El Oso",
)
EN_MALE = (
    "Michael", "James", "John", "Robert", "David", "William", "Christopher", "Daniel", "Matthew",
    "Anthony", "Joshua", "Kevin", "Brian", "Jason", "Ryan", "Tyler", "Brandon", "Justin", "Cody",
)
EN_FEMALE = (
    "Jennifer", "Ashley", "Jessica", "Amanda", "Sarah", "Stephanie", "Nicole", "Heather", "Megan",
    "Brittany", "Samantha", "Rachel", "Lauren", "Kayla",
)
EN_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Baker", "Nelson", "Carter", "Mitchell", "O'Brien",
)

# fmt: on

# --- places ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MxPlace:
    city: str
    state: str
    state_forms: tuple[str, ...]  # how records write the state
    folio: str  # state code in FGR folios and carpetas
    town: str  # municipality code in carpetas
    curp: str  # CURP birth-state code
    areas: tuple[str, ...]  # phone area codes


# fmt: off
MX_PLACES = (
    MxPlace("Reynosa", "Tamaulipas", ("Tamaulipas", "Tamps.", "TAMAULIPAS"), "TAM", "REY", "TS", ("899",)),
    MxPlace("Matamoros", "Tamaulipas", ("Tamaulipas", "Tamps."), "TAM", "MAT", "TS", ("868",)),
    MxPlace("Nuevo Laredo", "Tamaulipas", ("Tamaulipas", "Tamp."), "TAM", "NLD", "TS", ("867",)),
    MxPlace("Culiacán", "Sinaloa", ("Sinaloa", "Sin.", "SINALOA"), "SIN", "CUL", "SL", ("667",)),
    MxPlace("Mazatlán", "Sinaloa", ("Sinaloa",), "SIN", "MZT", "SL", ("669",)),
    MxPlace("Tijuana", "Baja California", ("Baja California", "B.C.", "BAJA CALIFORNIA"), "BC", "TIJ", "BC",
            ("664",)),
    MxPlace("Mexicali", "Baja California", ("Baja California", "Baja California Norte"), "BC", "MXL", "BC",
            ("686",)),
    MxPlace("Ensenada", "Baja California", ("Baja California",), "BC", "ENS", "BC", ("646",)),
    MxPlace("Nogales", "Sonora", ("Sonora", "Son."), "SON", "NOG", "SR", ("631",)),
    MxPlace("Hermosillo", "Sonora", ("Sonora", "SONORA"), "SON", "HMO", "SR", ("662",)),
    MxPlace("Agua Prieta", "Sonora", ("Sonora",), "SON", "AGP", "SR", ("633",)),
    MxPlace("San Luis Río Colorado", "Sonora", ("Sonora",), "SON", "SLR", "SR", ("653",)),
    MxPlace("Ciudad Juárez", "Chihuahua", ("Chihuahua", "Chih.", "CHIHUAHUA"), "CHIH", "JUA", "CH", ("656",)),
    MxPlace("Chihuahua", "Chihuahua", ("Chihuahua",), "CHIH", "CHI", "CH", ("614",)),
    MxPlace("Monterrey", "Nuevo León", ("Nuevo León", "Nuevo Leon", "N.L."), "NL", "MTY", "NL", ("81",)),
    MxPlace("Guadalajara", "Jalisco", ("Jalisco", "Jal.", "JALISCO"), "JAL", "GDL", "JC", ("33",)),
    MxPlace("Zapopan", "Jalisco", ("Jalisco",), "JAL", "ZAP", "JC", ("33",)),
    MxPlace("Cuauhtémoc", "Ciudad de México", ("Ciudad de México", "CDMX", "Cd. Mx."), "CDMX", "CUA", "DF",
            ("55",)),
    MxPlace("Ecatepec", "Estado de México", ("Estado de México", "Edo. de México", "Edomex"), "MEX", "ECA",
            "MC", ("55",)),
    MxPlace("Morelia", "Michoacán", ("Michoacán", "Michoacán de Ocampo", "Michoacan"), "MICH", "MOR", "MN",
            ("443",)),
    MxPlace("Uruapan", "Michoacán", ("Michoacán",), "MICH", "URU", "MN", ("452",)),
    MxPlace("Acapulco", "Guerrero", ("Guerrero", "Gro."), "GRO", "ACA", "GR", ("744",)),
    MxPlace("Chilpancingo", "Guerrero", ("Guerrero",), "GRO", "CHI", "GR", ("747",)),
    MxPlace("Celaya", "Guanajuato", ("Guanajuato", "Gto."), "GTO", "CEL", "GT", ("461",)),
    MxPlace("León", "Guanajuato", ("Guanajuato",), "GTO", "LEO", "GT", ("477",)),
    MxPlace("Torreón", "Coahuila", ("Coahuila", "Coahuila de Zaragoza", "Coah."), "COAH", "TRC", "CL",
            ("871",)),
    MxPlace("Piedras Negras", "Coahuila", ("Coahuila",), "COAH", "PNG", "CL", ("878",)),
    MxPlace("Fresnillo", "Zacatecas", ("Zacatecas", "Zac."), "ZAC", "FRE", "ZS", ("493",)),
    MxPlace("Durango", "Durango", ("Durango", "Dgo."), "DGO", "DGO", "DG", ("618",)),
    MxPlace("Veracruz", "Veracruz", ("Veracruz", "Veracruz de Ignacio de la Llave"), "VER", "VER", "VZ",
            ("229",)),
    MxPlace("Benito Juárez", "Quintana Roo", ("Quintana Roo", "Q. Roo"), "QROO", "CUN", "QR", ("998",)),
    MxPlace("Puebla", "Puebla", ("Puebla", "Pue."), "PUE", "PUE", "PL", ("222",)),
    MxPlace("Manzanillo", "Colima", ("Colima", "Col."), "COL", "MZO", "CM", ("314",)),
)
MX_PLACE_WEIGHTS = (9, 6, 5, 8, 3, 9, 5, 2, 5, 3, 3, 2, 8, 3, 6, 6, 3, 4, 3, 4, 2, 3, 2, 3, 2, 3, 1, 3, 2, 2,
                    2, 2, 2)
# fmt: on
CURP_STATES = tuple(sorted({p.curp for p in MX_PLACES} | {"OC", "SP", "YN", "NT", "HG", "MS", "TL", "AS"}))

# fmt: off
US_PLACES = (
    ("Pharr", "TX"), ("McAllen", "TX"), ("Brownsville", "TX"), ("Laredo", "TX"), ("El Paso", "TX"),
    ("San Antonio", "TX"), ("Houston", "TX"), ("Dallas", "TX"), ("Austin", "TX"), ("Eagle Pass", "TX"),
    ("Phoenix", "AZ"), ("Tucson", "AZ"), ("Mesa", "AZ"), ("Glendale", "AZ"), ("Yuma", "AZ"),
    ("Nogales", "AZ"),
    ("Chula Vista", "CA"), ("San Diego", "CA"), ("Los Angeles", "CA"), ("Calexico", "CA"), ("Fresno", "CA"),
    ("Albuquerque", "NM"), ("Las Cruces", "NM"), ("Atlanta", "GA"), ("Chicago", "IL"), ("Denver", "CO"),
)
US_PLACE_WEIGHTS = (6, 5, 4, 5, 5, 4, 8, 5, 3, 2, 8, 6, 3, 3, 2, 2, 4, 4, 5, 2, 2, 3, 2, 1, 1, 1)
# fmt: on


@dataclass(frozen=True)
class Port:
    forms: tuple[str, ...]  # how the feed writes the port (name, BTS code, aliases)
    prefix: str  # crossing id prefix
    plates: tuple[str, ...]  # plate issuers seen at the port
    utc_offset: tuple[int, int]  # standard, daylight saving (hours)


# fmt: off
PORTS = (
    Port(("San Ysidro", "2504", "SAN YSIDRO", "Puerta México"), "SYS", ("CA", "BC", "B.C."), (-8, -7)),
    Port(("Otay Mesa", "2506", "OTAY MESA", "Garita de Otay"), "OTM", ("CA", "BC"), (-8, -7)),
    Port(("El Paso", "2402", "Paso del Norte", "Bridge of the Americas", "Ysleta"), "ELP",
         ("TX", "CHIH", "NM"), (-7, -6)),
    Port(("Laredo", "2304", "LAREDO", "Nuevo Laredo"), "LRD", ("TX", "TAMPS", "NL"), (-6, -5)),
    Port(("Nogales", "2604", "NOGALES"), "NOG", ("AZ", "SON"), (-7, -7)),
    Port(("Calexico", "2503", "Calexico West"), "CXL", ("CA", "BC"), (-8, -7)),
    Port(("Calexico East", "2507", "Calexico Este"), "CXE", ("CA", "BC"), (-8, -7)),
    Port(("Hidalgo", "2305", "HIDALGO"), "HID", ("TX", "TAMPS"), (-6, -5)),
    Port(("Brownsville", "2301", "BROWNSVILLE"), "BRO", ("TX", "TAMPS"), (-6, -5)),
    Port(("Eagle Pass", "2303"), "EGP", ("TX", "COAH"), (-6, -5)),
    Port(("Del Rio", "2302"), "DRT", ("TX", "COAH"), (-6, -5)),
    Port(("Douglas", "2601"), "DOU", ("AZ", "SON"), (-7, -7)),
    Port(("San Luis", "2608"), "SLU", ("AZ", "SON", "BC"), (-7, -7)),
    Port(("Tecate", "2505"), "TEC", ("CA", "BC"), (-8, -7)),
    Port(("Santa Teresa", "2408"), "STR", ("NM", "CHIH"), (-7, -6)),
    Port(("Lukeville", "2602"), "LUK", ("AZ", "SON"), (-7, -7)),
)
PORT_WEIGHTS = (14, 9, 12, 10, 6, 5, 4, 5, 5, 3, 2, 2, 3, 2, 1, 1)
# fmt: on
UNKNOWN_PORTS = ("Atlantis", "Puerto 99", "PORT-X", "Ciudad Gótica")

# --- firearms ---------------------------------------------------------------------------------------

CAL_9 = ("9MM", "9mm", "9 mm", "9x19", "CAL. 9MM", "9mm Parabellum", "9 MM LUGER", "9 milímetros")
CAL_762X39 = ("7.62x39", "7,62x39", "7.62 X 39MM", "762x39", "CAL. 7.62X39", "7.62x39mm")
CAL_556 = ("5.56 NATO", "5.56x45", "5,56x45", ".223", "223 REM", "5.56 MM")
CAL_38SUPER = (".38 SUPER", ".38 Super", "38 SUPER AUTO", "CAL .38 SUPER", ".38 Súper")
CAL_38SPL = (".38 SPL", ".38 especial", "38 SPECIAL", ".38 Esp")
CAL_50 = (".50 BMG", "CAL .50", "50 BMG", "12.7x99")
CAL_45 = (".45 ACP", ".45", "45 AUTO", "CAL .45")
CAL_40 = (".40 S&W", ".40", "40 SW", "CAL .40")
CAL_380 = (".380", "380 ACP", "9mm corto", ".380 AUTO")
CAL_22 = (".22 LR", ".22", "22 largo", ".22 L.R.")
CAL_12GA = ("12 GA", "calibre 12", "12 GAUGE", "CAL. 12")
CAL_308 = (".308", "7.62x51", ".308 WIN", "7.62 NATO", "7,62x51")
CAL_57 = ("5.7x28", "5.7 X 28MM", "5,7x28")
CAL_357 = (".357 MAG", ".357")

TYPE_FORMS = {  # English (ATF) and Spanish (FGR) ways of writing the firearm type
    "PISTOL": (("PISTOL",), ("PISTOLA", "Pistola semiautomática", "ARMA CORTA")),
    "RIFLE": (("RIFLE",), ("FUSIL", "Fusil de asalto", "Carabina", "RIFLE")),
    "REVOLVER": (("REVOLVER",), ("REVOLVER", "Revólver")),
    "SHOTGUN": (("SHOTGUN",), ("ESCOPETA",)),
    "SMG": (("SUBMACHINE GUN",), ("Subametralladora",)),
}


@dataclass(frozen=True)
class Gun:
    kind: str
    makes: tuple[str, ...]
    models: tuple[str, ...]
    calibers: tuple[str, ...]
    country: str
    importer: str
    serial: str  # serial style
    weight: int


# fmt: off
GUNS = (
    Gun("PISTOL", ("Glock", "GLOCK", "Glock GmbH", "Glock Inc"), ("17", "19", "26", "43X", "G19 Gen5"), CAL_9,
        "AT", "", "glock", 14),
    Gun("PISTOL", ("Glock",), ("22", "23", "27"), CAL_40, "AT", "", "glock", 3),
    Gun("RIFLE", ("Romarm/Cugir", "Romarm", "Cugir"), ("WASR-10", "WASR-10/63"), CAL_762X39, "RO",
        "Century Arms", "romarm", 8),
    Gun("RIFLE", ("Century Arms", "Century International Arms", "CAI"), ("VSKA", "RAS47", "C39V2"),
        CAL_762X39, "US", "", "alnum", 6),
    Gun("RIFLE", ("Palmetto State Armory", "PSA"), ("PA-15", "PSA-15"), CAL_556, "US", "", "alnum", 5),
    Gun("RIFLE", ("Palmetto State Armory",), ("PSAK-47",), CAL_762X39, "US", "", "alnum", 2),
    Gun("RIFLE", ("Barrett", "Barrett Firearms"), ("M82A1", "M107A1", "M95"), CAL_50, "US", "", "alnum", 2),
    Gun("PISTOL", ("Colt", "COLT", "Colt's Manufacturing"), ("Super", "Government", "Commander"), CAL_38SUPER,
        "US", "", "alnum", 7),
    Gun("PISTOL", ("Colt",), ("M1911", "Government"), CAL_45, "US", "", "alnum", 3),
    Gun("RIFLE", ("Colt",), ("AR-15", "M4 Carbine", "LE6920"), CAL_556, "US", "", "alnum", 5),
    Gun("REVOLVER", ("Smith & Wesson", "S&W", "Smith and Wesson", "Smith y Wesson"), ("642", "Model 10"),
        CAL_38SPL, "US", "", "alnum", 4),
    Gun("REVOLVER", ("Smith & Wesson",), ("686",), CAL_357, "US", "", "alnum", 1),
    Gun("PISTOL", ("Smith & Wesson", "S&W"), ("M&P9", "SD9VE", "M&P Shield"), CAL_9, "US", "", "alnum", 4),
    Gun("RIFLE", ("Smith & Wesson",), ("M&P15",), CAL_556, "US", "", "alnum", 2),
    Gun("PISTOL", ("Taurus", "Forjas Taurus", "TAURUS"), ("G2C", "PT92", "G3"), CAL_9, "BR", "", "alnum", 6),
    Gun("RIFLE", ("Ruger", "Sturm, Ruger & Co., Inc.", "Sturm Ruger"), ("AR-556", "Mini-14"), CAL_556, "US",
        "", "ruger", 4),
    Gun("RIFLE", ("Ruger",), ("10/22",), CAL_22, "US", "", "ruger", 2),
    Gun("PISTOL", ("Ruger",), ("P95", "Security-9"), CAL_9, "US", "", "ruger", 2),
    Gun("RIFLE", ("DPMS", "DPMS Panther Arms"), ("A-15", "Oracle"), CAL_556, "US", "", "alnum", 2),
    Gun("PISTOL", ("FN Herstal", "FN", "FNH USA"), ("Five-seveN", "FiveSeven"), CAL_57, "BE", "", "alnum", 3),
    Gun("RIFLE", ("FN Herstal", "FN"), ("SCAR 17S", "FAL"), CAL_308, "BE", "", "alnum", 1),
    Gun("PISTOL", ("Beretta", "Pietro Beretta", "Beretta USA"), ("92FS", "PX4 Storm", "M9"), CAL_9, "IT", "",
        "alnum", 3),
    Gun("RIFLE", ("Norinco",), ("MAK-90", "NHM-91"), CAL_762X39, "CN", "Century Arms", "alnum", 1),
    Gun("RIFLE", ("Zastava", "Zastava Oružje"), ("PAP M70", "PAP M92"), CAL_762X39, "RS", "Century Arms",
        "alnum", 2),
    Gun("PISTOL", ("Springfield Armory", "Springfield"), ("XD-9", "Hellcat", "XDM"), CAL_9, "HR",
        "Springfield Armory", "alnum", 2),
    Gun("RIFLE", ("Bushmaster",), ("XM-15",), CAL_556, "US", "", "alnum", 2),
    Gun("SHOTGUN", ("Mossberg", "O.F. Mossberg & Sons"), ("500", "590"), CAL_12GA, "US", "", "alnum", 2),
    Gun("SHOTGUN", ("Remington",), ("870",), CAL_12GA, "US", "", "alnum", 1),
    Gun("PISTOL", ("SIG Sauer", "Sig Sauer Inc", "SIG"), ("P320", "P365", "P226"), CAL_9, "US", "", "alnum",
        2),
    Gun("PISTOL", ("Hi-Point",), ("C9",), CAL_9, "US", "", "digits", 1),
    Gun("PISTOL", ("Bersa",), ("Thunder 380",), CAL_380, "AR", "", "digits", 2),
    Gun("PISTOL", ("Walther",), ("PPK", "PPK/S"), CAL_380, "DE", "", "alnum", 1),
    Gun("RIFLE", ("Izhmash", "Kalashnikov Concern"), ("Saiga", "AK-47"), CAL_762X39, "RU", "", "alnum", 1),
    Gun("PISTOL", ("Heckler & Koch", "H&K", "HK"), ("USP", "VP9"), CAL_9, "DE", "", "alnum", 1),
    Gun("SMG", ("Heckler & Koch",), ("MP5",), CAL_9, "DE", "", "alnum", 1),
    Gun("RIFLE", ("Daniel Defense",), ("DDM4",), CAL_556, "US", "", "alnum", 1),
)
# fmt: on
GUN_WEIGHTS = tuple(g.weight for g in GUNS)
UNKNOWN_MAKES = ("Hechiza", "Artesanal", "Sin marca", "Desconocida")
OBLITERATED = ("OBLITERATED", "GROUND OFF", "LIMADO", "ILEGIBLE", "BORRADO", "RASPADO")

# --- vehicles ---------------------------------------------------------------------------------------

# fmt: off
VEHICLES = (  # make, model, WMIs (first three VIN characters)
    ("FORD", "F-150", ("1FT", "1FT", "3FT")), ("FORD", "RANGER", ("1FT",)), ("FORD", "FUSION", ("3FA",)),
    ("CHEVROLET", "SILVERADO", ("1GC", "3GC")), ("CHEVROLET", "TAHOE", ("1GN",)),
    ("CHEVROLET", "AVEO", ("3G1",)),
    ("GMC", "SIERRA", ("1GT", "3GT")), ("NISSAN", "SENTRA", ("3N1",)), ("NISSAN", "FRONTIER", ("1N6",)),
    ("NISSAN", "VERSA", ("3N1",)), ("TOYOTA", "CAMRY", ("4T1",)), ("TOYOTA", "TACOMA", ("5TF", "3TM")),
    ("TOYOTA", "COROLLA", ("2T1", "5YF")), ("HONDA", "ACCORD", ("1HG",)), ("HONDA", "CIVIC", ("2HG", "19X")),
    ("DODGE", "RAM", ("1C6", "3C6")), ("DODGE", "CHARGER", ("2C3",)), ("JEEP", "GRAND CHEROKEE", ("1C4",)),
    ("VOLKSWAGEN", "JETTA", ("3VW",)), ("KIA", "RIO", ("3KP",)), ("HYUNDAI", "ELANTRA", ("5NP",)),
    ("MAZDA", "MAZDA3", ("3MZ",)), ("VOLKSWAGEN", "GOLF", ("WVW",)), ("NISSAN", "ALTIMA", ("1N4",)),
)
COLORS = ("WHITE", "BLACK", "SILVER", "GRAY", "RED", "BLUE", "GREEN", "BEIGE", "GOLD", "BROWN", "MAROON")
LANES = ("GENERAL", "GENERAL", "GENERAL", "READY", "READY", "SENTRI")
NATIONALITIES = ("MX", "MX", "MX", "MX", "US", "US", "US", "GT", "HN", "SV")
# fmt: on

# --- check digits -------------------------------------------------------------------------------------

_VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
_VIN_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_VALUE = {str(d): d for d in range(10)} | dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980-2009, then again from 2010


def vin_check_digit(vin: str) -> str:
    """The North-American (49 CFR 565) check digit of a 17-character VIN (position 9 ignored)."""
    total = sum(_VIN_VALUE[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def make_vin(rng: random.Random, wmi: str, year: int) -> str:
    # Position 7 is a letter for model years 2010-2039 and a digit for 1980-2009 (49 CFR 565).
    vds = [rng.choice(_VIN_ALPHABET) for _ in range(5)]
    vds[3] = rng.choice(_VIN_LETTERS) if year >= 2010 else str(rng.randrange(10))
    year_code = _YEAR_CODES[(year - 1980) % 30]
    plant = rng.choice(_VIN_ALPHABET)
    serial = f"{rng.randrange(1_000_000):06d}"
    vin = f"{wmi}{''.join(vds)}0{year_code}{plant}{serial}"
    return vin[:8] + vin_check_digit(vin) + vin[9:]


def _fold(text: str) -> str:
    text = text.replace("Ñ", "X").replace("ñ", "x")  # the CURP writes Ñ as X
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_CURP_PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VON", "VAN", "DA", "DI"}
_CURP_SKIPPED_GIVEN = {"JOSE", "J", "MARIA", "MA", "M"}
_VOWELS = "AEIOU"


def _curp_word(text: str, given: bool = False) -> str:
    words = [w for w in _fold(text).replace("-", " ").split() if w.isalpha()]
    kept = [w for w in words if w not in _CURP_PARTICLES] or words or ["X"]
    if given and len(kept) > 1 and kept[0] in _CURP_SKIPPED_GIVEN:
        return kept[1]
    return kept[0]


def _inner_vowel(word: str) -> str:
    return next((c for c in word[1:] if c in _VOWELS), "X")


def _inner_consonant(word: str) -> str:
    return next((c for c in word[1:] if c.isalpha() and c not in _VOWELS), "X")


def make_curp(
    rng: random.Random, given: str, paternal: str, maternal: str, birth: dt.date, sex: str, state: str
) -> str:
    """A CURP built the way RENAPO builds one, check digit by stdnum.mx.curp.calc_check_digit."""
    p, g = _curp_word(paternal), _curp_word(given, given=True)
    m = _curp_word(maternal) if maternal else "X"
    second = _inner_vowel(p)
    tail = (
        f"{birth:%y%m%d}{sex}{state}{_inner_consonant(p)}{_inner_consonant(m) if maternal else 'X'}"
        f"{_inner_consonant(g)}{rng.randrange(10) if birth.year < 2000 else rng.choice('ABCDEFGH')}"
    )
    for second_letter in (second, "X"):  # an offensive word in the first four letters: X replaces letter 2
        body = f"{p[0]}{second_letter}{m[0]}{g[0]}{tail}"
        number = body + stdnum_curp.calc_check_digit(body)
        if stdnum_curp.is_valid(number):
            return number
    raise ValueError(f"could not build a valid CURP for {given} {paternal} {maternal}")


# --- small helpers ------------------------------------------------------------------------------------


def _pick(rng: random.Random, items: Sequence[T], weights: Sequence[int] | None = None) -> T:
    if weights is None:
        return items[int(rng.random() * len(items))]
    return rng.choices(items, weights)[0]


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _mdy(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def _dmy(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def _plain(text: str) -> str:
    """Accents dropped, as many US systems write Spanish names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


EPOCH_START = dt.date(2019, 1, 1)
EPOCH_END = dt.date(2025, 10, 31)  # fixed, so files do not depend on the day they are generated
FUTURE_YEARS = (2031, 2032, 2035)


@dataclass
class Spanish:
    given: str
    paternal: str
    maternal: str
    sex: str  # H or M
    birth: dt.date


def spanish_person(rng: random.Random, born_from: int = 1958, born_to: int = 2005) -> Spanish:
    sex = "H" if rng.random() < 0.86 else "M"
    given = _pick(rng, MALE_GIVEN if sex == "H" else FEMALE_GIVEN)
    paternal = _pick(rng, SURNAMES)
    maternal = _pick(rng, SURNAMES) if rng.random() < 0.96 else ""
    birth = _day(rng, dt.date(born_from, 1, 1), dt.date(born_to, 12, 31))
    return Spanish(given, paternal, maternal, sex, birth)


_PHONE_CACHE: dict[str, bool] = {}


def _valid_mx(digits: str) -> bool:
    known = _PHONE_CACHE.get(digits)
    if known is None:
        known = phonenumbers.is_valid_number(phonenumbers.parse("+52" + digits))
        _PHONE_CACHE[digits] = known
    return known


def mexican_phone(rng: random.Random, areas: Sequence[str]) -> str:
    """A valid Mexican number, written the ways people write them (incl. pre-2019 dialling prefixes)."""
    area = _pick(rng, areas)
    for _ in range(50):
        rest = str(rng.randrange(2, 10)) + _digits(rng, 9 - len(area))
        if _valid_mx(area + rest):
            break
    else:
        raise ValueError(f"no valid phone found for area {area}")
    if len(area) == 2:
        a, b = rest[:4], rest[4:]
        forms = (
            f"{area} {a} {b}",
            f"({area}) {a}-{b}",
            f"{area}{a}{b}",
            f"+52 {area} {a} {b}",
            f"044 {area} {a} {b}",
            f"01 {area} {a} {b}",
            f"{area}-{a}-{b}",
        )
    else:
        a, b = rest[:3], rest[3:]
        forms = (
            f"{area} {a} {b}",
            f"({area}) {a}-{b}",
            f"{area}{a}{b}",
            f"+52 {area} {a} {b}",
            f"044 {area} {a} {b}",
            f"01 {area} {a} {b}",
            f"{area}-{a}-{b}",
            f"+52 1 {area} {a} {b}",
            f"{area} {a} {b[:2]} {b[2:]}",
        )
    return _pick(rng, forms)


def us_ssn(rng: random.Random) -> str:
    while True:
        area = rng.randrange(1, 900)
        if area == 666:
            continue
        number = f"{area:03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"
        if stdnum_ssn.is_valid(number):
            return f"{number[:3]}-{number[3:5]}-{number[5:]}" if rng.random() < 0.8 else number


def firearm_serial(rng: random.Random, style: str) -> str:
    roll = rng.random()
    if roll < 0.03:
        return _pick(rng, OBLITERATED)
    if style == "glock":
        serial = _letters(rng, rng.choice((3, 4))) + _digits(rng, 3)
    elif style == "romarm":
        serial = f"{rng.randrange(1, 10)}-{_letters(rng, 2)}{_digits(rng, 4)}-{_digits(rng, 2)}"
    elif style == "ruger":
        serial = f"{_digits(rng, 3)}-{_digits(rng, 5)}"
    elif style == "digits":
        serial = _digits(rng, 7)
    else:
        serial = _letters(rng, rng.choice((2, 3))) + _digits(rng, rng.choice((5, 6)))
    if roll < 0.05:  # partly legible
        cut = rng.randrange(1, len(serial) - 2)
        serial = serial[:cut] + rng.choice(("**", "*", "?")) + serial[cut + 2 :]
    return serial


# --- the files ----------------------------------------------------------------------------------------


@dataclass
class FileStats:
    """What a generated file should give when loaded: counted while writing it."""

    file: str
    profile: str
    rows: int = 0
    expected_records: int = 0
    expected_quarantined: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    flagged: Counter[str] = field(default_factory=Counter)
    bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "profile": self.profile,
            "rows": self.rows,
            "expected_records": self.expected_records,
            "expected_quarantined": sum(self.expected_quarantined.values()),
            "quarantined_by_code": dict(sorted(self.expected_quarantined.items())),
            "duplicates": self.duplicates,
            "flagged": dict(sorted(self.flagged.items())),
            "bytes": self.bytes,
        }


# fmt: off
ATF_HEADER = [
    "TRACE_NUMBER", "REQUEST_DATE", "REQUESTING_AGENCY", "RECOVERY_DATE", "RECOVERY_CITY", "RECOVERY_STATE",
    "WEAPON_TYPE", "MANUFACTURER", "MODEL", "CALIBER", "SERIAL_NUMBER", "IMPORTER", "COUNTRY_OF_MFG",
    "TRACE_STATUS", "FFL_NUMBER", "PURCHASE_DATE", "PURCHASER_LAST", "PURCHASER_FIRST", "PURCHASER_DOB",
    "PURCHASER_SSN", "PURCHASER_CITY", "PURCHASER_STATE",
]
FGR_HEADER = [
    "FOLIO", "FECHA_ASEGURAMIENTO", "TIPO_EVENTO", "MUNICIPIO", "ESTADO", "CARPETA_INVESTIGACION",
    "NUM_DETENIDO", "NOMBRE", "APELLIDO_PATERNO", "APELLIDO_MATERNO", "ALIAS", "FECHA_NACIMIENTO", "SEXO",
    "CURP", "TELEFONO", "TIPO_ARMA", "MARCA", "MODELO", "CALIBRE", "MATRICULA", "CARTUCHOS", "OBSERVACIONES",
]
REQUESTERS = ("FGR", "FGR", "FGR", "FGR", "SEDENA", "SEDENA", "GN", "Guardia Nacional", "SEMAR", "PGR")
TRACE_STATUSES = ("COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED", "OPEN",
                  "NO DEALER", "UNABLE TO TRACE", "IN PROGRESS")
EVENTS = ("Cateo", "Cateo", "Enfrentamiento", "Revisión en carretera", "Patrullaje", "Puesto de control",
          "Denuncia anónima", "Flagrancia", "Revisión en aduana", "Operativo conjunto")
REMARKS = ("", "", "", "", "Aseguramiento en domicilio", "Vehículo con placas de California",
           "Arma abandonada en la vía pública", "Se aseguraron cargadores; sin detenidos adicionales",
           "Puesta a disposición del Ministerio Público de la Federación", "Revisión en punto de inspección",
           "Hallazgo en predio rústico", "Arma con aditamento \"hechizo\"",
           "Detenido en flagrancia,\ntraslado a la FGR")
# fmt: on


class AtfWriter:
    """ATF trace results: English CSV, MM/DD/YYYY, 1 trace + 1 purchaser (when traced to a buyer)."""

    name, file, profile = "atf", "atf_trace_results.csv", "atf-trace-results"

    def __init__(self, rng: random.Random, stats: FileStats) -> None:
        self.rng, self.stats = rng, stats
        self.last_good: list[str] | None = None

    def rows(self, seq: int) -> list[tuple[list[str], int]]:
        rng = self.rng
        if self.last_good is not None and rng.random() < DUPLICATE_RATE:
            self.stats.duplicates += 1
            row, self.last_good = self.last_good, None
            return [(row, 0)]
        recovered = _day(rng, EPOCH_START, EPOCH_END - dt.timedelta(days=60))
        requested = recovered + dt.timedelta(days=rng.randrange(1, 60))
        place = _pick(rng, MX_PLACES, MX_PLACE_WEIGHTS)
        gun = _pick(rng, GUNS, GUN_WEIGHTS)
        status = _pick(rng, TRACE_STATUSES)
        traced = status == "COMPLETED"
        city = place.city if rng.random() < 0.7 else _plain(place.city)
        row = [
            f"T{requested.year}{seq:07d}",
            _mdy(requested),
            _pick(rng, REQUESTERS),
            _mdy(recovered),
            city,
            _pick(rng, place.state_forms),
            _pick(rng, TYPE_FORMS[gun.kind][0]),
            _pick(rng, gun.makes),
            _pick(rng, gun.models),
            _pick(rng, gun.calibers),
            firearm_serial(rng, gun.serial),
            gun.importer,
            gun.country,
            status,
        ]
        records = 1
        if traced:
            purchased = recovered - dt.timedelta(days=rng.randrange(20, 4000))
            if rng.random() < 0.55:  # a Hispanic buyer, written the US way
                person = spanish_person(rng, 1955, 2003)
                last = (
                    person.paternal
                    if rng.random() < 0.6
                    else f"{person.paternal}-{person.maternal or 'Cruz'}"
                )
                first = person.given
                if rng.random() < 0.7:
                    last, first = _plain(last), _plain(first)
                dob = person.birth
            else:
                first = _pick(rng, EN_MALE if rng.random() < 0.85 else EN_FEMALE)
                last = _pick(rng, EN_SURNAMES)
                dob = _day(rng, dt.date(1955, 1, 1), dt.date(2003, 12, 31))
            dob = min(dob, purchased - dt.timedelta(days=18 * 366))
            ssn = us_ssn(rng) if rng.random() < 0.3 else ""
            us_city, us_state = _pick(rng, US_PLACES, US_PLACE_WEIGHTS)
            ffl = (
                f"{rng.choice('5986')}-{rng.randrange(10, 99)}-{rng.randrange(1, 999):03d}-"
                f"{rng.choice(('01', '01', '02', '07'))}-{rng.randrange(1, 9)}{rng.choice('ABCDEFGHJKLM')}-"
                f"{rng.randrange(100000):05d}"
            )
            row += [ffl, _mdy(purchased), last, first, _mdy(dob), ssn, us_city, us_state]
            records += 1
        else:
            row += ["", "", "", "", "", "", "", ""]
        row = self._flaw(row)
        broken = self._break(row) if seq > 1 else None  # the first row stays good
        if broken:
            self.stats.expected_quarantined[broken] += 1
            return [(row, 0)]
        self.last_good = row
        return [(row, records)]

    def _flaw(self, row: list[str]) -> list[str]:
        rng = self.rng
        if rng.random() >= FLAWED_RATE:
            return row
        if row[16] and rng.random() < 0.5:
            row[19] = _pick(rng, ("000-12-3456", "666-01-2345", "912-34-5678", "123-00-4567"))
            self.stats.flagged["invalid_ssn"] += 1
        else:
            row[7] = _pick(rng, UNKNOWN_MAKES)
            self.stats.flagged["unknown_make"] += 1
        return row

    def _break(self, row: list[str]) -> str | None:
        rng = self.rng
        if rng.random() >= BROKEN_RATE:
            return None
        kind = _pick(rng, ("invalid_date", "missing_id", "future_date"), (4, 2, 2))
        if kind == "invalid_date":
            year = row[1][-4:]
            row[1] = _pick(rng, (f"13/45/{year}", f"02/30/{year}", f"04/31/{year}", f"00/12/{year}"))
        elif kind == "missing_id":
            row[0] = ""
        else:
            row[1] = f"{row[1][:6]}{_pick(rng, FUTURE_YEARS)}"
            if row[1][:5] == "02/29":
                row[1] = "02/28" + row[1][5:]
        return kind

    def write(self, path: Path, target: int, tick: Callable[[int], None]) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(ATF_HEADER)
            seq = 0
            while self.stats.expected_records < target:
                seq += 1
                for row, records in self.rows(seq):
                    writer.writerow(row)
                    self.stats.rows += 1
                    self.stats.expected_records += records
                tick(self.stats.expected_records)


class FgrWriter:
    """FGR seizures: Spanish CSV, Latin-1, ';', DD/MM/AAAA; 1 seizure + detainee + firearm."""

    name, file, profile = "fgr", "fgr_aseguramientos.csv", "fgr-aseguramientos"

    def __init__(self, rng: random.Random, stats: FileStats) -> None:
        self.rng, self.stats = rng, stats

    def row(self, seq: int) -> tuple[list[str], int]:
        rng = self.rng
        place = _pick(rng, MX_PLACES, MX_PLACE_WEIGHTS)
        seized = _day(rng, EPOCH_START, EPOCH_END)
        folio = f"FGR-{place.folio}-{seized.year}-{seq:07d}"
        carpeta = f"FED/{place.folio}/{place.town}/{rng.randrange(1, 10**7):07d}/{seized.year}"
        state = place.state if rng.random() < 0.8 else _pick(rng, place.state_forms)
        records = 1
        detainee = ["", "", "", "", "", "", "", "", ""]
        if rng.random() < 0.9:
            p = spanish_person(rng, 1958, min(2005, seized.year - 16))
            born_in = place.curp if rng.random() < 0.7 else _pick(rng, CURP_STATES)
            curp = (
                make_curp(rng, p.given, p.paternal, p.maternal, p.birth, p.sex, born_in)
                if rng.random() < 0.8
                else ""
            )
            phone = mexican_phone(rng, place.areas) if rng.random() < 0.65 else ""
            nickname = _pick(rng, NICKNAMES) if rng.random() < 0.35 else ""
            detainee = ["1", p.given, p.paternal, p.maternal, nickname, _dmy(p.birth), p.sex, curp, phone]
            records += 1
        weapon = ["", "", "", "", ""]
        rounds = ""
        gun = _pick(rng, GUNS, GUN_WEIGHTS)
        if rng.random() < 0.96:
            make = _pick(rng, gun.makes) if rng.random() > 0.005 else _pick(rng, UNKNOWN_MAKES)
            if make in UNKNOWN_MAKES:
                self.stats.flagged["unknown_make"] += 1
            weapon = [
                _pick(rng, TYPE_FORMS[gun.kind][1]),
                make,
                _pick(rng, gun.models),
                _pick(rng, gun.calibers),
                firearm_serial(rng, gun.serial),
            ]
            records += 1
            if rng.random() < 0.6:
                rounds = str(rng.choice((6, 15, 17, 30, 45, 50, 90, 120, 300, 1200)))
        else:  # ammunition only
            weapon[3] = _pick(rng, gun.calibers)
            rounds = str(rng.randrange(10, 3000))
        if rounds and int(rounds) >= 1000 and rng.random() < 0.5:
            rounds = f"{rounds[:-3]}.{rounds[-3:]}"  # "1.200": the Mexican thousands separator
        row = [
            folio,
            _dmy(seized),
            _pick(rng, EVENTS),
            place.city,
            state,
            carpeta,
            *detainee,
            *weapon,
            rounds,
            _pick(rng, REMARKS),
        ]
        broken = self._break(row) if seq > 1 else None
        if broken:
            self.stats.expected_quarantined[broken] += 1
            return row, 0
        return row, records

    def _break(self, row: list[str]) -> str | None:
        rng = self.rng
        if rng.random() >= BROKEN_RATE:
            return None
        kinds = ["negative_quantity", "invalid_date", "future_date"]
        weights = [2, 3, 2]
        if row[13]:
            kinds.append("invalid_curp")
            weights.append(3)
        kind = _pick(rng, kinds, weights)
        if kind == "invalid_curp":
            curp = row[13]
            row[13] = curp[:17] + str((int(curp[17]) + rng.randrange(1, 10)) % 10)
        elif kind == "negative_quantity":
            row[20] = f"-{rng.randrange(1, 200)}"
        elif kind == "invalid_date":
            year = row[1][-4:]
            row[1] = _pick(rng, (f"31/02/{year}", f"30/02/{year}", f"31/04/{year}", f"15/13/{year}"))
        else:
            row[1] = f"{row[1][:6]}{_pick(rng, FUTURE_YEARS)}"
            if row[1][:5] == "29/02":
                row[1] = "28/02" + row[1][5:]
        return kind

    def write(self, path: Path, target: int, tick: Callable[[int], None]) -> None:
        # Latin-1 cannot write every name ("Zastava Oružje"): like the agency's export, write "?" instead.
        with path.open("w", encoding="latin-1", errors="replace", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(FGR_HEADER)
            seq = 0
            while self.stats.expected_records < target:
                seq += 1
                row, records = self.row(seq)
                writer.writerow(row)
                self.stats.rows += 1
                self.stats.expected_records += records
                tick(self.stats.expected_records)


class CbpWriter:
    """CBP crossings: JSON Lines, ISO times with offsets; 1 crossing + vehicle + driver."""

    name, file, profile = "cbp", "cbp_crossings.jsonl", "cbp-crossings"

    def __init__(self, rng: random.Random, stats: FileStats) -> None:
        self.rng, self.stats = rng, stats

    def line(self, seq: int) -> tuple[str, int]:
        rng = self.rng
        port = _pick(rng, PORTS, PORT_WEIGHTS)
        day = _day(rng, EPOCH_START, EPOCH_END)
        dst = 3 <= day.month <= 10
        offset = port.utc_offset[1 if dst else 0]
        at = dt.datetime(
            day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), rng.randrange(60)
        )
        crossed = f"{at:%Y-%m-%dT%H:%M:%S}{offset:+03d}:00"
        if rng.random() < 0.1:
            crossed = (at - dt.timedelta(hours=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
        make, model, wmis = _pick(rng, VEHICLES)
        year = rng.randrange(1998, min(2026, day.year + 1))
        vin = make_vin(rng, _pick(rng, wmis), year) if rng.random() < 0.9 else ""
        issuer = _pick(rng, port.plates)
        plate = self._plate(issuer) if rng.random() < 0.99 or not vin else ""
        records = 1 + (1 if plate or vin else 0)
        if vin and rng.random() < FLAWED_RATE and vin[0] in "12345":
            wrong = str((int(vin[8]) + 1) % 10) if vin[8] != "X" else "0"
            vin = vin[:8] + wrong + vin[9:]
            self.stats.flagged["invalid_vin"] += 1
        driver: dict[str, Any] = {}
        if rng.random() < 0.95:
            citizenship = _pick(rng, NATIONALITIES)
            if citizenship != "US" or rng.random() < 0.45:
                p = spanish_person(rng, 1950, min(2003, day.year - 16))
                last = f"{p.paternal} {p.maternal}".strip() if rng.random() < 0.6 else p.paternal
                first = p.given
                if rng.random() < 0.75:
                    last, first = _plain(last), _plain(first)
                birth = p.birth
            else:
                first = _pick(rng, EN_MALE if rng.random() < 0.7 else EN_FEMALE)
                last = _pick(rng, EN_SURNAMES)
                birth = _day(rng, dt.date(1950, 1, 1), dt.date(min(2003, day.year - 16), 12, 31))
            driver = {
                "last_name": last.upper(),
                "first_name": first.upper(),
                "dob": birth.isoformat(),
                "citizenship": citizenship,
            }
            records += 1
        obj: dict[str, Any] = {
            "crossing_id": f"{port.prefix}-{day.year}-{seq:07d}",
            "crossed_at": crossed,
            "port": _pick(rng, port.forms),
            "direction": _pick(rng, ("S", "S", "N", "N", "SB", "NB")),
            "lane": _pick(rng, LANES),
            "occupants": rng.choice((1, 1, 1, 2, 2, 3, 4, 5)),
            "vehicle": {
                "plate": plate,
                "plate_state": issuer,
                "vin": vin,
                "make": make,
                "model": model,
                "year": year,
                "color": _pick(rng, COLORS),
            },
            "driver": driver,
        }
        broken = self._break(obj) if seq > 1 else None  # JSON Lines: the first object gives the columns
        text = orjson.dumps(obj).decode()
        if broken == "invalid_json":
            text = text[: rng.randrange(20, len(text) - 10)]
        if broken:
            self.stats.expected_quarantined[broken] += 1
            return text, 0
        return text, records

    def _plate(self, issuer: str) -> str:
        rng = self.rng
        if issuer == "CA":
            return f"{rng.randrange(1, 10)}{_letters(rng, 3)}{_digits(rng, 3)}"
        if issuer in ("TX", "AZ"):
            return _pick(
                rng, (f"{_letters(rng, 3)}{_digits(rng, 4)}", f"{_letters(rng, 3)}-{_digits(rng, 4)}")
            )
        if issuer == "NM":
            return f"{_letters(rng, 3)}{_digits(rng, 3)}"
        return _pick(
            rng,
            (
                f"{_letters(rng, 3)}-{_digits(rng, 3)}-{_letters(rng, 1)}",
                f"{_letters(rng, 3)}{_digits(rng, 4)}",
                f"{_letters(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 2)}",
            ),
        )

    def _break(self, obj: dict[str, Any]) -> str | None:
        rng = self.rng
        if rng.random() >= BROKEN_RATE:
            return None
        kind = _pick(rng, ("unknown_port", "missing_value", "invalid_code", "invalid_json"), (3, 2, 2, 2))
        if kind == "unknown_port":
            obj["port"] = _pick(rng, UNKNOWN_PORTS)
        elif kind == "missing_value":
            del obj["crossed_at"]
        elif kind == "invalid_code":
            obj["direction"] = _pick(rng, ("EAST", "WEST", "X", "SUR-NORTE"))
        return kind

    def write(self, path: Path, target: int, tick: Callable[[int], None]) -> None:
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            seq = 0
            while self.stats.expected_records < target:
                seq += 1
                text, records = self.line(seq)
                handle.write(text + "\n")
                self.stats.rows += 1
                self.stats.expected_records += records
                tick(self.stats.expected_records)


WRITERS = (AtfWriter, FgrWriter, CbpWriter)


def write_files(
    folder: Path, seed: int, records_per_file: int, progress: Callable[[str, int, int], None] | None = None
) -> list[FileStats]:
    """Write the three files into ``folder``, each until it should store ``records_per_file`` records."""
    all_stats = []
    for writer_cls in WRITERS:
        stats = FileStats(writer_cls.file, writer_cls.profile)
        writer = writer_cls(random.Random(f"puente-bench-{seed}-{writer_cls.name}"), stats)
        path = folder / writer_cls.file

        calls = [0]

        def tick(done: int, _name: str = writer_cls.file, _calls: list[int] = calls) -> None:
            _calls[0] += 1
            if progress is not None and _calls[0] % 2000 == 0:
                progress(_name, done, records_per_file)

        writer.write(path, records_per_file, tick)
        if progress is not None:
            progress(writer_cls.file, stats.expected_records, records_per_file)
        stats.bytes = path.stat().st_size
        all_stats.append(stats)
    return all_stats


def self_check(seed: int = 1, n: int = 200) -> None:
    """The generators' identifiers pass the checks the pipeline applies (fails fast if not)."""
    from vininfo import Vin

    rng = random.Random(f"self-check-{seed}")
    for _ in range(n):
        make, model, wmis = _pick(rng, VEHICLES)
        vin = make_vin(rng, _pick(rng, wmis), rng.randrange(1998, 2026))
        if not Vin(vin).verify_checksum(check_year=False):
            raise AssertionError(f"generated VIN {vin} fails its check digit")
        p = spanish_person(rng)
        curp = make_curp(rng, p.given, p.paternal, p.maternal, p.birth, p.sex, _pick(rng, CURP_STATES))
        stdnum_curp.validate(curp)
        place = _pick(rng, MX_PLACES)
        phone = mexican_phone(rng, place.areas)
        if not phone:
            raise AssertionError("empty phone")
