"""Country-level providers: each city gets its country's value."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import numpy as np

from cityrank import derived
from cityrank.spatial import SOVEREIGN

DATA = Path(__file__).parent / "data"


@functools.cache
def _borders() -> dict[str, frozenset[str]]:
    _, cols = derived.load(DATA / "borders.csv")
    return {c: frozenset(b.split()) for c, b in zip(cols["country"], cols["borders"], strict=True)}


def bloc_neighbours(cities, countries=None):
    """Other member states of the bloc that share a land border with the city's country. The
    bloc is ``countries`` (ISO3) or, by default, the countries of the ranked cities; Hong Kong
    and Macao count as China. Unit: countries; more is better; country level (NaN for a
    country the source does not list)."""
    borders = _borders()
    state = lambda code: SOVEREIGN.get(code, code)  # noqa: E731
    bloc = {state(c) for c in ([countries] if isinstance(countries, str) else countries or [c.country for c in cities])}
    out = []
    for city in cities:
        own = state(city.country)
        out.append(np.nan if own not in borders else len((borders[own] & bloc) - {own}))
    return np.array(out, dtype=np.float64)


MEMBERSHIPS = DATA / "memberships.toml"


@functools.cache
def member_lists() -> dict[str, frozenset[str]]:
    """Organisation id → member codes (ISO3), from data/memberships.toml."""
    doc = tomllib.loads(MEMBERSHIPS.read_text(encoding="utf-8"))
    return {o["id"]: frozenset(o["members"]) for o in doc["organisations"]}


def shared_memberships(cities, countries=None, organisations=None):
    """Institutional ties within the bloc: for the city's country, the sum over the coded
    organisations it belongs to of the other member states of the bloc that belong too (each
    shared organisation counts once per partner). The bloc is ``countries`` (ISO3) or, by
    default, the countries of the ranked cities; ``organisations`` limits the count to some
    organisation ids. Hong Kong and Macao count as China, and as members where they are
    members in their own right (APEC). Unit: partner-memberships; more is better; country level."""
    table = member_lists()
    chosen = list(table) if organisations is None else [organisations] if isinstance(organisations, str) else list(organisations)
    unknown = [o for o in chosen if o not in table]
    if unknown:
        raise ValueError(f"unknown organisation(s) {', '.join(unknown)} (coded: {', '.join(table)})")
    state = lambda code: SOVEREIGN.get(code, code)  # noqa: E731
    bloc = {state(c) for c in ([countries] if isinstance(countries, str) else countries or [c.country for c in cities])}
    states = {o: {state(m) for m in table[o]} for o in chosen}
    out = []
    for city in cities:
        own = state(city.country)
        out.append(sum(len((states[o] & bloc) - {own}) for o in chosen if city.country in table[o] or own in table[o]))
    return np.array(out, dtype=np.float64)


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "countries.bloc_neighbours": (bloc_neighbours, {"countries": None}, "countries", 1, "country", "borders.csv"),
}
