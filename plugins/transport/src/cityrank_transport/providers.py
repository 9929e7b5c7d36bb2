"""Transport indicator providers: any set of cities (by their coordinates) in, one value each."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from cityrank import derived
from cityrank.spatial import Points, coordinates

DATA = Path(__file__).parent / "data"


@functools.cache
def _points(name: str) -> tuple[Points, np.ndarray]:
    """The points of a data file and their countries (ISO3)."""
    _, cols = derived.load(DATA / name)
    return Points(cols["lat"], cols["lon"]), cols["iso3"]


@functools.cache
def _country_points(name: str, country: str) -> Points:
    points, iso3 = _points(name)
    keep = iso3 == country
    return Points(points.lat[keep], points.lon[keep])


def _count(name: str, cities, radius_km: float, same_country: bool) -> np.ndarray:
    """Points of ``name`` within ``radius_km`` of each city; with ``same_country`` only those
    of the city's own country (its ISO3 code as listed)."""
    points, iso3 = _points(name)
    lat, lon = coordinates(cities)
    if not same_country:
        return points.within(lat, lon, radius_km)
    return points.within(lat, lon, radius_km) - points.within(
        lat, lon, radius_km, group=[c.country for c in cities], groups=iso3)


def scheduled_airports(cities, radius_km=50.0, same_country=True):
    """Large and medium airports with scheduled passenger service (OurAirports) within
    radius_km of the city; with same_country (default) only those of the city's own country:
    an airport across a border is another state's infrastructure, reached through a border
    control. Unit: airports; more is better; city level."""
    return _count("airports.csv", cities, float(radius_km), bool(same_country))


def seaports(cities, radius_km=50.0, same_country=True):
    """Seaports (searoute's ports with its maritime network within 100 km, one per UN/LOCODE)
    within radius_km of the city; with same_country (default) only those of its own country.
    Unit: ports; more is better; city level."""
    return _count("seaports.csv", cities, float(radius_km), bool(same_country))


def seaport_distance(cities, same_country=False):
    """Great-circle distance to the nearest seaport of searoute's network: of any country
    (default: a neighbour's port serves a city's trade in transit, as Djibouti's serves
    Ethiopia's), or with same_country of the city's own (NaN for a country without one).
    Unit: km; less is better; city level."""
    lat, lon = coordinates(cities)
    if not same_country:
        return _points("seaports.csv")[0].nearest_km(lat, lon)
    out = np.full(len(cities), np.nan)
    for country in sorted({c.country for c in cities}):
        mine = np.array([c.country == country for c in cities])
        out[mine] = _country_points("seaports.csv", country).nearest_km(lat[mine], lon[mine])
    return out


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "transport.scheduled_airports": (scheduled_airports, {"radius_km": 50.0, "same_country": True}, "airports", 1, "city", "airports.csv"),
    "transport.seaports": (seaports, {"radius_km": 50.0, "same_country": True}, "ports", 1, "city", "seaports.csv"),
    "transport.seaport_distance": (seaport_distance, {"same_country": False}, "km", -1, "city", "seaports.csv"),
}
