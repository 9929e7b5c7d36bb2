"""Indicator providers: each maps a tuple of cities to one value per city (NaN = unknown).

A city is located by its GeoNames id when it has one (falling back to its coordinates);
distances are great-circle (haversine) distances in km.
"""

from __future__ import annotations

import functools

import numpy as np

from cityrank.spatial import EARTH_RADIUS_KM, Points, coordinates, unit_vectors

from .data import SOVEREIGN, airports, counted_places, places


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
def _points(min_population: int, bloc: tuple[str, ...] | None = None) -> tuple[Points, np.ndarray]:
    """The counted GeoNames places (≥ min_population, :func:`counted_places`) indexed for
    radius queries, with their country (ISO3), only those of the ``bloc`` when given (Hong Kong
    and Macao then count as China); kept for the process."""
    p = counted_places(min_population)
    country = p["country"]
    if bloc is None:
        return Points(p["lat"], p["lon"], p["population"]), country
    state = country.copy()
    for region, sovereign in SOVEREIGN.items():
        state[country == region] = sovereign
    keep = np.isin(state, bloc)
    return Points(p["lat"][keep], p["lon"][keep], p["population"][keep]), state[keep]


def within_country(points: Points, countries: np.ndarray, cities, lat, lon, radius_km: float, same_country: bool):
    """Σ weight of ``points`` within ``radius_km`` of each city: all of them, or with
    ``same_country`` only those whose country (ISO3, as listed: Hong Kong is not China here,
    since a border control separates them) is the city's."""
    if not same_country:
        return points.within(lat, lon, radius_km)
    total = points.within(lat, lon, radius_km)
    abroad = points.within(lat, lon, radius_km, group=[c.country for c in cities], groups=countries)
    return np.maximum(total - abroad, 0.0)  # whole numbers of people: exact; NaN stays NaN


def urban_population(cities, radius_km=50.0, min_population=1000, same_country=True):
    """Population of the GeoNames places (≥ min_population) within radius_km of the city, the
    city included, each person once: sections of a place (feature code PPLX), historical places
    and the districts of a territory recorded as one place are left out (GeoNames dump of
    2023-03-05 with feature codes); with same_country (default) only the places of the city's
    own country. Unit: inhabitants; more is better."""
    if radius_km <= 0:
        raise ValueError("radius_km must be positive")
    lat, lon, _ = _locate(cities)
    points, country = _points(int(min_population))
    return within_country(points, country, cities, lat, lon, float(radius_km), bool(same_country))


def cross_border(cities, radius_km=500.0, min_population=15000, countries=None):
    """Population of GeoNames places (≥ min_population, counted as for urban_population)
    within radius_km that lie in another member state of the bloc. The bloc is ``countries``
    (ISO3) or, by default, the countries of the ranked cities; Hong Kong and Macao count as part
    of China. Crosses borders by definition. Unit: inhabitants; more is better."""
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


def air_gateways(cities, radius_km=50.0, same_country=True):
    """Number of airports with an IATA code within radius_km; with same_country (default)
    only those of the city's own country. Unit: airports; more is better."""
    if radius_km <= 0:
        raise ValueError("radius_km must be positive")
    lat, lon, _ = _locate(cities)
    alat, alon, acountry = airports()
    return within_country(Points(alat, alon), acountry, cities, lat, lon, float(radius_km), bool(same_country))


def national_capital(cities):
    """1 if the city is the capital of a sovereign state according to GeoNames country
    information (the most populous place of the capital's name in the country), else 0; NaN if
    the city is not in GeoNames. The seat of a territory that is part of another state
    (``cityrank.spatial.SOVEREIGN``: Hong Kong, Macao) is no national capital, though GeoNames
    lists the territory as a country with a capital."""
    p = places()
    _, _, row = _locate(cities)
    capital = p.capital[np.maximum(row, 0)] & ~np.isin(p.country[np.maximum(row, 0)], list(SOVEREIGN))
    return np.where(row >= 0, capital.astype(float), np.nan)


PROVIDERS = {
    "geo.population": (population, {}, "inhabitants", 1),
    "geo.urban_population": (urban_population, {"radius_km": 50.0, "min_population": 1000, "same_country": True}, "inhabitants", 1),
    "geo.market_potential": (market_potential, {"min_distance_km": 1.0}, "inhabitants per km", 1),
    "geo.cross_border": (cross_border, {"radius_km": 500.0, "min_population": 15000, "countries": None}, "inhabitants", 1),
    "geo.air_gateways": (air_gateways, {"radius_km": 50.0, "same_country": True}, "airports", 1),
    "geo.capital": (national_capital, {}, "0/1", 1),
}
