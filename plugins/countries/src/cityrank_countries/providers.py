"""Country-level providers: each city gets its country's value."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from cityrank import derived
from cityrank.spatial import SOVEREIGN

from . import memberships

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


def shared_memberships(cities, as_of=None, countries=None, organisations=None):
    """Institutional ties within the bloc on the date ``as_of``: for the city's country, the sum
    over the coded organisations it belongs to on that date of the other member states of the
    bloc that belong too on that date (each shared organisation counts once per partner; joins,
    departures and suspensions are dated in data/memberships.toml). ``as_of`` is required: an
    ISO date ``"YYYY-MM-DD"``, an edition's release date. The bloc is ``countries`` (ISO3) or,
    by default, the countries of the ranked cities; ``organisations`` limits the count to some
    organisation ids. Hong Kong and Macao count as China, and as members where they are
    members in their own right (APEC). Unit: partner-memberships; more is better; country level."""
    table, _ = memberships.organisations()
    chosen = list(table) if organisations is None else [organisations] if isinstance(organisations, str) else list(organisations)
    unknown = [o for o in chosen if o not in table]
    if unknown:
        raise ValueError(f"unknown organisation(s) {', '.join(unknown)} (coded: {', '.join(table)})")
    state = lambda code: SOVEREIGN.get(code, code)  # noqa: E731
    bloc = {state(c) for c in ([countries] if isinstance(countries, str) else countries or [c.country for c in cities])}
    relevant = bloc | {c.country for c in cities} | {state(c.country) for c in cities}
    relevant |= {code for code, sovereign in SOVEREIGN.items() if sovereign in relevant}  # HKG as a member for China
    members = memberships.members_on(as_of, chosen, relevant)
    states = {o: {state(m) for m in members[o]} for o in chosen}
    out = []
    for city in cities:
        own = state(city.country)
        out.append(sum(len((states[o] & bloc) - {own}) for o in chosen if city.country in members[o] or own in members[o]))
    return np.array(out, dtype=np.float64)


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "countries.bloc_neighbours": (bloc_neighbours, {"countries": None}, "countries", 1, "country", "borders.csv"),
}
