"""Digital-infrastructure providers: any set of cities in, one value each."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from cityrank import derived
from cityrank.spatial import Points, coordinates

DATA = Path(__file__).parent / "data"


@functools.cache
def _cells(column: str) -> tuple[Points, np.ndarray]:
    """Grid cells with some of ``column``, weighted by it, and their countries (ISO3)."""
    _, cols = derived.load(DATA / "addresses.csv")
    keep = cols[column] > 0
    return Points(cols["lat"][keep], cols["lon"][keep], cols[column][keep]), cols["country"][keep]


def _sum(column: str, cities, radius_km: float, same_country: bool) -> np.ndarray:
    """Σ ``column`` of the cells within ``radius_km`` of each city; with ``same_country`` only
    the networks DB-IP locates in the city's own country (its ISO3 code as listed)."""
    points, country = _cells(column)
    lat, lon = coordinates(cities)
    total = points.within(lat, lon, radius_km)
    if not same_country:
        return total
    abroad = points.within(lat, lon, radius_km, group=[c.country for c in cities], groups=country)
    return np.maximum(total - abroad, 0.0)  # the two sums round apart by ~1e-16 of the total


def ipv4_addresses(cities, radius_km=50.0, same_country=True):
    """IPv4 addresses that DB-IP locates to a named city within radius_km (grid cells of
    0.1° whose centre lies within the radius); with same_country (default) only those located
    in the city's own country: networks across a border are another state's infrastructure.
    Unit: addresses; more is better; city level."""
    return _sum("ipv4", cities, float(radius_km), bool(same_country))


def ipv6_blocks(cities, radius_km=50.0, same_country=True):
    """IPv6 /48 blocks that DB-IP locates to a named city within radius_km (as for IPv4).
    Unit: /48 blocks; more is better; city level."""
    return _sum("ipv6_48", cities, float(radius_km), bool(same_country))


def mobile_operators(cities):
    """Mobile network operators listed for the city's country in mobile-broadband-provider-info
    (NaN for a country it does not list). Unit: operators; more is better; country level."""
    _, cols = derived.load(DATA / "mobile_operators.csv")
    by_country = dict(zip(cols["country"], cols["operators"], strict=True))
    return np.array([by_country.get(c.country, np.nan) for c in cities], dtype=np.float64)


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "internet.ipv4_addresses": (ipv4_addresses, {"radius_km": 50.0, "same_country": True}, "addresses", 1, "city", "addresses.csv"),
    "internet.ipv6_blocks": (ipv6_blocks, {"radius_km": 50.0, "same_country": True}, "/48 blocks", 1, "city", "addresses.csv"),
    "internet.mobile_operators": (mobile_operators, {}, "operators", 1, "country", "mobile_operators.csv"),
}
