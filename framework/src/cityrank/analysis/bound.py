"""How much of a published top list could any weighting reproduce? (``verify --bound``)

For a published fact "these cities are in the top share of node X", the bound is the largest
number of them that any non-negative weighting of X's indicators puts in X's top
floor(share·n), with the edition's normalised scores. Any such weighting is a vector of
effective indicator weights w ≥ 0, Σ w = 1 (every vector is reachable by local weights).

- **exact** when the node is an arithmetic mean of complete data all the way down: a
  mixed-integer programme (SciPy's HiGHS): a threshold τ, binaries u_j for the at most k − 1
  cities allowed to score above it and t_i for the published cities selected, which must
  score at least τ (big-M constraints, M the score range); maximise the number selected.
  Ties count as in the top (the 'min' rank rule). Cut off at ``time_limit`` seconds: then
  the best found, marked not proven.
- **sampled** otherwise (another aggregator, missing values): the best of Dirichlet(1)
  samples of the effective weights — a lower bound.

It never changes the edition's weights.
"""

from __future__ import annotations

import math

import numpy as np

from ..methods.aggregators import arithmetic


def _below(framework, node_id: str) -> set[str]:
    """The node and every node under it."""
    below, size = {node_id}, 0
    while len(below) != size:
        size = len(below)
        below |= {n.id for n in framework.nodes if n.parent in below}
    return below


def _node_indicators(framework, node_id: str) -> list[int]:
    """Positions of the indicators below a node (any depth)."""
    below = _below(framework, node_id)
    return [j for j, i in enumerate(framework.indicators) if i.parent in below]


def _linear(result, node_id: str) -> bool:
    """Whether the node's score is an arithmetic mean all the way down (then it is linear)."""
    below = _below(result.edition.framework, node_id)
    return all(m["method"] == "arithmetic" for m in result.methods
               if m["stage"] == "aggregator" and m["target"] in below)


def bound(result, fact: dict, *, samples: int = 20000, seed: int = 0, time_limit: float = 60.0) -> dict:
    """The bound of one published fact (an entry of ``[[published.top]]``)."""
    fw = result.edition.framework
    node, share = fact["node"], float(fact["share"])
    cols = [j for j in _node_indicators(fw, node) if not np.isnan(result.indicator_scores[:, j]).all()]
    ids = [c.id for c in result.cities]
    listed = [ids.index(c) for c in fact["cities"]]
    z = result.indicator_scores[:, cols]
    n = len(z)
    k = math.floor(share * n + 1e-9)
    names = [fw.indicators[j].id for j in cols]
    if not cols or k == 0:
        return {"node": node, "published": len(listed), "reachable": 0, "method": "none", "proven": True,
                "weights": {}}
    complete = not np.isnan(z).any()
    if complete and _linear(result, node):
        found = _milp(z, listed, k, time_limit)
        if found is not None:
            count, w, proven = found
            return {"node": node, "published": len(listed), "reachable": count, "method": "mixed-integer programme",
                    "proven": proven, "weights": dict(zip(names, map(float, w), strict=True))}
    count, w = _sampled(z, listed, k, samples, seed)
    return {"node": node, "published": len(listed), "reachable": count, "method": f"best of {samples} samples",
            "proven": False, "weights": dict(zip(names, map(float, w), strict=True))}


def in_top(z: np.ndarray, w: np.ndarray, listed: list[int], k: int) -> int:
    """How many listed cities are in the top k of z·w (ties in, as 'min' ranks)."""
    from ..ranking import min_ranks

    s = arithmetic(z, w)
    r = min_ranks(s)
    return int(np.sum(r[listed] <= k))


def _sampled(z, listed, k, samples, seed):
    rng = np.random.default_rng([seed, 17])
    w = rng.dirichlet(np.ones(z.shape[1]), size=samples)
    from ..ranking import int_ranks

    scores = arithmetic(z, w)  # (S, N)
    r = int_ranks(scores)
    counts = ((r[:, listed] > 0) & (r[:, listed] <= k)).sum(axis=1)
    best = int(np.argmax(counts))
    return int(counts[best]), w[best]


def _milp(z, listed, k, time_limit):
    """Variables: w (m weights), τ (the score of the weakest selected city), u_j (city j may
    score above τ; at most k − 1 of them), t_i (listed city i is selected). Then every selected
    city has at most k − 1 cities strictly above it: rank ≤ k ('min' ranks, ties in)."""
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix, csr_matrix, hstack
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    n, m = z.shape
    p = len(listed)
    big = float(np.max(z) - np.min(z)) + 1.0
    lo = float(np.min(z))
    # columns: w (m) | τ (1) | u (n) | t (p)
    cities = csr_matrix(z)
    below = hstack([cities, coo_matrix(-np.ones((n, 1))), coo_matrix(-big * np.eye(n)), coo_matrix((n, p))])
    chosen = hstack([csr_matrix(z[listed]), coo_matrix(-np.ones((p, 1))), coo_matrix((p, n)),
                     coo_matrix(-big * np.eye(p))])
    sums = hstack([coo_matrix(np.vstack([np.ones(m), np.zeros(m)])), coo_matrix((2, 1)),
                   coo_matrix(np.vstack([np.zeros(n), np.ones(n)])), coo_matrix((2, p))])
    constraints = [
        LinearConstraint(below.tocsr(), lb=-np.inf, ub=0.0),  # s_j − τ − M u_j ≤ 0
        LinearConstraint(chosen.tocsr(), lb=-big, ub=np.inf),  # s_i − τ ≥ −M (1 − t_i)
        LinearConstraint(sums.tocsr(), lb=[1, 0], ub=[1, k - 1]),  # Σ w = 1, Σ u ≤ k − 1
    ]
    c = np.zeros(m + 1 + n + p)
    c[m + 1 + n:] = -1.0  # maximise the selected listed cities
    integrality = np.concatenate([np.zeros(m + 1), np.ones(n + p)])
    bounds = Bounds(np.concatenate([np.zeros(m), [lo - 1], np.zeros(n + p)]),
                    np.concatenate([np.ones(m), [lo + big], np.ones(n + p)]))
    res = milp(c, constraints=constraints, integrality=integrality, bounds=bounds,
               options={"time_limit": float(time_limit), "disp": False})
    if res.x is None:
        return None
    w = np.clip(res.x[:m], 0, None)
    w = w / w.sum()
    count = in_top(z, w, listed, k)  # recounted on the ranking itself, not read off the programme
    return count, w, bool(res.status == 0)
