"""Reconstruct a city set by a written rule when the published list is not public.

The rule lives in the edition's ``[edition.city_set]`` table. An edition's rule
(``method = "urban_areas"``) takes one entry per urban area::

    method = "urban_areas"
    count = 138                      # the published number of cities
    countries = ["BRA", "RUS", ...]  # the bloc (ISO3); Hong Kong and Macau count with China
    named = [{ name = "Beijing", country = "CHN" }, ...]   # cities the sources name: always in
    capitals = true                  # each member state's capital: always in
    merge_km = 15                    # places this close to a city already in are part of its urban area
    check = { radius_km = 30, min_ratio = 0.5, max_ratio = 3 }   # the second source by value:
                                     #   GeoNames within 30 km / SimpleMaps in [0.5, 3]
    apportion = { min_population = 300000 }   # a member's size: its urban areas of this size

Seats go to member states by the square root of their population in confirmed urban areas of
at least ``apportion.min_population``, Sainte-Laguë divisors, each state at least one seat (and
at least its named cities and capital); a state's seats beyond those go to its most populous
urban areas by SimpleMaps World Cities Basic (an urban-area figure where it has one) that the
second source confirms.

Without ``method``, the plain rule of the scale example: the most populous GeoNames places of
the bloc (``count = "all"``: every one), after named cities and capitals, skipping places
within ``min_distance_km`` of one already chosen.

Usage: ``python -m cityrank_geo.select path/to/edition.toml`` rewrites the cities.csv beside it.
The same rule and data always give the same list.
"""

from __future__ import annotations

import collections
import csv
import functools
import io
import math
import sys
import tomllib
import unicodedata
from pathlib import Path

import attrs
import numpy as np

from cityrank import derived
from cityrank.spatial import SOVEREIGN

from .data import capital_row, haversine_km, places, raw_geonames

DATA = Path(__file__).parent / "data"
URBAN_KEYS = {"method", "count", "countries", "named", "capitals", "merge_km", "check", "apportion"}
#: keys that only document the rule
DOC_KEYS = {"status", "rule", "representation", "check_note", "notes", "named_source", "countries_note"}
CHECK_KEYS = {"radius_km", "min_ratio", "max_ratio"}


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


def _names(j: int) -> set[str]:
    record = _record(places().geonameid[j])
    return {_fold(record["name"])} | {_fold(a) for a in (record.get("alternatenames") or ())}


#: SimpleMaps codes the West Bank and Gaza apart; ISO 3166-1 and GeoNames have one code, PSE
SIMPLEMAPS_COUNTRY = {"XWB": "PSE", "XGZ": "PSE"}


@functools.cache
def second_source() -> dict[str, np.ndarray]:
    """The SimpleMaps World Cities Basic places (data/simplemaps.csv), a population source
    independent of GeoNames, with ISO3 country codes."""
    columns = dict(derived.load(DATA / "simplemaps.csv")[1])
    columns["country"] = np.array([SIMPLEMAPS_COUNTRY.get(c, c) for c in columns["country"]])
    return columns


@functools.cache
def _country_rows(iso3: str) -> np.ndarray:
    p = places()
    return np.flatnonzero(p.country == iso3)


def geonames_within(lat: float, lon: float, iso3: str, radius_km: float) -> float:
    """Inhabitants of the GeoNames places (≥ 1,000) of ``iso3`` within ``radius_km`` of a point:
    GeoNames' count of an urban area, which it lists as a city proper and its neighbouring
    municipalities."""
    p, rows = places(), _country_rows(iso3)
    return float(p.population[rows[haversine_km(lat, lon, p.lat[rows], p.lon[rows]) <= radius_km]].sum())


def geonames_place(k: int, merge_km: float) -> int | None:
    """GeoNames row that carries SimpleMaps place k: the most populous place of its country with
    its name (or an alternate name) within 2 × ``merge_km`` (the two sources put a city's point
    up to 20 km apart: Dubai), else the most populous place within ``merge_km`` (SimpleMaps names
    some cities otherwise); None when GeoNames has neither."""
    p, sm, rows = places(), second_source(), _country_rows(str(second_source()["country"][k]))
    d = haversine_km(sm["lat"][k], sm["lon"][k], p.lat[rows], p.lon[rows])
    want = _fold(str(sm["name"][k]))
    same = [int(j) for j in rows[d <= 2 * merge_km] if want in _names(int(j))]
    pool = same or [int(j) for j in rows[d <= merge_km]]
    return max(pool, key=lambda j: (p.population[j], -p.geonameid[j])) if pool else None


