"""Reconstruct a city set by a written rule when the published list is not public.

The rule lives in the edition's ``[edition.city_set]`` table::

    count = 138                      # the published number of cities ("all": every candidate)
    countries = ["BRA", "RUS", ...]  # the bloc (ISO3)
    named = [{ name = "Beijing", country = "CHN" }, ...]   # cities the sources name
    capitals = true                  # then each member's capital
    min_population = 15000           # then the most populous GeoNames places of the bloc,
    min_distance_km = 20             #   skipping places this close to a city already chosen
    cross_check = { radius_km = 30, min_share = 0.5 }   # optional: only places a second
                                     #   source confirms (see confirm()), still ordered by GeoNames

Usage: ``python -m cityrank_geo.select path/to/edition.toml`` rewrites the cities.csv beside it.
The same rule and GeoNames data always give the same list.
"""

from __future__ import annotations

import collections
import csv
import functools
import io
import sys
import tomllib
import unicodedata
from pathlib import Path

import numpy as np

from cityrank import derived

from .data import capital_row, haversine_km, places, raw_geonames

DATA = Path(__file__).parent / "data"


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


def _fold(text: str) -> str:
    """A name for comparison: ASCII letters and digits, lower case (Vishākhapatnam → vishakhapatnam)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
                   if ch.isalnum())


@functools.cache
def second_source() -> dict[str, np.ndarray]:
    """The SimpleMaps World Cities Basic places (data/simplemaps.csv), a population source
    independent of GeoNames."""
    return derived.load(DATA / "simplemaps.csv")[1]


def confirm(rows, radius_km: float = 30.0, min_share: float = 0.5) -> list[tuple[str, float, str, str | None] | None]:
    """For GeoNames rows, what the second source says: (how, its population, its admin region,
    its name when it is another) or None. A place is confirmed by a SimpleMaps place of the same country within
    ``radius_km`` with the same name (or one of GeoNames' alternate names), else by the most
    populous one there with at least ``min_share`` of the GeoNames population (SimpleMaps often
    names a Chinese city by its seat district: Xuzhou is its Tongshan); a place it lists
    nowhere near, or only as a much smaller town, is not confirmed (GeoNames' Puyang of 3.59
    million lies in Zhejiang, where SimpleMaps has no such city)."""
    p, sm = places(), second_source()
    out: list[tuple[str, float, str] | None] = []
    by_country: dict[str, np.ndarray] = {}
    for j in rows:
        country = p.country[j]
        if country not in by_country:
            by_country[country] = np.flatnonzero(sm["country"] == country)
        pool = by_country[country]
        d = haversine_km(p.lat[j], p.lon[j], sm["lat"][pool], sm["lon"][pool]) if len(pool) else np.array([])
        near = pool[d <= radius_km]
        record = _record(p.geonameid[j])
        names = {_fold(record["name"])} | {_fold(a) for a in (record.get("alternatenames") or ())}
        same = [k for k in near if _fold(sm["name"][k]) in names]
        if same:
            k = max(same, key=lambda k: sm["population"][k])
            out.append(("same name", float(sm["population"][k]), str(sm["admin"][k]), None))
            continue
        big = [k for k in near if sm["population"][k] >= min_share * p.population[j]]
        if big:
            k = max(big, key=lambda k: sm["population"][k])
            out.append((f"{sm['name'][k]} within {radius_km:g} km", float(sm["population"][k]), str(sm["admin"][k]),
                        str(sm["name"][k])))
        else:
            out.append(None)
    return out


def named_near(j: int, name: str, radius_km: float, min_population: float) -> int | None:
    """The most populous GeoNames place called ``name`` (or with it as an alternate name) in
    row j's country within ``radius_km`` of it, with at least ``min_population``; None if none.
    Where SimpleMaps confirms a place under another name and GeoNames has a sizeable place of
    that name right there, the place is that city (GeoNames puts Visakhapatnam's 1.7 million on
    Rasapūdipalem, 13 km from its own Visakhapatnam); a mere district of that name (Xuzhou's
    Tongshan, 330,000 of Xuzhou's 1.25 million) does not replace the city."""
    p = places()
    near = np.flatnonzero((p.country == p.country[j]) & (p.population >= min_population)
                          & (haversine_km(p.lat[j], p.lon[j], p.lat, p.lon) <= radius_km))
    want = _fold(name)
    found = [k for k in near if k != j and (_fold(_record(p.geonameid[k])["name"]) == want
                                            or want in {_fold(a) for a in _record(p.geonameid[k]).get("alternatenames") or ()})]
    return int(max(found, key=lambda k: (p.population[k], -p.geonameid[k]))) if found else None


def select(rule: dict) -> list[tuple[int, str, float | None]]:
    """GeoNames rows of the reconstructed city set with the reason each was chosen and the
    population the second source gives it (when the rule cross-checks), in order."""
    p = places()
    every = rule["count"] == "all"
    count = len(p.country) if every else int(rule["count"])
    countries = list(rule["countries"])
    chosen: list[int] = []
    reasons: list[str] = []
    checked: list[float | None] = []
    taken: set[int] = set()

    def add(j, reason, check=None):
        if j not in taken:
            chosen.append(j)
            reasons.append(reason)
            checked.append(check)
            taken.add(j)

    for entry in rule.get("named", []):
        add(p.index(entry["geonameid"]) if "geonameid" in entry else find(entry["name"], entry["country"]),
            "named by a source")
    if rule.get("capitals", True):
        for iso3 in countries:
            for j in np.flatnonzero((p.country == iso3) & p.capital):
                add(int(j), "capital")
    if len(chosen) > count:
        capitals = reasons.count("capital")
        why = (" (capitals = true, the default, adds each member's capital: set capitals = false to take only "
               "the named cities)") if capitals else ""
        raise ValueError(f"the rule names {len(chosen)} cities, more than count = {count}: "
                         f"{len(chosen) - capitals} named and {capitals} capitals{why}")
    min_pop = float(rule.get("min_population", 15000))
    min_km = float(rule.get("min_distance_km", 20))
    candidates = [int(j) for j in np.flatnonzero(np.isin(p.country, countries) & (p.population >= min_pop))]
    candidates.sort(key=lambda j: (-p.population[j], p.geonameid[j]))  # GeoNames' order, checked or not
    cross = rule.get("cross_check")
    if cross is not None:
        unknown = set(cross) - {"radius_km", "min_share"}
        if unknown:
            raise ValueError(f"cross_check: unknown key(s) {', '.join(sorted(unknown))} (allowed: radius_km, min_share)")
        radius, share = float(cross.get("radius_km", 30)), float(cross.get("min_share", 0.5))

    def verdict(j):
        """(row to add, why, the second source's population), or None for a place it does not confirm."""
        if cross is None:
            return j, "population rule", None
        said = confirm([j], radius, share)[0]
        if said is None:
            return None
        what, pop, _, other = said  # pop is shown, not used to order: the sources count different
        k = None if other is None else named_near(j, other, radius, share * p.population[j])  # areas
        if k is None:  # (Cape Town: 4.8 million in GeoNames, 0.43 in SimpleMaps)
            return j, f"population rule (confirmed: {what})", pop
        return k, (f"population rule (GeoNames' {_record(p.geonameid[j])['name']}, {p.population[j]:,.0f}; "
                   f"SimpleMaps names the place {other}: GeoNames' {_record(p.geonameid[k])['name']})"), pop

    lat = [p.lat[j] for j in chosen]
    lon = [p.lon[j] for j in chosen]
    for j in candidates:  # confirmed as they come: only the places the rule reaches are looked up
        if len(chosen) >= count:
            break
        if j in taken:
            continue
        found = verdict(j)
        if found is None:
            continue
        row, why, pop = found
        if row in taken:
            continue
        if min_km > 0 and lat and np.min(haversine_km(p.lat[row], p.lon[row], np.array(lat), np.array(lon))) < min_km:
            continue
        add(row, why, pop)
        lat.append(p.lat[row])
        lon.append(p.lon[row])
    if len(chosen) < count and not every:
        raise ValueError(f"the rule finds only {len(chosen)} cities, fewer than {count}")
    return list(zip(chosen, reasons, checked, strict=True))


def cities_csv(rule: dict) -> str:
    """cities.csv text for the rule: id, name, country, geonameid, latitude, longitude,
    selected_by, population (GeoNames) and, when the rule cross-checks, population_check
    (SimpleMaps). Two cities of one country with the same name are told apart by their
    first-order region (SimpleMaps' name for it; GeoNames' admin1 code where SimpleMaps has none)."""
    p = places()
    picked = select(rule)
    names = [_record(p.geonameid[j])["name"] for j, _, _ in picked]
    twice = collections.Counter((name, p.country[j]) for name, (j, _, _) in zip(names, picked, strict=True))
    clash = {k for k, (j, _, _) in enumerate(picked) if twice[names[k], p.country[j]] > 1}
    if clash:
        regions = confirm([picked[k][0] for k in sorted(clash)], 30.0, 0.0)
        for k, verdict in zip(sorted(clash), regions, strict=True):
            region = verdict[2] if verdict and verdict[2] else f"admin1 {_record(p.geonameid[picked[k][0]])['admin1code']}"
            names[k] = f"{names[k]} ({region})"
    crossed = "cross_check" in rule
    seen: set[str] = set()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "country", "geonameid", "latitude", "longitude", "selected_by", "population",
                *(["population_check"] if crossed else [])])
    for (j, how, check), name in zip(picked, names, strict=True):
        ident = slug(name)
        if ident in seen:
            ident = f"{ident}-{p.country[j].lower()}"
        if ident in seen:
            ident = f"{ident}-{p.geonameid[j]}"
        seen.add(ident)
        extra = [f"{check:.0f}" if check is not None else ""] if crossed else []
        w.writerow([ident, name, p.country[j], int(p.geonameid[j]), p.lat[j], p.lon[j], how,
                    f"{p.population[j]:.0f}", *extra])
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
    from cityrank.api import write_atomic

    write_atomic(path.parent / "cities.csv", text)
    print(f"wrote {path.parent / 'cities.csv'} ({text.count(chr(10)) - 1} cities)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
