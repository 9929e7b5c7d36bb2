"""A run against the edition's published results (the named top-tier cities), with baselines.

For each published list (node, share) we count the published cities in our top tier of that
node: the k = floor(share·N) best of the N cities ranked there, ties at the cut included as
the engine's tiers include them. Next to the composite's count, on the same list:

- **chance**: a random ranking places n·k/N published cities in its top k on average (the
  hypergeometric mean); the composite's p-value is P(X ≥ its count), X ~ Hypergeometric(N
  cities, K in the top, n published and ranked);
- **population alone**: the edition's population indicator, the first indicator whose id or
  provider's name has the word "population" (``urban_population``, ``geo.urban_population``);
  "not available" when there is none or it has no data;
- **the best single indicator** of the node: each indicator under the node ranked alone.

A ranking by one indicator ranks its values as the indicator defines them (after a
denominator, before any transform, imputation or outlier treatment: a transform keeps the
order, the others are the composite's choices), direction respected, over the same N cities,
with 'min' ranks and exact ties as the engine ranks data. A country-level value or a 0/1 flag
ties many cities: a tie across the cut puts all of them in the top (K > k), which makes its
count large and its p-value honest (K is the top's real size) but the count not comparable
with a top of k. So the best single indicator is the one with the most published cities in
its top among those whose top holds k cities, as the composite's does; the others are listed
with their top size. These numbers are results: they change no ranking.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..ranking import min_ranks

#: the word that makes an indicator the edition's population (in its id or provider's name)
_POPULATION = re.compile(r"(?:^|[^a-z])population(?:[^a-z]|$)", re.IGNORECASE)


def hypergeom_sf(x: int, N: int, K: int, n: int) -> float:
    """P(X ≥ x) for X ~ Hypergeometric(population N, K successes, n draws), exact in integers.

    ``N``, ``K``, ``n`` integers with 0 ≤ K ≤ N and 0 ≤ n ≤ N; any integer ``x``."""
    if not (0 <= K <= N and 0 <= n <= N):
        raise ValueError(f"hypergeometric: need 0 ≤ K ≤ N and 0 ≤ n ≤ N, not N={N}, K={K}, n={n}")
    lo, hi = max(0, n - (N - K)), min(n, K)
    if x <= lo:
        return 1.0
    if x > hi:
        return 0.0
    ways = sum(math.comb(K, i) * math.comb(N - K, n - i) for i in range(x, hi + 1))
    return ways / math.comb(N, n)  # int / int: the correctly rounded quotient, however large


def population_indicator(framework):
    """The edition's population indicator (see the module docstring), or None."""
    for ind in framework.indicators:
        if _POPULATION.search(ind.id) or (ind.provider is not None and _POPULATION.search(ind.provider.name)):
            return ind
    return None


def compare(result) -> list[dict]:
    """One entry per published top list: each named city's rank, whether it is in our top, and
    the baselines on the same list (``entry["baselines"]``)."""
    ed = result.edition
    ids = [c.id for c in result.cities]
    facts = []
    for table in ed.published.get("top", ()):
        node, share = table["node"], float(table["share"])
        ranks = result.rank(node)
        n = int((~np.isnan(ranks)).sum())
        k = math.floor(share * n + 1e-9)
        entry = {"node": node, "node_name": ed.framework.node(node).name, "share": share, "ranked": n,
                 "top_size": k, "source": table["source"], "complete": table.get("complete", ""), "cities": []}
        for city in table["cities"]:
            r = ranks[ids.index(city)]
            entry["cities"].append({"id": city, "name": result.cities[ids.index(city)].name,
                                    "rank": None if math.isnan(r) else int(r),
                                    "in_top": bool(not math.isnan(r) and r <= k)})
        entry["agree"] = sum(c["in_top"] for c in entry["cities"])
        if n == 0:
            entry["status"] = "no data: this node has no indicator with data, so it cannot be compared"
        else:
            chance = len(entry["cities"]) * k / n
            entry["chance"] = chance
            entry["status"] = (f"{entry['agree']} of {len(entry['cities'])} published cities are in our top {k} "
                               f"(a random ranking would place {chance:.1f} there on average)")
            entry["baselines"] = baselines(result, node, [ids.index(c) for c in table["cities"]], ranks, k)
        facts.append(entry)
    return facts


