"""Runs side by side: the same cities in two runs or editions, one city's profile in a run."""

from __future__ import annotations

import math

import numpy as np

from ..formats.output import optional_float, optional_int


def matched(cities_a, cities_b) -> dict[int, int]:
    """Which city of ``cities_b`` each city of ``cities_a`` is (position → position): the same
    GeoNames id, or for a city without one the same name (case aside) and country. Editions
    name a city by different ids; a run and its what-if by the same."""
    def key(city):
        return ("geonameid", city.geonameid) if city.geonameid else ("name", city.name.casefold(), city.country)

    index_b = {key(c): j for j, c in enumerate(cities_b)}
    return {i: index_b[key(c)] for i, c in enumerate(cities_a) if key(c) in index_b}


def compare_results(a, b) -> dict:
    """Cities in both runs (:func:`matched`: by GeoNames id, else name and
    country) with their ranks and scores: what ``cityrank compare`` writes."""
    pairs = matched(a.cities, b.cities)
    domains = [d for d in a.nodes[1:] if d in b.nodes[1:]]
    rows, seen = [], set()
    for i, c in enumerate(a.cities):
        j = pairs.get(i)
        if j is None:
            continue
        seen.add(j)
        ra, rb = a.ranks[i, 0], b.ranks[j, 0]
        row = {"name": c.name, "country": c.country, "id_a": c.id, "id_b": b.cities[j].id,
               "rank_a": optional_int(ra), "rank_b": optional_int(rb), "rank_change": optional_int(ra - rb),
               "score_a": optional_float(a.scores[i, 0]), "score_b": optional_float(b.scores[j, 0]),
               "score_change": optional_float(b.scores[j, 0] - a.scores[i, 0]),
               "domains": {d: {"rank_a": optional_int(a.rank(d)[i]), "rank_b": optional_int(b.rank(d)[j])} for d in domains}}
        rows.append(row)
    rows.sort(key=lambda r: (r["rank_a"] is None, r["rank_a"] or 0, r["name"]))
    return {"edition_a": a.edition.id, "edition_b": b.edition.id, "in_both": len(rows),
            "only_a": len(a.cities) - len(rows), "only_b": len(b.cities) - len(seen), "cities": rows}


def profile(result, i: int) -> dict:
    """One city in one run: ranks overall and per domain, tier, strongest and weakest indicators."""
    fw = result.edition.framework
    c = result.cities[i]
    scores = result.indicator_scores[i]
    have = [(float(scores[j]), ind) for j, ind in enumerate(fw.indicators) if not math.isnan(scores[j])]
    have.sort(key=lambda t: (-t[0], t[1].id))
    ranked = int((~np.isnan(result.ranks[:, 0])).sum())
    return {"edition": result.edition.id, "title": result.edition.title, "id": c.id, "name": c.name,
            "country": c.country, "rank": optional_int(result.ranks[i, 0]), "of": ranked,
            "score": optional_float(result.scores[i, 0]), "tier": result.tiers[i],
            "domains": {d: {"rank": optional_int(result.ranks[i, k]), "score": optional_float(result.scores[i, k])}
                        for k, d in enumerate(result.nodes) if k > 0},
            "strongest": [{"indicator": ind.id, "name": ind.name, "score": s} for s, ind in have[:2]],
            "weakest": [{"indicator": ind.id, "name": ind.name, "score": s} for s, ind in have[::-1][:2]]}