def simplemaps_place(j: int, merge_km: float, near_km: float | None = None) -> int | None:
    """SimpleMaps place for GeoNames row j (a named city or a capital): the most populous of its
    name within 2 × ``merge_km``, else the most populous within ``near_km`` (default ``merge_km``);
    None if none."""
    p, sm = places(), second_source()
    pool = np.flatnonzero(sm["country"] == p.country[j])
    d = haversine_km(p.lat[j], p.lon[j], sm["lat"][pool], sm["lon"][pool])
    names = _names(j)
    same = [int(k) for k in pool[d <= 2 * merge_km] if _fold(str(sm["name"][k])) in names]
    near = same or [int(k) for k in pool[d <= (merge_km if near_km is None else near_km)]]
    return max(near, key=lambda k: (sm["population"][k], -k)) if near else None


def urban_centres(countries: list[str], merge_km: float) -> list[int]:
    """SimpleMaps rows of the urban areas of ``countries``, most populous first: every place with
    no more populous place (of any of them) within ``merge_km``; the others are parts of a larger
    neighbour's urban area, whose figure is not added to (SimpleMaps' figure for a large city is
    already its agglomeration's)."""
    sm = second_source()
    pool = np.flatnonzero(np.isin(sm["country"], countries))
    pool = pool[np.lexsort((pool, -sm["population"][pool]))]  # most populous first, ties by row
    lat, lon = sm["lat"][pool], sm["lon"][pool]
    by_lat = np.argsort(lat, kind="stable")
    band = merge_km / 110.5  # a degree of latitude is at least 110.5 km
    lo = np.searchsorted(lat[by_lat], lat - band, side="left")
    hi = np.searchsorted(lat[by_lat], lat + band, side="right")
    out = []
    for i in range(len(pool)):
        near = by_lat[lo[i]:hi[i]]
        near = near[near < i]  # the places before it: more populous (or as populous, earlier row)
        if not len(near) or float(np.min(haversine_km(lat[i], lon[i], lat[near], lon[near]))) >= merge_km:
            out.append(int(pool[i]))
    return out


@attrs.frozen
class Pick:
    """One city of the set: its GeoNames row, why it is in, its member state and both sources' counts."""

    row: int
    reason: str
    member: str
    simplemaps: int | None  # row of the SimpleMaps place
    population: float | None  # SimpleMaps' figure: the selection population
    geonames_30km: float | None  # the second source's count (None for the plain rule)
    seat: str = ""


def apportion(weights: dict[str, float], minimum: dict[str, int], capacity: dict[str, int],
              total: int) -> dict[str, int]:
    """Seats per member: each starts at its minimum; each further seat goes to the member with the
    largest weight / (seats + 0.5) (Sainte-Laguë) that has a candidate left; ties by member code."""
    seats = {m: min(minimum[m], capacity[m]) for m in sorted(weights)}
    if sum(seats.values()) > total:
        raise ValueError(f"the named cities and capitals are {sum(seats.values())}, more than the published {total}")
    order = {m: k for k, m in enumerate(sorted(weights))}
    while sum(seats.values()) < total:
        open_ = [m for m in seats if seats[m] < capacity[m]]
        if not open_:
            raise ValueError(f"the rule finds only {sum(seats.values())} cities, fewer than {total}")
        best = max(open_, key=lambda m: (weights[m] / (seats[m] + 0.5), -order[m]))
        seats[best] += 1
    return seats