def baselines(result, node: str, listed: list[int], ranks: np.ndarray, k: int) -> dict:
    """Chance, population alone and the best single indicator of ``node`` on one published list
    (positions ``listed``), against the composite's ``ranks`` at that node and its top ``k``."""
    fw = result.edition.framework
    ranked = ~np.isnan(ranks)
    N = int(ranked.sum())
    drawn = [i for i in listed if ranked[i]]  # a published city we do not rank is in no one's top
    n = len(drawn)

    def scored(r: np.ndarray) -> dict:
        top = int(np.sum(r <= k))  # NaN compares false: unranked cities are not in the top
        agree = int(np.sum(r[drawn] <= k))
        return {"agree": agree, "top_size": top, "p_value": hypergeom_sf(agree, N, top, n)}

    def alone(ind) -> dict | None:
        j = fw.indicator_ids.index(ind.id)
        values = result.stages["denominated"][:, j] * ind.direction
        values = np.where(ranked, values, np.nan)  # the composite's N cities, no other
        if np.isnan(values).all():
            return None
        return {"indicator": ind.id, "name": ind.name} | scored(min_ranks(values, tolerance=0))

    composite = scored(ranks)
    out = {"published_ranked": n,
           "chance": {"expected": n * k / N, "p_value": composite["p_value"]}}
    pop = population_indicator(fw)
    found = alone(pop) if pop is not None else None
    out["population"] = found or {
        "indicator": pop.id if pop else None,
        "status": (f"not available: {pop.id} has no data" if pop else
                   "not available: no indicator's id or provider says population")}
    singles = [s | {"comparable": s["top_size"] == k}
               for s in (alone(fw.indicators[j]) for j in _under(fw, node)) if s is not None]
    out["indicators"] = singles
    candidates = [s for s in singles if s["comparable"]]
    if candidates:
        most = max(s["agree"] for s in candidates)
        best = [s for s in candidates if s["agree"] == most]  # same k, same count: same p-value
        out["best_indicator"] = {key: best[0][key] for key in ("indicator", "name", "agree", "top_size", "p_value")}
        out["best_indicator"]["tied_with"] = [s["indicator"] for s in best[1:]]
    else:
        out["best_indicator"] = {"indicator": None, "status": (
            "not available: every indicator of this node ties across the cut (more than "
            f"{k} cities in its top)" if singles else "not available: no indicator of this node has data")}
    out["summary"] = _summary(out, composite, n, k)
    return out


def _under(framework, node_id: str) -> list[int]:
    """Positions of the indicators under a node (any depth), in framework order."""
    below, size = {node_id}, 0
    while len(below) != size:
        size = len(below)
        below |= {n.id for n in framework.nodes if n.parent in below}
    return [j for j, i in enumerate(framework.indicators) if i.parent in below]


def _p(p: float) -> str:
    return f"p = {p:.2g}" if p >= 0.001 else f"p = {p:.1e}"


def _summary(out: dict, composite: dict, n: int, k: int) -> list[str]:
    """The baselines in a few lines of text (verify's text output and the report)."""
    chance = out["chance"]
    lines = [f"composite {composite['agree']} of {n} ({_p(composite['p_value'])} against chance, "
             f"which places {chance['expected']:.1f} on average)"]
    for label, key in (("population alone", "population"), ("best single indicator", "best_indicator")):
        b = out[key]
        if "agree" not in b:
            lines.append(f"{label}: {b['status']}")
            continue
        also = f"; tied with {', '.join(b['tied_with'])}" if b.get("tied_with") else ""
        wide = f", its top holds {b['top_size']} cities (ties across the cut)" if b["top_size"] != k else ""
        lines.append(f"{label} ({b['indicator']}): {b['agree']} of {n} ({_p(b['p_value'])}{wide}{also})")
    tied = [s for s in out["indicators"] if not s["comparable"]]
    if tied:  # named, so that a large count from a wide top is seen for what it is
        lines.append(f"not compared (ties across the cut put more than {k} cities in their top): " + ", ".join(
            f"{s['indicator']} {s['agree']} of {n} in a top of {s['top_size']} ({_p(s['p_value'])})" for s in tied))
    return lines
