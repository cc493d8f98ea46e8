"""The world's proportions, from public figures (FACTS: see each table's source).

These are parameters, not results: the generator draws from them, and tests check that the world
it makes follows them within stated tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- scales ---------------------------------------------------------------------------------------
# A world is made of independent blocks (each with its own organizations, dealers and people), so any
# scale streams with bounded memory and the same seed gives the same blocks at every scale.


@dataclass(frozen=True)
class Scale:
    name: str
    blocks: int


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 1),  # ~1k records: unit tests
    "small": Scale("small", 40),  # ~50k records: the demo
    "medium": Scale("medium", 800),  # ~1M records
    "large": Scale("large", 8000),  # ~10M records, streamed
}

# --- firearms recovered in Mexico and traced in the US -------------------------------------------
# GAO-16-223: of 104,850 guns traced 2009-14, 70% US-sourced, 17% foreign-made, 13% undetermined.
TRACE_ORIGIN = {"us": 0.70, "foreign": 0.17, "undetermined": 0.13}
# ATF CY2016: 46% traced to a US retail purchase, 51% failed: among US-sourced guns most trace.
US_SOURCED_TRACE_SUCCESS = 0.66  # 0.46 of all traces / 0.70 US-sourced
# ATF: about half pistols; rifles 28% (2007) rising to 43% (2011); revolvers ~15%.
WEAPON_MIX = {"pistol": 0.50, "rifle": 0.35, "revolver": 0.15}
# Source states (2006-09, advocacy summary of ATF data): Texas ~40%, AZ + CA + NM ~one third.
SOURCE_STATES = {"US-TX": 0.40, "US-AZ": 0.15, "US-CA": 0.12, "US-NM": 0.06, "OTHER": 0.27}
OTHER_SOURCE_STATES = ("US-FL", "US-GA", "US-IL", "US-NV", "US-CO", "US-OK", "US-WA", "US-NC")
# ATF figures cited in NSSF v. Jones (~): 82% of US-traced guns took 3 years or more to crime;
# average ~15 years for Mexico recoveries.
SHORT_TIME_TO_CRIME_SHARE = 0.18  # under 3 years: the straw-purchase signal
LONG_TIME_TO_CRIME_YEARS = (3, 30)
# ATF NFCTA vol. III: ~16 guns per straw case (all cases); the world's straw purchasers buy fewer
# each, with several purchasers per organization.
STRAW_GUNS_PER_PURCHASER = (3, 9)
OBLITERATED_SERIAL_SHARE = 0.08  # serials filed off on recovered guns (~)

# Favoured models (GAO-16-223; SEDENA seizure counts 2018-22): (type, make, model, caliber, country,
# importer, weight within its type).
US_MODELS: tuple[tuple[str, str, str, str, str, str, float], ...] = (
    ("rifle", "Century Arms", "WASR-10", "7.62x39", "RO", "Century Arms", 3.0),
    ("rifle", "Century Arms", "VSKA", "7.62x39", "US", "", 1.5),
    ("rifle", "Palmetto State Armory", "PA-15", "5.56 NATO", "US", "", 1.5),
    ("rifle", "DPMS", "Oracle", ".223", "US", "", 1.0),
    ("rifle", "Ruger", "AR-556", "5.56x45", "US", "", 1.0),
    ("rifle", "Smith & Wesson", "M&P15", ".223 Rem", "US", "", 1.0),
    ("rifle", "Barrett", "M82A1", ".50 BMG", "US", "", 0.3),
    ("pistol", "Glock", "19", "9mm", "AT", "Glock Inc", 2.0),
    ("pistol", "Glock", "17", "9x19", "AT", "Glock Inc", 1.0),
    ("pistol", "Taurus", "G2C", "9MM", "BR", "Taurus USA", 1.5),
    ("pistol", "Colt", "Super", ".38 Super", "US", "", 1.2),
    ("pistol", "Springfield Armory", "1911", ".38 SUPER", "US", "", 0.6),
    ("pistol", "Smith & Wesson", "SD9", "9 mm", "US", "", 0.8),
    ("pistol", "Ruger", "P95", "9mm Luger", "US", "", 0.5),
    ("pistol", "Hi-Point", "JCP", ".40 S&W", "US", "", 0.4),
    ("pistol", "Bersa", "Thunder 380", ".380 ACP", "AR", "Eagle Imports", 0.6),
    ("revolver", "Smith & Wesson", "642", ".38 Special", "US", "", 2.0),
    ("revolver", "Taurus", "85", ".38 SPL", "BR", "Taurus USA", 1.0),
    ("revolver", "Ruger", "GP100", ".357 Magnum", "US", "", 0.5),
)
FOREIGN_MODELS: tuple[tuple[str, str, str, str, str, str, float], ...] = (
    ("rifle", "FN Herstal", "FAL", "7.62x51", "BE", "", 1.0),
    ("rifle", "Heckler & Koch", "G3", "7.62x51", "DE", "", 1.0),
    ("rifle", "Norinco", "Type 56", "7.62x39", "CN", "", 1.0),
    ("pistol", "Beretta", "92FS", "9mm", "IT", "", 1.0),
    ("pistol", "CZ", "75", "9mm", "CZ", "", 0.7),
    ("revolver", "Taurus", "82", ".38 Special", "BR", "", 0.5),
)

# --- border crossings -----------------------------------------------------------------------------
# Port shares follow the 2018 personal-vehicle counts of the project's own port table (BTS).
# Southbound traffic is not counted by CBP: taken as roughly equal to northbound (FACTS).
SOUTHBOUND_SHARE = 0.5

# --- stolen vehicles -------------------------------------------------------------------------------
# NICB: top models recovered in Mexico (2018): F-150, Silverado, Camry.
STOLEN_MODELS = (
    ("FORD", "F-150", "1FTFW1ET"),
    ("CHEVROLET", "SILVERADO", "1GCVKREC"),
    ("TOYOTA", "CAMRY", "4T1BF1FK"),
    ("NISSAN", "SENTRA", "3N1AB7AP"),
    ("HONDA", "ACCORD", "1HGCM826"),
    ("DODGE", "RAM 1500", "1C6RR7LT"),
    ("JEEP", "GRAND CHEROKEE", "1C4RJFAG"),
    ("HONDA", "CIVIC", "2HGFC2F5"),
)
CASE_NAMES_VEHICLE_SHARE = 0.7  # of a subject's load vehicles, those his case file names
STOLEN_RECOVERED_SHARE = 0.3  # of stolen vehicles not driven south, found and given back
STOLEN_DRIVEN_SOUTH_SHARE = 0.15  # of US stolen vehicles in a block (~, plate-reader counts)

# --- cash -----------------------------------------------------------------------------------------
# ICE BCSC FY2016: $66.3M seized in 575 arrests (~$115k each); most seizures are smaller.
CASH_SEIZURE_USD = (8_000, 250_000)

# --- noise and breakage -----------------------------------------------------------------------------
DUPLICATE_SUBMISSION_RATE = 0.004  # a row sent twice, identical
BROKEN_ROW_RATE = 0.003  # rows broken on purpose, each with the reason Puente must give
