"""Reconstruct a city set by a written rule when the published list is not public.

The rule lives in the edition's ``[edition.city_set]`` table::

    count = 138                      # the published number of cities ("all": every candidate)
    countries = ["BRA", "RUS", ...]  # the bloc (ISO3)
    named = [{ name = "Beijing", country = "CHN" }, ...]   # cities the sources name
    capitals = true                  # then each member's capital
    min_population = 15000           # then the most populous GeoNames places of the bloc,
    min_distance_km = 20             #   skipping places this close to a city already chosen

Usage: ``python -m cityrank_geo.select path/to/edition.toml`` rewrites the cities.csv beside it.
The same rule and GeoNames data always give the same list.
"""

from __future__ import annotations

import csv
import io
import sys
import tomllib
import unicodedata
from pathlib import Path

import numpy as np

from .data import capital_row, haversine_km, places, raw_geonames


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_text.lower()).split())


def find(name: str, country: str) -> int:
    """Row of the most populous GeoNames place called ``name`` (or an alternate name) in ``country``."""
    p = places()
    rows = [p.index(c["geonameid"]) for c in _in_country(country)]
    k = capital_row([_record(p.geonameid[j]) for j in rows], name)
    if k is None:
        raise LookupError(f"no GeoNames place called {name!r} in {country}")
    return rows[k]


def _record(geonameid) -> dict:
    return raw_geonames()[0][str(int(geonameid))]


def _in_country(iso3: str) -> list[dict]:
    cities, countries = raw_geonames()
    code = next(k for k, v in countries.items() if v["iso3"] == iso3)
    return [c for c in cities.values() if c["countrycode"] == code]


def select(rule: dict) -> list[tuple[int, str]]:
    """GeoNames rows of the reconstructed city set with the reason each was chosen, in order."""
    p = places()
    every = rule["count"] == "all"
    count = len(p.country) if every else int(rule["count"])
    countries = list(rule["countries"])
    chosen: list[int] = []
    reasons: list[str] = []

    taken: set[int] = set()

    def add(j, reason):
        if j not in taken:
            chosen.append(j)
            reasons.append(reason)
            taken.add(j)

    for entry in rule.get("named", []):
        add(p.index(entry["geonameid"]) if "geonameid" in entry else find(entry["name"], entry["country"]),
            "named by a source")
    if rule.get("capitals", True):
        for iso3 in countries:
            for j in np.flatnonzero((p.country == iso3) & p.capital):
                add(int(j), "capital")
    if len(chosen) > count:
        raise ValueError(f"the rule names {len(chosen)} cities, more than the published {count}")
    min_pop = float(rule.get("min_population", 15000))
    min_km = float(rule.get("min_distance_km", 20))
    candidates = np.flatnonzero(np.isin(p.country, countries) & (p.population >= min_pop))
    candidates = sorted(candidates, key=lambda j: (-p.population[j], p.geonameid[j]))
    lat = [p.lat[j] for j in chosen]
    lon = [p.lon[j] for j in chosen]
    for j in candidates:
        if len(chosen) >= count:
            break
        if j in taken:
            continue
        if min_km > 0 and lat and np.min(haversine_km(p.lat[j], p.lon[j], np.array(lat), np.array(lon))) < min_km:
            continue
        add(int(j), "population rule")
        lat.append(p.lat[j])
        lon.append(p.lon[j])
    if len(chosen) < count and not every:
        raise ValueError(f"the rule finds only {len(chosen)} cities, fewer than {count}")
    return list(zip(chosen, reasons, strict=True))


def cities_csv(rule: dict) -> str:
    """cities.csv text for the rule: id, name, country, geonameid, latitude, longitude, selected_by."""
    p = places()
    seen: set[str] = set()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "country", "geonameid", "latitude", "longitude", "selected_by"])
    for j, how in select(rule):
        name = _record(p.geonameid[j])["name"]
        ident = slug(name)
        if ident in seen:
            ident = f"{ident}-{p.country[j].lower()}"
        if ident in seen:
            ident = f"{ident}-{p.geonameid[j]}"
        seen.add(ident)
        w.writerow([ident, name, p.country[j], int(p.geonameid[j]), p.lat[j], p.lon[j], how])
    return out.getvalue()


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cityrank_geo.select",
                                     description="Rewrite the cities.csv beside EDITION by its [edition.city_set] rule.")
    parser.add_argument("edition", type=Path, help="path of an edition.toml")
    path = parser.parse_args(argv).edition
    try:
        rule = tomllib.loads(path.read_text(encoding="utf-8"))["edition"]["city_set"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        print(f"error: {path}: cannot read: {exc}", file=sys.stderr)
        return 2
    except (KeyError, TypeError):
        print(f"error: {path}: no [edition.city_set] table", file=sys.stderr)
        return 2
    try:
        text = cities_csv(rule)
    except (KeyError, TypeError, ValueError) as exc:
        print(f"error: {path}: [edition.city_set]: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    from cityrank.formats.output import write_atomic

    write_atomic(path.parent / "cities.csv", text)
    print(f"wrote {path.parent / 'cities.csv'} ({text.count(chr(10)) - 1} cities)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
