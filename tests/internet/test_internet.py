"""The internet providers against hand computation, and their build on samples of the sources."""

from __future__ import annotations

import ipaddress
import json
import math

import numpy as np
import pytest

from cityrank import derived
from cityrank.model import City
from conftest import ROOT

build = pytest.importorskip("cityrank_internet.build")
providers = pytest.importorskip("cityrank_internet.providers")
SAMPLES = ROOT / "tests" / "data" / "samples"


def _networks():
    for entry in json.loads((SAMPLES / "dbip-city-lite.json").read_text()):
        yield ipaddress.ip_network(entry["network"]), entry["record"]


def test_address_cells_sum_networks_by_hand():
    """Sheikh Zayed (30.06 N, 31.03 E): 41.32.0.0/20 (4096) + 41.33.0.0/24 (256) +
    196.218.0.0/19 (8192) = 12,544 addresses in cell (300, 310) of Egypt; New Cairo's /19 in (299, 314)."""
    v4 = [(n, r) for n, r in _networks() if n.version == 4]
    cells = build.address_cells(v4)
    assert cells[("EG", 300, 310)] == 4096 + 256 + 8192
    assert cells[("EG", 299, 314)] == 8192
    assert sum(cells.values()) == sum(n.num_addresses for n, _ in v4)
    no_city = [(ipaddress.ip_network("10.0.0.0/8"), {"city": "", "latitude": 0.0, "longitude": 0.0})]
    assert build.address_cells(no_city) == {}


def test_ipv6_space_is_counted_in_48_blocks():
    v6 = [(n, r) for n, r in _networks() if n.version == 6]
    cells = build.address_cells(v6, ipv6=True)
    assert cells[("EG", *build.cell_of(30.04669952392578, 31.234699249267578))] == 2.0 ** -15  # a /63
    assert cells[("CA", *build.cell_of(45.50189971923828, -73.56739807128906))] == 2.0 ** 11  # a /37
    v4 = build.address_cells([(n, r) for n, r in _networks() if n.version == 4])
    iso3 = {"EG": "EGY", "CA": "CAN", "AU": "AUS", "US": "USA"}
    rows = build.address_rows(v4, cells, {k: iso3[k] for k in {key[0] for key in [*v4, *cells]}})
    assert rows == sorted(rows) and all(len(r) == 5 for r in rows)
    assert {r[0] for r in rows} <= set(iso3.values())
    with pytest.raises(ValueError, match="EG"):
        build.address_rows(v4, cells, {"CA": "CAN", "AU": "AUS", "US": "USA"})


def test_operators_per_country_by_hand():
    xml = (SAMPLES / "serviceproviders.xml").read_text()
    rows = build.operator_rows(xml, {"AE": "ARE", "EG": "EGY"})
    assert rows == [("ARE", "AE", xml.split('code="eg"')[0].count("<provider>")),
                    ("EGY", "EG", xml.split('code="eg"')[1].count("<provider>"))]
    with pytest.raises(ValueError, match="'EG'"):
        build.operator_rows(xml, {"AE": "ARE"})


def _cosine_km(lat1, lon1, lat2, lon2):
    p1, p2, d = map(math.radians, (lat1, lat2, lon2 - lon1))
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(d)
    return 6371.0088 * math.acos(max(-1.0, min(1.0, c)))


def test_addresses_near_cairo_by_brute_force():
    cairo = City("cairo", "Cairo", "EGY", latitude=30.06263, longitude=31.24967)
    ocean = City("sea", "Mid-Pacific", "XXX", latitude=0.0, longitude=-150.0)
    _, cols = derived.load(providers.DATA / "addresses.csv")
    by_hand = sum(v for la, lo, v in zip(cols["lat"], cols["lon"], cols["ipv4"], strict=True)
                  if _cosine_km(cairo.latitude, cairo.longitude, la, lo) <= 50)
    value = providers.ipv4_addresses((cairo, ocean))
    assert value[0] == by_hand > 1e6 and value[1] == 0
    assert providers.ipv6_blocks((cairo,))[0] > 0


def test_address_space_across_a_border_counts_only_when_asked():
    """East Jerusalem (PSE) lies 2 km from Jerusalem (ISR): with same_country (the default) its
    50 km count is the cells DB-IP locates in Palestine (by brute force on the shipped file),
    without it Israel's address space is in too."""
    ej = City("ej", "East Jerusalem", "PSE", latitude=31.78336, longitude=35.23388)
    _, cols = derived.load(providers.DATA / "addresses.csv")
    near = [(c, v) for c, la, lo, v in zip(cols["country"], cols["lat"], cols["lon"], cols["ipv4"], strict=True)
            if _cosine_km(ej.latitude, ej.longitude, la, lo) <= 50]
    own, every = sum(v for c, v in near if c == "PSE"), sum(v for _, v in near)
    assert providers.ipv4_addresses((ej,))[0] == own > 0
    assert providers.ipv4_addresses((ej,), same_country=False)[0] == every > 5 * own  # Israel's networks


def test_mobile_operators_are_a_country_value():
    a = City("a", "A", "EGY")
    b = City("b", "B", "EGY", latitude=31.2, longitude=29.9)
    none = City("c", "C", "XXX")
    v = providers.mobile_operators((a, b, none))
    assert v[0] == v[1] >= 1 and np.isnan(v[2])
