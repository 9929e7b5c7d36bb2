"""Transport indicator providers: any set of cities (by their coordinates) in, one value each."""

from __future__ import annotations

import functools
from pathlib import Path

from cityrank import derived
from cityrank.spatial import Points, coordinates

DATA = Path(__file__).parent / "data"


@functools.cache
def _points(name: str) -> Points:
    _, cols = derived.load(DATA / name)
    return Points(cols["lat"], cols["lon"])


def scheduled_airports(cities, radius_km=50.0):
    """Large and medium airports with scheduled passenger service (OurAirports) within
    radius_km of the city. Unit: airports; more is better; city level."""
    return _points("airports.csv").within(*coordinates(cities), float(radius_km))


def seaports(cities, radius_km=50.0):
    """Seaports (searoute's ports with its maritime network within 100 km, one per UN/LOCODE)
    within radius_km of the city. Unit: ports; more is better; city level."""
    return _points("seaports.csv").within(*coordinates(cities), float(radius_km))


def seaport_distance(cities):
    """Great-circle distance to the nearest seaport of searoute's network. Unit: km; less is
    better; city level."""
    return _points("seaports.csv").nearest_km(*coordinates(cities))


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "transport.scheduled_airports": (scheduled_airports, {"radius_km": 50.0}, "airports", 1, "city", "airports.csv"),
    "transport.seaports": (seaports, {"radius_km": 50.0}, "ports", 1, "city", "seaports.csv"),
    "transport.seaport_distance": (seaport_distance, {}, "km", -1, "city", "seaports.csv"),
}
