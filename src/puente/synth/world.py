"""The true world of one block: organizations, dealers, guns, sales, recoveries, vehicles, crossings.

A block is a self-contained slice of the binational world (its own trafficking organizations, the
dealers they buy from, an innocent background population that does the same ordinary things). A
world of any scale is a run of blocks, each drawn from its own seeded generator, so that worlds
stream with bounded memory and block k is the same at every scale.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cache

from puente.model import vocab
from puente.synth import params
from puente.synth.people import PersonFactory, TruePerson

EPOCH_RECOVERIES = (dt.date(2019, 1, 1), dt.date(2024, 6, 30))
EPOCH_CROSSINGS = (dt.datetime(2023, 1, 1), dt.datetime(2024, 6, 30))
BORDER_MX_STATES = ("MX-BCN", "MX-SON", "MX-CHH", "MX-COA", "MX-NLE", "MX-TAM")
INTERIOR_MX_STATES = (
    "MX-SIN",
    "MX-JAL",
    "MX-MIC",
    "MX-GRO",
    "MX-ZAC",
    "MX-DUR",
    "MX-CMX",
    "MX-MEX",
    "MX-GUA",
)
MUNICIPALITIES = {
    "MX-BCN": ("Tijuana", "Mexicali", "Ensenada", "Tecate"),
    "MX-SON": ("Nogales", "Hermosillo", "San Luis Río Colorado", "Agua Prieta"),
    "MX-CHH": ("Juárez", "Chihuahua", "Ojinaga"),
    "MX-COA": ("Piedras Negras", "Acuña", "Saltillo"),
    "MX-NLE": ("Monterrey", "Apodaca", "Anáhuac"),
    "MX-TAM": ("Reynosa", "Nuevo Laredo", "Matamoros"),
    "MX-SIN": ("Culiacán", "Mazatlán"),
    "MX-JAL": ("Guadalajara", "Zapopan"),
    "MX-MIC": ("Morelia", "Apatzingán"),
    "MX-GRO": ("Acapulco", "Chilpancingo"),
    "MX-ZAC": ("Zacatecas", "Fresnillo"),
    "MX-DUR": ("Durango", "Gómez Palacio"),
    "MX-CMX": ("Cuauhtémoc", "Iztapalapa"),
    "MX-MEX": ("Ecatepec", "Toluca"),
    "MX-GUA": ("León", "Celaya"),
}
RECOVERY_STATES = BORDER_MX_STATES + INTERIOR_MX_STATES
RECOVERING_AGENCIES = (("MX/FGR", 0.5), ("MX/SEDENA", 0.3), ("MX/GN", 0.2))
FRONT_NAMES = ("Comercializadora", "Transportes", "Importadora", "Servicios Logísticos", "Casa de Cambio")
FRONT_QUALIFIERS = ("del Norte", "Fronteriza", "Integral", "del Bajío")
ORG_NAMES = ("del Norte", "de la Frontera", "del Golfo", "del Pacífico", "de Occidente")
OPERATIONS = ("Iron River", "Gunrunner", "Southbound", "Coyote", "Tumbleweed")
CARPETA_OFFICES = {  # the FGR office (city code) that opens a carpeta in each border state
    "MX-BCN": ("TIJ", "MXL"),
    "MX-SON": ("NOG", "HMO"),
    "MX-CHH": ("JUA", "CHIH"),
    "MX-COA": ("PNEG", "SAL"),
    "MX-NLE": ("MTY",),
    "MX-TAM": ("REY", "NLD", "MAT"),
}
CARPETA_CRIMES = (
    "Introducción ilícita de armas de fuego al país",
    "Tráfico de armas de fuego",
    "Portación de arma de fuego de uso exclusivo del Ejército",
    "Delincuencia organizada",
)
CARPETA_STATUSES = ("EN TRÁMITE", "EN TRÁMITE", "JUDICIALIZADA")
ROLES = ("leader", "recruiter", "straw_purchaser", "transporter", "receiver", "money_courier")


@dataclass
class Dealer:
    licence: str
    name: str
    state: str


@dataclass
class Gun:
    gun_id: str
    gun_type: str
    make: str
    model: str
    caliber: str
    serial: str
    country: str
    importer: str


@dataclass
class Sale:
    sale_id: str
    gun: Gun
    dealer: Dealer
    buyer: TruePerson
    sold_on: dt.date
    multiple_sale: bool = False
    org_id: str | None = None


@dataclass
class Recovery:
    recovery_id: str
    gun: Gun
    recovered_on: dt.date
    state: str
    municipality: str
    agency: str
    origin: str  # us, foreign, undetermined
    sale: Sale | None
    possessor: TruePerson | None
    obliterated: bool
    traced: bool  # the trace reached a retail purchase


@dataclass
class Vehicle:
    vehicle_id: str
    vin: str
    make: str
    model: str
    year: int
    color: str
    plate: str
    plate_state: str
    stolen_on: dt.date | None = None
    theft_report: str | None = None
    recovered_on: dt.date | None = None  # found and given back: the report stays, with this date


@dataclass
class Crossing:
    crossing_id: str
    port: str  # vocabulary code
    direction: str
    at: dt.datetime
    lane: str
    vehicle: Vehicle
    driver: TruePerson
    occupants: int
    contraband: list[str] = field(default_factory=list)
    stolen_vehicle: bool = False


@dataclass
class PortSeizure:
    seizure_id: str
    crossing: Crossing
    guns: list[Gun]
    rounds: int
    ammo_caliber: str | None
    cash_usd: int
    drug: str | None
    drug_grams: int


@dataclass
class Org:
    org_id: str
    name: str
    members: list[tuple[TruePerson, str]]
    front_companies: list[tuple[str, str, str]] = field(default_factory=list)  # (company id, name, RFC)
    # a transporter's load vehicle, driven on his trips south until it is seized: person -> vehicle
    vehicles: dict[str, Vehicle] = field(default_factory=dict)


@dataclass
class Case:
    case_number: str
    title: str
    opened_on: dt.date
    case_type: str
    agent: str
    subjects: list[TruePerson]
    status: str = "OPEN"
    vehicles: dict[str, Vehicle] = field(default_factory=dict)  # the subjects' vehicles the case names


@dataclass
class Block:
    index: int
    orgs: list[Org] = field(default_factory=list)
    dealers: list[Dealer] = field(default_factory=list)
    sales: list[Sale] = field(default_factory=list)
    recoveries: list[Recovery] = field(default_factory=list)
    detainees: list[tuple[TruePerson, dt.date, str, str]] = field(
        default_factory=list
    )  # person, date, state, motive
    crossings: list[Crossing] = field(default_factory=list)
    seizures: list[PortSeizure] = field(default_factory=list)
    stolen_us: list[Vehicle] = field(default_factory=list)
    stolen_mx: list[Vehicle] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)  # HSI cases
    mx_cases: list[Case] = field(default_factory=list)  # FGR carpetas de investigación
    people: list[TruePerson] = field(default_factory=list)
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # person_id -> (org_id, role)


# --- helpers -----------------------------------------------------------------------------------------


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@cache
def _ports() -> tuple[tuple[str, ...], tuple[float, ...]]:
    table = vocab.ports()
    codes = tuple(sorted(table))
    return codes, tuple(float(table[c].personal_vehicles_per_day) or 1.0 for c in codes)


def port_of(rng: random.Random) -> str:
    codes, weights = _ports()
    return rng.choices(codes, weights=weights)[0]


def _border_source_state(rng: random.Random) -> str:
    """Straw purchasers buy in the four border states (FACTS), weighted like the source states."""
    states = {k: v for k, v in params.SOURCE_STATES.items() if k != "OTHER"}
    return _weighted(rng, states)


def _company_rfc(rng: random.Random, name: str) -> str:
    """A company RFC (12 characters): initials, date of incorporation, homoclave and check digit."""
    from stdnum.mx import rfc

    initials = "".join(w[0] for w in name.upper().split() if w[0].isalpha())[:3].ljust(3, "X")
    day = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(6000))
    homoclave = rng.choice("123456789ABCDEFGHJKLMNPRSTUV") + rng.choice("123456789ABCDEFGHJKLMNPRSTUVWXYZ")
    body = f"{initials}{day:%y%m%d}{homoclave}"
    return body + rfc.calc_check_digit(body)


def _source_state(rng: random.Random) -> str:
    state = _weighted(rng, params.SOURCE_STATES)
    return rng.choice(params.OTHER_SOURCE_STATES) if state == "OTHER" else state


_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VEHICLES_PER_BLOCK = 1_000  # the most one block makes: a VIN's production number is block and count
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010 = A ... (30-year cycle)


def make_vin(wmi_vds: str, year: int, sequence: int) -> str:
    """A North-American VIN with a correct check digit (49 CFR 565). ``sequence`` numbers the vehicle
    in the world: its plant code and six-digit production number, so no two vehicles share a VIN
    (random ones did, and a lane then met a stolen car in a car that was not)."""
    year_code = _YEAR_CODES[(year - 2010) % 30]
    tail = _VIN_CHARS[(sequence // 1_000_000) % len(_VIN_CHARS)] + f"{sequence % 1_000_000:06d}"
    body = wmi_vds + "0" + year_code + tail
    total = sum(_VIN_VALUES[c] * w for c, w in zip(body, _VIN_WEIGHTS, strict=True)) % 11
    return body[:8] + ("X" if total == 10 else str(total)) + body[9:]


_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # Mexican series skip I, O, Q


def make_plate(rng: random.Random, state: str) -> str:
    if state.startswith("MX-"):
        return (
            "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
            + f"{rng.randrange(1000):03d}"
            + rng.choice("ABCDE")
        )
    letters = "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
    return f"{rng.randrange(1, 10)}{letters}{rng.randrange(1000):03d}"


def _serial(rng: random.Random, make: str) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.choice((2, 3))))
    return (
        f"{letters}{rng.randrange(10**5, 10**6)}"
        if make != "Century Arms"
        else f"1-{letters}{rng.randrange(1000, 9999)}-{rng.randrange(10, 24)}"
    )


# --- the block ---------------------------------------------------------------------------------------


class BlockBuilder:
    """Builds block ``index`` of a world; every draw comes from the block's own generator."""

    def __init__(self, seed: int, index: int) -> None:
        self.rng = random.Random(f"{seed}:{index}")
        self.index = index
        self.people = PersonFactory(self.rng)
        self.block = Block(index)
        self._n = 0
        self._vehicles = 0  # vehicles made in this block: their VINs' production numbers

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self.index:05d}{self._n:05d}"

    def _person(self, person: TruePerson) -> TruePerson:
        self.block.people.append(person)
        return person

    def build(self) -> Block:
        self._dealers()
        for _ in range(1 + (self.rng.random() < 0.5)):
            self._organization()
        self._recoveries()
        self._detainees()
        self._stolen_vehicles()
        self._crossings()
        self._cases()
        return self.block

    def _dealers(self) -> None:
        rng = self.rng
        for i in range(10):
            state = _source_state(rng)
            region = rng.randrange(1, 10)
            # FFL numbers: region-district-county-type-expiry-sequence
            expiry = f"{rng.randrange(1, 9)}{rng.choice('ABCDEFGHJK')}"
            district, county = rng.randrange(10, 99), rng.randrange(100, 999)
            licence = f"{region}-{district}-{county}-01-{expiry}-{rng.randrange(10000, 99999)}"
            name = (
                rng.choice(("Frontier", "Lone Star", "Desert", "Border", "Canyon", "Mesa", "Sunbelt", "Rio"))
                + " "
                + rng.choice(("Guns", "Firearms", "Outfitters", "Pawn", "Sporting Goods", "Arms"))
                + f" #{self.index}{i}"
            )
            self.block.dealers.append(Dealer(licence, name, state))

    def _gun(
        self, models: tuple[tuple[str, str, str, str, str, str, float], ...], gun_type: str | None = None
    ) -> Gun:
        rng = self.rng
        gun_type = gun_type or _weighted(rng, params.WEAPON_MIX)
        choices = [m for m in models if m[0] == gun_type] or list(models)
        model = rng.choices(choices, weights=[m[6] for m in choices])[0]
        return Gun(
            self._id("G"), model[0], model[1], model[2], model[3], _serial(rng, model[1]), model[4], model[5]
        )

    def _organization(self) -> None:
        rng, block = self.rng, self.block
        org = Org(
            self._id("O"),
            f"Red {rng.choice(ORG_NAMES)} {self.index}",
            [],
        )
        hub = rng.choice(BORDER_MX_STATES)
        roles: list[tuple[TruePerson, str]] = [(self.people.mexican(self._id("P"), state=hub), "leader")]
        roles.append((self.people.us_person(self._id("P"), hispanic=True, state="US-TX"), "recruiter"))
        for _ in range(rng.randint(3, 5)):
            roles.append(
                (
                    self.people.us_person(
                        self._id("P"),
                        hispanic=rng.random() < 0.7,
                        state=_border_source_state(rng),
                        birth_years=(1975, 2002),
                    ),
                    "straw_purchaser",
                )
            )
        for _ in range(2):
            maker = self.people.mexican if rng.random() < 0.6 else self.people.us_person
            roles.append(
                (maker(self._id("P"), state=hub if maker == self.people.mexican else "US-TX"), "transporter")
            )
        for _ in range(rng.randint(2, 3)):
            roles.append((self.people.mexican(self._id("P"), state=rng.choice(RECOVERY_STATES)), "receiver"))
        roles.append((self.people.mexican(self._id("P"), state=hub), "money_courier"))
        if rng.random() < 0.3:  # a relative who also helps: same surnames, same address
            leader = roles[0][0]
            roles.append((self.people.relative(leader, self._id("P")), "money_courier"))
        for person, role in roles:
            self._person(person)
            block.roles[person.person_id] = (org.org_id, role)
        org.members = roles
        for _ in range(rng.choice((0, 1, 1, 2))):  # businesses that launder the proceeds
            name = f"{rng.choice(FRONT_NAMES)} {rng.choice(FRONT_QUALIFIERS)}"
            org.front_companies.append((self._id("F"), f"{name} S.A. de C.V.", _company_rfc(rng, name)))
        block.orgs.append(org)
        self._straw_purchases(org)

    def _straw_purchases(self, org: Org) -> None:
        rng, block = self.rng, self.block
        purchasers = [p for p, role in org.members if role == "straw_purchaser"]
        transporters = [p for p, role in org.members if role == "transporter"]
        receivers = [p for p, role in org.members if role == "receiver"]
        for buyer in purchasers:
            dealers = [d for d in block.dealers if d.state == buyer.address.state] or block.dealers
            start = _date_between(rng, dt.date(2020, 1, 1), dt.date(2022, 12, 31))
            sales: list[Sale] = []
            for _ in range(rng.randint(*params.STRAW_GUNS_PER_PURCHASER)):
                gun = self._gun(
                    params.US_MODELS, rng.choice(("rifle", "rifle", "pistol", "pistol", "revolver"))
                )
                sold_on = start + dt.timedelta(days=rng.randrange(0, 120))
                sales.append(Sale(self._id("S"), gun, rng.choice(dealers), buyer, sold_on, org_id=org.org_id))
            _flag_multiple_sales(sales)
            block.sales.extend(sales)
            # most straw guns go south soon and are recovered within three years
            for sale in sales:
                if rng.random() < 0.6:
                    recovered = min(
                        sale.sold_on + dt.timedelta(days=rng.randrange(60, 1000)), EPOCH_RECOVERIES[1]
                    )
                    self._add_recovery(
                        sale.gun,
                        "us",
                        sale,
                        recovered,
                        possessor=rng.choice(receivers) if rng.random() < 0.5 else None,
                    )
            # the transporters' southbound trips with those guns
            for chunk_start in range(0, len(sales), 3):
                chunk = sales[chunk_start : chunk_start + 3]
                driver = rng.choice(transporters)
                when = dt.datetime.combine(
                    max(s.sold_on for s in chunk) + dt.timedelta(days=rng.randrange(1, 20)),
                    dt.time(rng.randrange(24), rng.randrange(60)),
                )
                when = max(when, EPOCH_CROSSINGS[0] + dt.timedelta(days=rng.randrange(300)))
                load = org.vehicles.get(driver.person_id)
                crossing = self._crossing(driver, "southbound", when, vehicle=load, contraband=["guns"])
                org.vehicles[driver.person_id] = crossing.vehicle
                if rng.random() < 0.3:
                    self._port_seizure(crossing, [s.gun for s in chunk], cash=rng.random() < 0.5)
                    del org.vehicles[driver.person_id]  # a seized vehicle is not driven south again

    def _add_recovery(
        self,
        gun: Gun,
        origin: str,
        sale: Sale | None,
        recovered_on: dt.date,
        possessor: TruePerson | None = None,
    ) -> None:
        rng = self.rng
        agency = rng.choices(
            [a for a, _ in RECOVERING_AGENCIES], weights=[w for _, w in RECOVERING_AGENCIES]
        )[0]
        state = rng.choice(RECOVERY_STATES)
        obliterated = rng.random() < params.OBLITERATED_SERIAL_SHARE
        traced = (
            origin == "us"
            and sale is not None
            and not obliterated
            and rng.random() < params.US_SOURCED_TRACE_SUCCESS / 0.92
        )
        if possessor is None and rng.random() < 0.5:
            possessor = self._person(
                self.people.mexican(self._id("P"), state=state, birth_years=(1970, 2004))
            )
        self.block.recoveries.append(
            Recovery(
                self._id("R"),
                gun,
                recovered_on,
                state,
                rng.choice(MUNICIPALITIES[state]),
                agency,
                origin,
                sale,
                possessor,
                obliterated,
                traced,
            )
        )

    def _recoveries(self) -> None:
        """Background recoveries: older US guns diverted long after a lawful sale, foreign-made guns
        with no US record, and guns of undetermined origin, in the proportions of the trace data."""
        rng, block = self.rng, self.block
        short = sum(1 for r in block.recoveries if r.origin == "us")
        us_total = round(short / params.SHORT_TIME_TO_CRIME_SHARE) if short else rng.randint(40, 80)
        for _ in range(max(us_total - short, 0)):
            recovered = _date_between(rng, *EPOCH_RECOVERIES)
            years = (
                rng.uniform(*params.LONG_TIME_TO_CRIME_YEARS) if rng.random() < 0.7 else rng.uniform(3, 12)
            )
            sold_on = recovered - dt.timedelta(days=int(years * 365.25))
            buyer = self._person(
                self.people.us_person(self._id("P"), state=_source_state(rng), birth_years=(1940, 1995))
            )
            dealers = [d for d in block.dealers if d.state == buyer.address.state] or block.dealers
            sale = Sale(self._id("S"), self._gun(params.US_MODELS), rng.choice(dealers), buyer, sold_on)
            block.sales.append(sale)
            self._add_recovery(sale.gun, "us", sale, recovered)
        us_count = sum(1 for r in block.recoveries if r.origin == "us")
        total = us_count / params.TRACE_ORIGIN["us"]
        for origin in ("foreign", "undetermined"):
            for _ in range(round(total * params.TRACE_ORIGIN[origin])):
                models = params.FOREIGN_MODELS if origin == "foreign" else params.US_MODELS
                self._add_recovery(self._gun(models), origin, None, _date_between(rng, *EPOCH_RECOVERIES))
        # lawful sales of guns never recovered: the innocent background of the acquisition file
        for _ in range(rng.randint(10, 25)):
            buyer = self._person(self.people.us_person(self._id("P"), state=_source_state(rng)))
            block.sales.append(
                Sale(
                    self._id("S"),
                    self._gun(params.US_MODELS),
                    rng.choice(block.dealers),
                    buyer,
                    _date_between(rng, dt.date(2000, 1, 1), dt.date(2023, 12, 31)),
                )
            )
        block.recoveries.sort(key=lambda r: (r.recovered_on, r.recovery_id))

    def _detainees(self) -> None:
        rng, block = self.rng, self.block
        for org in block.orgs:
            for person, role in org.members:
                if role in ("receiver", "transporter") and rng.random() < 0.4:
                    when = _date_between(rng, *EPOCH_RECOVERIES)
                    block.detainees.append(
                        (person, when, rng.choice(RECOVERY_STATES), "Portación de arma de uso exclusivo")
                    )
        for _ in range(rng.randint(12, 22)):
            state = rng.choice(RECOVERY_STATES)
            if block.people and rng.random() < 0.1:  # a namesake: another person with the same common name
                person = self.people.namesake(rng.choice(block.people), self._id("P"))
            else:
                person = self.people.mexican(self._id("P"), state=state, birth_years=(1965, 2005))
            self._person(person)
            block.detainees.append(
                (
                    person,
                    _date_between(rng, *EPOCH_RECOVERIES),
                    state,
                    rng.choice(
                        (
                            "Posesión de narcóticos",
                            "Robo de vehículo",
                            "Portación de arma",
                            "Delitos contra la salud",
                        )
                    ),
                )
            )

    def _vehicle(self, state: str) -> Vehicle:
        rng = self.rng
        make, model, wmi = rng.choice(params.STOLEN_MODELS)
        year = rng.randrange(2010, 2024)
        if self._vehicles >= VEHICLES_PER_BLOCK:
            raise RuntimeError(f"block {self.index} made more than {VEHICLES_PER_BLOCK} vehicles")
        self._vehicles += 1
        return Vehicle(
            self._id("V"),
            make_vin(wmi, year, self.index * VEHICLES_PER_BLOCK + self._vehicles),
            make,
            model,
            year,
            rng.choice(("WHITE", "BLACK", "GRAY", "SILVER", "RED", "BLUE")),
            make_plate(rng, state),
            state,
        )

    def _stolen_vehicles(self) -> None:
        rng, block = self.rng, self.block
        for _ in range(rng.randint(18, 30)):
            vehicle = self._vehicle(rng.choice(("US-TX", "US-CA", "US-AZ", "US-NM")))
            vehicle.stolen_on = _date_between(rng, dt.date(2022, 6, 1), dt.date(2024, 5, 31))
            vehicle.theft_report = f"{rng.randrange(10**7, 10**8)}"
            block.stolen_us.append(vehicle)
        for _ in range(rng.randint(10, 20)):
            vehicle = self._vehicle(rng.choice(BORDER_MX_STATES + ("MX-JAL", "MX-CMX")))
            vehicle.stolen_on = _date_between(rng, dt.date(2022, 6, 1), dt.date(2024, 5, 31))
            vehicle.theft_report = (
                f"CI-{rng.choice(BORDER_MX_STATES)[3:]}-{rng.randrange(1000, 9999)}/{vehicle.stolen_on.year}"
            )
            block.stolen_mx.append(vehicle)
        for vehicle in block.stolen_us:
            if rng.random() < params.STOLEN_DRIVEN_SOUTH_SHARE:
                driver = self._person(self.people.mexican(self._id("P"), state=rng.choice(BORDER_MX_STATES)))
                when = dt.datetime.combine(
                    vehicle.stolen_on + dt.timedelta(days=rng.randrange(1, 10)),
                    dt.time(rng.randrange(24), rng.randrange(60)),
                )
                when = max(when, EPOCH_CROSSINGS[0])
                self._crossing(driver, "southbound", when, vehicle=vehicle, stolen=True)
            elif rng.random() < params.STOLEN_RECOVERED_SHARE:
                self._recovered(vehicle)
        for vehicle in block.stolen_mx:
            if rng.random() < params.STOLEN_RECOVERED_SHARE:
                vehicle.recovered_on = vehicle.stolen_on + dt.timedelta(days=rng.randrange(3, 90))

    def _recovered(self, vehicle: Vehicle) -> None:
        """A stolen car found and given back to its owner, who later drives it south: no stale hit."""
        rng = self.rng
        vehicle.recovered_on = vehicle.stolen_on + dt.timedelta(days=rng.randrange(3, 90))
        when = dt.datetime.combine(
            vehicle.recovered_on + dt.timedelta(days=rng.randrange(1, 60)),
            dt.time(rng.randrange(24), rng.randrange(60)),
        )
        if EPOCH_CROSSINGS[0] <= when <= EPOCH_CROSSINGS[1]:
            owner = self._person(self.people.us_person(self._id("P"), state=vehicle.plate_state))
            self._crossing(owner, "southbound", when, vehicle=vehicle)

    def _crossing(
        self,
        driver: TruePerson,
        direction: str,
        when: dt.datetime,
        *,
        vehicle: Vehicle | None = None,
        contraband: list[str] | None = None,
        stolen: bool = False,
    ) -> Crossing:
        rng = self.rng
        if vehicle is None:
            vehicle = self._vehicle(
                driver.address.state
                if driver.address.state.startswith(("US-TX", "US-CA", "US-AZ", "US-NM"))
                or driver.address.state in BORDER_MX_STATES
                else rng.choice(("US-TX", "MX-BCN"))
            )
        crossing = Crossing(
            self._id("C"),
            port_of(rng),
            direction,
            min(when, EPOCH_CROSSINGS[1]),
            rng.choices(("GENERAL", "SENTRI", "READY"), weights=(6, 2, 2))[0],
            vehicle,
            driver,
            rng.choices((1, 2, 3, 4), weights=(6, 3, 2, 1))[0],
            contraband or [],
            stolen,
        )
        self.block.crossings.append(crossing)
        return crossing

    def _port_seizure(
        self, crossing: Crossing, guns: list[Gun], *, cash: bool = False, drug: str | None = None
    ) -> None:
        rng = self.rng
        rounds = rng.randrange(100, 2000) if guns and rng.random() < 0.6 else 0
        seizure = PortSeizure(
            self._id("Z"),
            crossing,
            guns,
            rounds,
            guns[0].caliber if rounds else None,
            rng.randrange(*params.CASH_SEIZURE_USD) if cash else 0,
            drug,
            rng.randrange(500, 30000) if drug else 0,
        )
        if cash:
            crossing.contraband.append("cash")
        if rounds:
            crossing.contraband.append("ammunition")
        self.block.seizures.append(seizure)

    def _crossings(self) -> None:
        """Ordinary traffic at the ports, in proportion to each port's volume; some people commute."""
        rng = self.rng
        commuters: list[TruePerson] = []
        for _ in range(rng.randint(110, 150)):
            if commuters and rng.random() < 0.25:
                driver = rng.choice(commuters)
            else:
                driver = self._person(
                    self.people.mexican(self._id("P"), state=rng.choice(BORDER_MX_STATES))
                    if rng.random() < 0.55
                    else self.people.us_person(self._id("P"), state=rng.choice(("US-TX", "US-CA", "US-AZ")))
                )
                if rng.random() < 0.3:
                    commuters.append(driver)
            when = EPOCH_CROSSINGS[0] + dt.timedelta(
                seconds=rng.randrange(int((EPOCH_CROSSINGS[1] - EPOCH_CROSSINGS[0]).total_seconds()))
            )
            direction = "southbound" if rng.random() < params.SOUTHBOUND_SHARE else "northbound"
            crossing = self._crossing(driver, direction, when)
            if direction == "northbound" and rng.random() < 0.015:
                crossing.contraband.append("drugs")
                self._port_seizure(
                    crossing,
                    [],
                    drug=rng.choice(("Fentanyl pills", "Methamphetamine", "Cocaine", "Fentanyl")),
                )

    def _cases(self) -> None:
        rng, block = self.rng, self.block
        for org in block.orgs:
            if rng.random() < 0.5:
                # the leader, then the transporters and receivers (whom Mexican agencies detain)
                # alternating with the straw purchasers (who bought in the US)
                straw = [p for p, role in org.members if role == "straw_purchaser"]
                carriers = _alternate(
                    [p for p, role in org.members if role == "transporter"],
                    [p for p, role in org.members if role == "receiver"],
                )
                subjects = [org.members[0][0]] + _alternate(carriers, straw)[: rng.randint(3, 5) - 1]
                block.cases.append(
                    Case(
                        f"DL{rng.randrange(10, 99)}QR{self.index:05d}{len(block.cases):02d}",
                        f"Operation {rng.choice(OPERATIONS)} {self.index}",
                        _date_between(rng, dt.date(2021, 1, 1), dt.date(2024, 3, 31)),
                        "Firearms trafficking",
                        rng.choice(("SA J. Ortiz", "SA M. Keller", "SA R. Villarreal", "SA T. Nguyen")),
                        subjects,
                        vehicles=self._known_vehicles(org, subjects),
                    )
                )
        # drawn after the HSI cases so that their draws stay as they were
        for org in block.orgs:
            if rng.random() < 0.5:
                self._carpeta(org)

    def _carpeta(self, org: Org) -> None:
        """An FGR carpeta de investigación on ``org``: its leader and a transporter (who also cross and
        are seized in the US), then some of its receivers, other transporters and money couriers."""
        rng, block = self.rng, self.block
        leader = org.members[0][0]
        transporter = rng.choice([p for p, role in org.members if role == "transporter"])
        others = [
            p
            for p, role in org.members
            if role in ("transporter", "receiver", "money_courier") and p is not transporter
        ]
        subjects = [leader, transporter] + rng.sample(others, rng.randint(0, 2))
        state = leader.address.state if leader.address.state in CARPETA_OFFICES else "MX-TAM"
        opened = _date_between(rng, dt.date(2020, 6, 1), dt.date(2024, 3, 31))
        office = rng.choice(CARPETA_OFFICES[state])
        sequence = self.index * 100 + len(block.mx_cases) + 1  # carries the block: no clash across blocks
        number = f"FED/{state[3:]}/{office}/{sequence:07d}"
        block.mx_cases.append(
            Case(
                f"{number}/{opened.year}",
                f"Carpeta {org.name}",
                opened,
                rng.choice(CARPETA_CRIMES),
                rng.choice(("Lic. A. Treviño", "Lic. M. Salinas", "Lic. R. Cárdenas", "Lic. G. Ibarra")),
                subjects,
                rng.choice(CARPETA_STATUSES),
                vehicles=self._known_vehicles(org, subjects),
            )
        )

    def _known_vehicles(self, org: Org, subjects: list[TruePerson]) -> dict[str, Vehicle]:
        """The load vehicles of a case's subjects that its investigators have identified."""
        return {
            p.person_id: org.vehicles[p.person_id]
            for p in subjects
            if p.person_id in org.vehicles and self.rng.random() < params.CASE_NAMES_VEHICLE_SHARE
        }


def _alternate(first: list[TruePerson], second: list[TruePerson]) -> list[TruePerson]:
    """first[0], second[0], first[1], second[1], ... then the rest of the longer list."""
    merged = [p for pair in zip(first, second, strict=False) for p in pair]
    shorter = min(len(first), len(second))
    return merged + first[shorter:] + second[shorter:]


def _flag_multiple_sales(sales: list[Sale]) -> None:
    """27 CFR 478.126a: 2+ handguns to one buyer within 5 business days (taken as 7 days); 2+ rifles
    in AZ/CA/NM/TX (ATF demand letter 3)."""
    ordered = sorted(sales, key=lambda s: s.sold_on)
    for kind, states in (("handgun", None), ("rifle", {"US-AZ", "US-CA", "US-NM", "US-TX"})):
        group = [
            s
            for s in ordered
            if (s.gun.gun_type in ("pistol", "revolver")) == (kind == "handgun")
            and (states is None or s.dealer.state in states)
        ]
        for a, b in zip(group, group[1:], strict=False):
            if (b.sold_on - a.sold_on).days <= 7:
                a.multiple_sale = b.multiple_sale = True


def build_block(seed: int, index: int) -> Block:
    return BlockBuilder(seed, index).build()
