"""Indicator providers: each maps a tuple of cities to one value per city (NaN = unknown).

A city is located by its GeoNames id when it has one (falling back to its coordinates);
distances are great-circle (haversine) distances in km.
"""

from __future__ import annotations

import functools

import numpy as np

from cityrank.spatial import EARTH_RADIUS_KM, Points, coordinates, unit_vectors

from .data import SOVEREIGN, airports, places


def _locate(cities):
    """Latitude, longitude and GeoNames row (or -1) of each city: by its GeoNames id (one
    sorted search for all), else by its cities.csv coordinates."""
    p = places()
    ids = np.array([-1 if c.geonameid is None else c.geonameid for c in cities], dtype=np.int64)
    at = np.minimum(np.searchsorted(p.geonameid, ids), len(p.geonameid) - 1)
    found = (ids >= 0) & (p.geonameid[at] == ids) if len(p.geonameid) else np.zeros(len(ids), dtype=bool)
    row = np.where(found, at, -1)
    lat, lon = coordinates(cities)
    both = ~(np.isnan(lat) | np.isnan(lon))  # half a position is none
    lat = np.where(found, p.lat[at], np.where(both, lat, np.nan))
    lon = np.where(found, p.lon[at], np.where(both, lon, np.nan))
    return lat, lon, row


def population(cities):
    """Population of the city itself (GeoNames record). Unit: inhabitants; more is better."""
    p = places()
    _, _, row = _locate(cities)
    return np.where(row >= 0, p.population[np.maximum(row, 0)], np.nan)


@functools.cache
def _points(min_population: int, bloc: tuple[str, ...] | None = None) -> tuple[Points, np.ndarray | None]:
    """GeoNames places (≥ min_population) indexed for radius queries, with their state, only
    those of the ``bloc`` when given; kept for the process."""
    p = places(min_population)
    if bloc is None:
        return Points(p.lat, p.lon, p.population), None
    state = p.country.copy()
    for region, sovereign in SOVEREIGN.items():
        state[p.country == region] = sovereign
    keep = np.isin(state, bloc)
    return Points(p.lat[keep], p.lon[keep], p.population[keep]), state[keep]


def urban_population(cities, radius_km=50.0, min_population=1000):
    """Population of all GeoNames places (≥ min_population) within radius_km of the city,
    the city included. Unit: inhabitants; more is better."""
    if radius_km <= 0:
        raise ValueError("radius_km must be positive")
    lat, lon, _ = _locate(cities)
    return _points(int(min_population))[0].within(lat, lon, radius_km)


def cross_border(cities, radius_km=500.0, min_population=15000, countries=None):
    """Population of GeoNames places (≥ min_population) within radius_km that lie in another
    member state of the bloc. The bloc is ``countries`` (ISO3) or, by default, the countries
    of the ranked cities; Hong Kong and Macao count as part of China. Unit: inhabitants;
    more is better."""
    if radius_km <= 0:
        raise ValueError("radius_km must be positive")
    bloc = tuple(sorted({SOVEREIGN.get(c, c) for c in ([countries] if isinstance(countries, str) else countries or [c.country for c in cities])}))
    points, state = _points(int(min_population), bloc)
    lat, lon, _ = _locate(cities)
    mine = [SOVEREIGN.get(c.country, c.country) for c in cities]
    return points.within(lat, lon, radius_km, group=mine, groups=state)


def market_potential(cities, min_distance_km=1.0):
    """Harris market potential within the bloc: Σ_j P_j / d_ij over the other ranked cities j
    (GeoNames populations, great-circle km); pairs closer than min_distance_km are skipped.
    Harris, Annals of the AAG 44 (1954). Unit: inhabitants per km; more is better."""
    pop = population(cities)
    lat, lon, _ = _locate(cities)
    known = ~np.isnan(lat)
    u = unit_vectors(np.where(known, lat, 0.0), np.where(known, lon, 0.0))
    mass = np.where(np.isnan(pop) | ~known, 0.0, pop)
    out = np.zeros(len(cities))
    block = max(1, (1 << 22) // max(len(cities), 1))  # rows of the N × N distances at a time
    for start in range(0, len(cities), block):
        part = slice(start, start + block)
        # great-circle distance from the chord: 2R asin(|u_i − u_j| / 2), |u_i − u_j|² = 2 − 2 u_i·u_j
        d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip((1.0 - u[part] @ u.T) / 2, 0.0, 1.0)))
        with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 (itself) or NaN (no position): left out
            out[part] = np.where(d >= min_distance_km, mass / d, 0.0).sum(axis=1)
    return np.where(known, out, np.nan)


def air_gateways(cities, radius_km=50.0):
    """Number of airports with an IATA code within radius_km. Unit: airports; more is better."""
    if radius_km <= 0:
        raise ValueError("radius_km must be positive")
    lat, lon, _ = _locate(cities)
    return Points(*airports()).within(lat, lon, radius_km)


def national_capital(cities):
    """1 if the city is its country's capital according to GeoNames country information
    (the most populous place of the capital's name in the country), else 0; NaN if the city
    is not in GeoNames."""
    p = places()
    _, _, row = _locate(cities)
    return np.where(row >= 0, p.capital[np.maximum(row, 0)].astype(float), np.nan)


PROVIDERS = {
    "geo.population": (population, {}, "inhabitants", 1),
    "geo.urban_population": (urban_population, {"radius_km": 50.0, "min_population": 1000}, "inhabitants", 1),
    "geo.market_potential": (market_potential, {"min_distance_km": 1.0}, "inhabitants per km", 1),
    "geo.cross_border": (cross_border, {"radius_km": 500.0, "min_population": 15000, "countries": None}, "inhabitants", 1),
    "geo.air_gateways": (air_gateways, {"radius_km": 50.0}, "airports", 1),
    "geo.capital": (national_capital, {}, "0/1", 1),
}
