"""Country-level providers: each city gets its country's value."""

from __future__ import annotations

import functools
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
    bloc = {state(c) for c in (countries or [c.country for c in cities])}
    out = []
    for city in cities:
        own = state(city.country)
        out.append(np.nan if own not in borders else len((borders[own] & bloc) - {own}))
    return np.array(out, dtype=np.float64)


#: id → (function, parameters, unit, direction, level, data file)
PROVIDERS = {
    "countries.bloc_neighbours": (bloc_neighbours, {"countries": None}, "countries", 1, "country", "borders.csv"),
}