def _urban_rule(rule: dict) -> list[Pick]:
    unknown = set(rule) - URBAN_KEYS - DOC_KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(URBAN_KEYS))})")
    check = dict(rule.get("check", {}))
    if set(check) - CHECK_KEYS:
        raise ValueError(f"check: unknown key(s) {', '.join(sorted(set(check) - CHECK_KEYS))} "
                         "(allowed: radius_km, min_ratio, max_ratio)")
    radius = float(check.get("radius_km", 30))
    low, high = float(check.get("min_ratio", 0.5)), float(check.get("max_ratio", 3))
    merge_km = float(rule.get("merge_km", 15))
    count = int(rule["count"])
    p, sm = places(), second_source()
    countries = list(rule["countries"])
    member = {c: SOVEREIGN.get(c, c) for c in countries}
    members = sorted(set(member.values()))
    shares = dict(rule.get("apportion", {}))
    if set(shares) - {"min_population"}:
        raise ValueError(f"apportion: unknown key(s) {', '.join(sorted(set(shares) - {'min_population'}))} (allowed: min_population)")
    floor = float(shares.get("min_population", 300_000))

    chosen: list[Pick] = []
    lat: list[float] = []
    lon: list[float] = []

    def near_chosen(la, lo) -> bool:
        return bool(lat) and float(np.min(haversine_km(la, lo, np.array(lat), np.array(lon)))) < merge_km

    def pick(j, reason, k):
        pop = float(sm["population"][k]) if k is not None else None
        where = (sm["lat"][k], sm["lon"][k]) if k is not None else (p.lat[j], p.lon[j])
        chosen.append(Pick(j, reason, member[p.country[j]], k, pop, geonames_within(*where, p.country[j], radius)))
        lat.extend([p.lat[j], where[0]])
        lon.extend([p.lon[j], where[1]])

    taken: set[int] = set()
    for entry in rule.get("named", []):
        j = p.index(entry["geonameid"]) if "geonameid" in entry else find(entry["name"], entry["country"])
        if j not in taken:
            taken.add(j)
            pick(j, "named by a source", simplemaps_place(j, merge_km))
    if rule.get("capitals", True):
        # a member state's capital; two capitals in one urban area (Jerusalem, East Jerusalem):
        # the more populous place is the entry, the other state is represented by its next urban area
        caps = [int(j) for c in countries if member[c] == c for j in np.flatnonzero((p.country == c) & p.capital)]
        for j in sorted(caps, key=lambda j: (-p.population[j], p.geonameid[j])):
            if j not in taken and not near_chosen(p.lat[j], p.lon[j]):
                taken.add(j)
                pick(j, "capital", simplemaps_place(j, merge_km))
    forced = collections.Counter(c.member for c in chosen)

    # candidates: the bloc's urban areas, most populous first (see urban_centres)
    centres = urban_centres(countries, merge_km)

    @functools.cache
    def eligible(k: int) -> tuple[int, float] | None:
        """(GeoNames row, GeoNames' population within ``radius`` of SimpleMaps' point) for an urban
        area the second source confirms: that population between ``low`` and ``high`` times SimpleMaps'."""
        j = geonames_place(k, merge_km)
        if j is None:
            return None
        g = geonames_within(sm["lat"][k], sm["lon"][k], str(sm["country"][k]), radius)  # around the same point
        return (j, g) if low <= g / sm["population"][k] <= high else None

    by_member: dict[str, list[int]] = {m: [] for m in members}
    urban = dict.fromkeys(members, 0.0)
    for k in centres:
        m = member[str(sm["country"][k])]
        by_member[m].append(k)
        if sm["population"][k] >= floor and eligible(k) is not None:
            urban[m] += float(sm["population"][k])
    # a member's weight: the square root of its population in confirmed urban areas of at least `floor`
    weights = {m: math.sqrt(urban[m]) for m in members}
    capacity = {m: forced[m] + len(by_member[m]) for m in members}
    minimum = {m: max(1, forced[m]) for m in members}
    base = (list(chosen), list(lat), list(lon))
    while True:
        seats = apportion(weights, minimum, capacity, count)
        chosen, lat, lon = list(base[0]), list(base[1]), list(base[2])
        filled = collections.Counter(forced)
        for k in centres:  # the bloc's urban areas, most populous first, into their member's free seats
            m = member[str(sm["country"][k])]
            if filled[m] >= seats[m] or near_chosen(sm["lat"][k], sm["lon"][k]):
                continue
            found = eligible(k)
            if found is None or found[0] in taken or near_chosen(p.lat[found[0]], p.lon[found[0]]):
                continue
            filled[m] += 1
            chosen.append(Pick(found[0], "urban area", m, k, float(sm["population"][k]), found[1]))
            lat.extend([p.lat[found[0]], sm["lat"][k]])
            lon.extend([p.lon[found[0]], sm["lon"][k]])
        short = {m for m in members if filled[m] < seats[m]}
        if not short:
            break
        for m in short:  # fewer confirmed urban areas than seats: its seats go to the others
            capacity[m] = filled[m]
    rank = collections.Counter()
    out = []
    for c in chosen:
        rank[c.member] += 1
        out.append(attrs.evolve(c, seat=f"{c.member} {rank[c.member]} of {seats[c.member]}"))
    return out


