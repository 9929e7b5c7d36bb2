"""Indicator providers: any set of cities (by their coordinates) in, one value each."""

from __future__ import annotations

import functools
from pathlib import Path

from cityrank import derived
from cityrank.spatial import Points, coordinates

DATA = Path(__file__).parent / "data"


@functools.cache
def _points() -> Points:
    _, cols = derived.load(DATA / "points.csv")
    return Points(cols["lat"], cols["lon"], cols.get("weight"))


def points_within(cities, radius_km=50.0):
    """Points of the plugin's data within radius_km of the city (great-circle distance).
    Unit: points; more is better; city level."""
    return _points().within(*coordinates(cities), float(radius_km))


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "newplugin.points_within": (points_within, {"radius_km": 50.0}, "points", 1, "city", "points.csv"),
}
