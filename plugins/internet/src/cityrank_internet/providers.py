"""Digital-infrastructure providers: any set of cities in, one value each."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from cityrank import derived
from cityrank.spatial import Points, coordinates

DATA = Path(__file__).parent / "data"


@functools.cache
def _cells(column: str) -> Points:
    _, cols = derived.load(DATA / "addresses.csv")
    keep = cols[column] > 0
    return Points(cols["lat"][keep], cols["lon"][keep], cols[column][keep])


def ipv4_addresses(cities, radius_km=50.0):
    """IPv4 addresses that DB-IP locates to a named city within radius_km (grid cells of
    0.1° whose centre lies within the radius). Unit: addresses; more is better; city level."""
    return _cells("ipv4").within(*coordinates(cities), float(radius_km))


def ipv6_blocks(cities, radius_km=50.0):
    """IPv6 /48 blocks that DB-IP locates to a named city within radius_km (as for IPv4).
    Unit: /48 blocks; more is better; city level."""
    return _cells("ipv6_48").within(*coordinates(cities), float(radius_km))


def mobile_operators(cities):
    """Mobile network operators listed for the city's country in mobile-broadband-provider-info
    (NaN for a country it does not list). Unit: operators; more is better; country level."""
    _, cols = derived.load(DATA / "mobile_operators.csv")
    by_country = dict(zip(cols["country"], cols["operators"], strict=True))
    return np.array([by_country.get(c.country, np.nan) for c in cities], dtype=np.float64)


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "internet.ipv4_addresses": (ipv4_addresses, {"radius_km": 50.0}, "addresses", 1, "city", "addresses.csv"),
    "internet.ipv6_blocks": (ipv6_blocks, {"radius_km": 50.0}, "/48 blocks", 1, "city", "addresses.csv"),
    "internet.mobile_operators": (mobile_operators, {}, "operators", 1, "country", "mobile_operators.csv"),
}