def _plain_rule(rule: dict) -> list[Pick]:
    """The scale example's rule: GeoNames places by GeoNames population (see the module docstring)."""
    p = places()
    every = rule["count"] == "all"
    count = len(p.country) if every else int(rule["count"])
    countries = list(rule["countries"])
    chosen: list[Pick] = []
    taken: set[int] = set()

    def add(j, reason):
        if j not in taken:
            chosen.append(Pick(j, reason, p.country[j], None, None, None))
            taken.add(j)

    for entry in rule.get("named", []):
        add(p.index(entry["geonameid"]) if "geonameid" in entry else find(entry["name"], entry["country"]),
            "named by a source")
    if rule.get("capitals", True):
        for iso3 in countries:
            for j in np.flatnonzero((p.country == iso3) & p.capital):
                add(int(j), "capital")
    if len(chosen) > count:
        capitals = sum(c.reason == "capital" for c in chosen)
        why = (" (capitals = true, the default, adds each member's capital: set capitals = false to take only "
               "the named cities)") if capitals else ""
        raise ValueError(f"the rule names {len(chosen)} cities, more than count = {count}: "
                         f"{len(chosen) - capitals} named and {capitals} capitals{why}")
    min_pop = float(rule.get("min_population", 15000))
    min_km = float(rule.get("min_distance_km", 20))
    candidates = [int(j) for j in np.flatnonzero(np.isin(p.country, countries) & (p.population >= min_pop))]
    candidates.sort(key=lambda j: (-p.population[j], p.geonameid[j]))
    lat = [p.lat[c.row] for c in chosen]
    lon = [p.lon[c.row] for c in chosen]
    for j in candidates:
        if len(chosen) >= count:
            break
        if j in taken:
            continue
        if min_km > 0 and lat and np.min(haversine_km(p.lat[j], p.lon[j], np.array(lat), np.array(lon))) < min_km:
            continue
        add(j, "population rule")
        lat.append(p.lat[j])
        lon.append(p.lon[j])
    if len(chosen) < count and not every:
        raise ValueError(f"the rule finds only {len(chosen)} cities, fewer than {count}")
    return chosen


def select(rule: dict) -> list[Pick]:
    """The city set of a rule, in order: named cities, capitals, then the rest."""
    if "cross_check" in rule:
        raise ValueError("cross_check (a same-name check) is gone: use method = \"urban_areas\" with check = "
                         "{ radius_km, max_ratio }")
    method = rule.get("method")
    if method == "urban_areas":
        return _urban_rule(rule)
    if method is not None:
        raise ValueError(f"unknown method {method!r} (known: urban_areas, or none for the plain GeoNames rule)")
    return _plain_rule(rule)


def cities_csv(rule: dict) -> str:
    """cities.csv text for the rule: id, name, country, geonameid, latitude, longitude (the
    GeoNames place), selected_by and, for the urban-area rule, member (the state it counts for),
    seat, population_simplemaps (the selection population) and population_geonames_30km (the
    second source); for the plain rule, population (GeoNames). Two cities of one country with the
    same name are told apart by their first-order region (SimpleMaps' name for it; GeoNames'
    admin1 code where SimpleMaps has none)."""
    p, sm = places(), second_source()
    picked = select(rule)
    urban = rule.get("method") == "urban_areas"
    names = [_record(p.geonameid[c.row])["name"] for c in picked]
    twice = collections.Counter((name, p.country[c.row]) for name, c in zip(names, picked, strict=True))
    for k, c in enumerate(picked):
        if twice[names[k], p.country[c.row]] > 1:
            s = c.simplemaps if c.simplemaps is not None else simplemaps_place(c.row, 15.0, 30.0)
            region = str(sm["admin"][s]) if s is not None and sm["admin"][s] else ""
            names[k] = f"{names[k]} ({region or 'admin1 ' + _record(p.geonameid[c.row])['admin1code']})"
    seen: set[str] = set()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    tail = ["member", "seat", "population_simplemaps", "population_geonames_30km"] if urban else ["population"]
    w.writerow(["id", "name", "country", "geonameid", "latitude", "longitude", "selected_by", *tail])
    for c, name in zip(picked, names, strict=True):
        j = c.row
        ident = slug(name)
        if ident in seen:
            ident = f"{ident}-{p.country[j].lower()}"
        if ident in seen:
            ident = f"{ident}-{p.geonameid[j]}"
        seen.add(ident)
        if urban:
            extra = [c.member, c.seat, "" if c.population is None else f"{c.population:.0f}", f"{c.geonames_30km:.0f}"]
        else:
            extra = [f"{p.population[j]:.0f}"]
        w.writerow([ident, name, p.country[j], int(p.geonameid[j]), p.lat[j], p.lon[j], c.reason, *extra])
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
    except (KeyError, TypeError, ValueError, LookupError) as exc:
        print(f"error: {path}: [edition.city_set]: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    from cityrank.api import write_atomic

    write_atomic(path.parent / "cities.csv", text)
    print(f"wrote {path.parent / 'cities.csv'} ({text.count(chr(10)) - 1} cities)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
