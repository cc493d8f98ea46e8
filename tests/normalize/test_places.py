"""Nations, states and ports of entry reduce to their vocabulary codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.model import vocab
from puente.normalize.places import canonical_nation, canonical_port, canonical_state


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("México", "MX"), ("Mexico", "MX"), ("MEXICO", "MX"), ("MX", "MX"), ("MEX", "MX"),
        ("Estados Unidos Mexicanos", "MX"), ("EUA", "US"), ("E.U.A.", "US"), ("EE.UU.", "US"), ("EEUU", "US"),
        ("Estados Unidos", "US"), ("USA", "US"), ("U.S.A.", "US"), ("United States", "US"), ("us", "US"),
        ("Guatemala", "GT"), ("Colombia", "CO"), ("Canadá", "CA"), ("Rumania", "RO"),
    ],
)  # fmt: skip
def test_nations(text, code):
    assert canonical_nation(text) == code


@pytest.mark.parametrize(
    ("text", "nation", "code"),
    [
        ("CA", "US", "US-CA"), ("CA", None, "US-CA"), ("CA", "MX", None), ("BC", "MX", "MX-BCN"),
        ("BC", None, "MX-BCN"), ("BC", "US", None), ("B.C.", None, "MX-BCN"), ("BCN", None, "MX-BCN"),
        ("MX-BCN", None, "MX-BCN"), ("Baja California", None, "MX-BCN"),
        ("Baja California Sur", None, "MX-BCS"),
        ("B.C.S.", None, "MX-BCS"), ("Tamps.", None, "MX-TAM"), ("Chih.", None, "MX-CHH"),
        ("CDMX", None, "MX-CMX"), ("Distrito Federal", None, "MX-CMX"), ("DF", "MX", "MX-CMX"),
        ("Ciudad de México", None, "MX-CMX"), ("Mexico City", None, "MX-CMX"), ("Edomex", None, "MX-MEX"),
        ("Estado de México", None, "MX-MEX"), ("Nuevo León", None, "MX-NLE"), ("NUEVO LEON", None, "MX-NLE"),
        ("N.L.", None, "MX-NLE"), ("Michoacán de Ocampo", None, "MX-MIC"), ("Nuevo México", None, "US-NM"),
        ("nuevo mexico", None, "US-NM"), ("New Mexico", None, "US-NM"), ("N.M.", None, "US-NM"),
        ("TX", None, "US-TX"), ("Tex.", None, "US-TX"), ("US-TX", None, "US-TX"), ("texas", "EUA", "US-TX"),
        ("Sonora", "México", "MX-SON"), ("SR", "MX", "MX-SON"), ("Calif.", "US", "US-CA"),
        ("Washington, D.C.", None, "US-DC"), ("Carolina del Norte", None, "US-NC"),
        # A text that names a state in each nation needs the nation.
        ("MS", None, None), ("MS", "US", "US-MS"), ("MS", "MX", "MX-MOR"), ("Mich.", None, None),
        ("Mich.", "MX", "MX-MIC"), ("Mich.", "US", "US-MI"),
        ("Texas", "Narnia", None), ("Atlantis", None, None),
    ],
)  # fmt: skip
def test_states(text, nation, code):
    assert canonical_state(text, nation) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("San Ysidro", "SAN-YSIDRO"), ("SAN YSIDRO", "SAN-YSIDRO"), ("SAN-YSIDRO", "SAN-YSIDRO"),
        ("2504", "SAN-YSIDRO"), ("Garita San Ysidro", "SAN-YSIDRO"),
        ("San Ysidro Port of Entry", "SAN-YSIDRO"),
        ("Otay Mesa", "OTAY-MESA"), ("Garita de Otay", "OTAY-MESA"), ("Laredo", "LAREDO"),
        ("Nuevo Laredo", "LAREDO"), ("Ciudad Juárez", "EL-PASO"), ("CIUDAD JUAREZ", "EL-PASO"),
        ("Matamoros", "BROWNSVILLE"), ("Reynosa", "HIDALGO"), ("Nogales", "NOGALES"),
        ("San Luis Río Colorado", "SAN-LUIS"), ("El Sásabe", "SASABE"), ("Palomas", "COLUMBUS"),
        ("Cross Border Xpress", "CROSS-BORDER-XPRESS"), ("CBX", "CROSS-BORDER-XPRESS"),
        ("Puerto de entrada de Tecate", "TECATE"), ("Tornillo", "TORNILLO-FABENS"),
        ("Rio Grande City", "RIO-GRANDE-CITY"),
        ("Río Grande City", "RIO-GRANDE-CITY"), ("Calexico East", "CALEXICO-EAST"),
        # Twin cities with more than one port do not map.
        ("Tijuana", None), ("Mexicali", None), ("Gotham", None),
    ],
)  # fmt: skip
def test_ports(text, code):
    assert canonical_port(text) == code


def test_every_listed_name_finds_its_entry():
    for nation in vocab.nations().values():
        for name in nation.names():
            assert canonical_nation(name) == nation.code, name
    for state in vocab.states().values():
        for name in state.names():
            assert canonical_state(name, state.nation) == state.code, name
    for port in vocab.ports().values():
        for name in port.names():
            assert canonical_port(name) == port.code, name


def test_unique_twin_cities_map_to_their_port():
    ports = vocab.ports().values()
    for port in ports:
        twins = [p for p in ports if p.mx_city == port.mx_city]
        expected = port.code if len(twins) == 1 else None
        assert canonical_port(port.mx_city) == expected, port.mx_city


@pytest.mark.parametrize("fn", [canonical_nation, canonical_state, canonical_port])
def test_empty(fn):
    assert fn(None) is None
    assert fn("") is None
    assert fn(" .-") is None


@given(st.text(), st.one_of(st.none(), st.text(max_size=5)))
def test_never_raise_on_arbitrary_text(text, nation):
    assert canonical_nation(text) in (None, *vocab.nations())
    assert canonical_state(text, nation) in (None, *vocab.states())
    assert canonical_port(text) in (None, *vocab.ports())
