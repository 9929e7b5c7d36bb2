"""The kernels. Scores ``x`` are ``(…, N, K)`` with higher better; weights ``w`` are ``(…, K)``."""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np


def _prepare(scores, weights):
    """Scores with NaN, weights ``(…, 1, K)`` summing to one, and the present mask.

    Missing values are handled as the arithmetic mean handles them: a city is compared on the
    indicators it has, each method saying how (see its docstring)."""
    x = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if np.any(w < 0) or not np.all(w.sum(axis=-1) > 0):
        raise ValueError("weights must be non-negative and not all zero")
    w = w / w.sum(axis=-1, keepdims=True)
    return x, w[..., None, :], ~np.isnan(x)


def _per_city(w, present):
    """Each city's weights renormalised over its present indicators ``(…, N, K)``; 0 where none."""
    wp = np.where(present, w, 0.0)
    total = wp.sum(axis=-1, keepdims=True)
    return np.divide(wp, total, out=np.zeros(wp.shape), where=total > 0)


def _scored(present, w):
    """Cities with at least one present indicator of positive weight ``(…, N)``."""
    return (present & (w > 0)).any(axis=-1)


def topsis(scores, weights, normalise="vector"):
    """TOPSIS (Hwang & Yoon 1981): closeness to the ideal city, d⁻/(d⁺ + d⁻) in [0, 1].

    Columns are divided by their Euclidean norm (``normalise="vector"``, the classical choice)
    or used as given (``"none"``), then weighted; the ideal (anti-ideal) takes each column's
    best (worst) value over the cities. A missing value leaves its indicator out of that city's
    two distances (the closeness does not depend on renormalising the city's weights)."""
    x, w, present = _prepare(scores, weights)
    if normalise == "vector":
        norm = np.sqrt(np.nansum(x**2, axis=-2, keepdims=True))
        x = x / np.where(norm > 0, norm, 1.0)
    elif normalise != "none":
        raise ValueError(f"normalise must be 'vector' or 'none', got {normalise!r}")
    v = x * w
    with warnings.catch_warnings():  # an indicator missing for every city: NaN ideal, left out
        warnings.simplefilter("ignore", RuntimeWarning)
        best, worst = np.nanmax(v, axis=-2, keepdims=True), np.nanmin(v, axis=-2, keepdims=True)
    d_best = np.sqrt(np.nansum((v - best) ** 2, axis=-1))
    d_worst = np.sqrt(np.nansum((v - worst) ** 2, axis=-1))
    total = d_best + d_worst
    closeness = np.divide(d_worst, total, out=np.full(total.shape, 0.5), where=total > 0)
    return np.where(_scored(present, w), closeness, np.nan)


def vikor(scores, weights, v=0.5):
    """VIKOR (Opricovic 1998; Opricovic & Tzeng, EJOR 156, 2004) as 1 − Q, so higher is better.

    S = Σ w (f* − f)/(f* − f⁻) (group utility), R = max of the same terms (individual regret),
    Q = v (S − S*)/(S⁻ − S*) + (1 − v)(R − R*)/(R⁻ − R*); a column with one value for every city
    adds nothing. A city missing values sums over its present indicators with its weights
    renormalised over them (as the arithmetic mean does); f*, f⁻ are over the present values."""
    if not 0 <= v <= 1:
        raise ValueError(f"v must be in [0, 1], got {v}")
    x, w, present = _prepare(scores, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        best, worst = np.nanmax(x, axis=-2, keepdims=True), np.nanmin(x, axis=-2, keepdims=True)
    span = best - worst
    shape = np.broadcast_shapes(x.shape, span.shape)
    regret = np.divide(best - x, span, out=np.zeros(shape), where=(span > 0) & present)
    terms = _per_city(w, present) * regret
    s, r = terms.sum(axis=-1), terms.max(axis=-1)
    scored = _scored(present, w)

    def scaled(a):
        a = np.where(scored, a, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanmin(a, axis=-1, keepdims=True), np.nanmax(a, axis=-1, keepdims=True)
        return np.divide(a - lo, hi - lo, out=np.zeros(a.shape), where=hi > lo)

    q = v * scaled(s) + (1 - v) * scaled(r)
    return np.where(scored, 1.0 - q, np.nan)


def copeland(scores, weights):
    """Copeland's rule (non-compensatory): for each pair of cities, the weighted share of
    indicators on which one beats the other (ties count half); a city scores +1 for every city
    it beats by a weighted majority (share > ½) and −1 for every city that beats it
    (Munda & Nardo, Applied Economics 41, 2009; COINr's ``a_copeland``). A pair is compared on
    the indicators both cities have, with the weights renormalised over them; a pair with none
    in common counts as neither win nor loss."""
    x, w, present = _prepare(scores, weights)
    n = x.shape[-2]
    lead = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    wins = np.zeros((*lead, n))
    step = max(1, PAIRS_AT_ONCE // max(1, n * math.prod(lead)))  # rows of cities compared with all at once
    for start in range(0, n, step):  # a block of rows at a time: memory (…, rows, N), never (…, N, N)
        rows = np.arange(start, min(n, start + step))
        share = _pair_shares(x, w, present, rows)
        margin = np.where(np.abs(share - 0.5) < 1e-9, 0.0, share - 0.5)  # an exact tie of weights, not rounding
        outrank = np.sign(margin)
        outrank[..., np.arange(len(rows)), rows] = 0.0  # a city against itself
        wins[..., rows] = outrank.sum(axis=-1)
    return np.where(_scored(present, w), wins, np.nan)


#: pairs of cities compared in one block (Copeland): about 4 million, some 100 MB of arrays
PAIRS_AT_ONCE = 1 << 22


def _pair_shares(x, w, present, rows=None, both=False):
    """``(…, R, N)``: the weighted share of indicators on which city i (of ``rows``, default
    all) beats city j (ties count half), over the indicators both have, weights renormalised
    per pair (½ if none). With ``both``, also the share on which j beats i (the same numbers,
    bit for bit, as row j's share against i)."""
    n = x.shape[-2]
    rows = np.arange(n) if rows is None else rows
    shape = (*np.broadcast_shapes(x.shape[:-2], w.shape[:-2]), len(rows), n)
    share, lost, common = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for k in range(x.shape[-1]):  # one indicator at a time keeps memory at (…, R, N)
        col = x[..., :, k]
        present_both = present[..., rows, k][..., :, None] & present[..., None, :, k]
        diff = col[..., rows][..., :, None] - col[..., None, :]
        wk = w[..., 0, k][..., None, None]
        share = share + np.where(present_both, wk * ((diff > 0) + 0.5 * (diff == 0)), 0.0)
        if both:  # col_j − col_i < 0 exactly when col_i − col_j > 0: the same terms as row j's
            lost = lost + np.where(present_both, wk * ((diff < 0) + 0.5 * (diff == 0)), 0.0)
        common = common + np.where(present_both, wk, 0.0)
    beats = np.divide(share, common, out=np.full(shape, 0.5), where=common > 0)
    if not both:
        return beats
    return beats, np.divide(lost, common, out=np.full(shape, 0.5), where=common > 0)


def bod(scores, weights, lower=0.0):
    """Benefit of the doubt (Cherchye et al., Social Indicators Research 82, 2007): each city
    gets the weights most favourable to it, max_w Σ_k w_k x_ik subject to Σ_k w_k x_jk ≤ 1 for
    every city j and w ≥ 0, solved as a linear programme (scipy's HiGHS). ``lower`` (0–1)
    keeps each indicator's share of the city's score at least ``lower`` × its nominal weight,
    so no indicator can be ignored entirely. Scores must be ≥ 0. A city's LP is over the
    indicators it has; another city's missing value counts as 0 in that city's constraint (a
    benchmark is measured on what it has). Scores lie in [0, 1].

    Only frontier cities can bind: a city j with x_j ≤ x_k (componentwise) for another k has
    w·x_j ≤ w·x_k for every w ≥ 0, so its constraint is implied and left out
    (:func:`frontier`); with ``lower = 0`` the optimal corner found for one city is checked
    for every other (:func:`_certify`), so the programmes solved are about as many as the
    frontier's corners, not one per city; the rest are solved a batch at a time in one LP."""
    x, w, present = _prepare(scores, weights)
    if np.any(x[present] < 0):
        raise ValueError("benefit of the doubt needs non-negative scores")
    if not 0 <= lower < 1:
        raise ValueError(f"lower must be in [0, 1), got {lower}")
    scored = _scored(present, w)
    x = np.where(present, x, 0.0)
    n = x.shape[-2]
    shape = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    out = np.full((*shape, n), np.nan)
    if lower == 0:  # the weights do not enter the programme: one solve per batch of scores
        solved = {}
        for idx in np.ndindex(*shape):
            xi = _lead(idx, x.shape[:-2])
            if xi not in solved:
                solved[xi] = _bod_batch(x[xi], present[xi], present[xi].any(axis=-1), None, 0.0)
            out[idx] = np.where(np.broadcast_to(scored, (*shape, n))[idx], solved[xi], np.nan)
        return out
    for idx in np.ndindex(*shape):
        xi, wi = _lead(idx, x.shape[:-2]), _lead(idx, w.shape[:-2])
        out[idx] = _bod_batch(x[xi], present[xi], np.broadcast_to(scored, (*shape, n))[idx], w[wi][0], lower)
    return out


def _lead(idx, lead):
    """The index into an array with leading shape ``lead`` that broadcasts to ``idx``."""
    offset = len(idx) - len(lead)
    return tuple(0 if size == 1 else i for i, size in zip(idx[offset:], lead, strict=True))


def _bod_batch(x, present, scored, nominal, lower):
    """Benefit-of-the-doubt scores ``(N,)`` of one batch: ``x`` ``(N, K)`` with 0 for missing,
    NaN for cities not ``scored``. Cities having the same indicators share their programme's
    constraints (every city's values on those indicators), so they are solved together."""
    out = np.full(len(x), np.nan)
    patterns, group = np.unique(present, axis=0, return_inverse=True)
    for p, keep in enumerate(patterns):
        members = np.flatnonzero((group.ravel() == p) & scored)
        if not len(members):
            continue
        sub = x[:, keep]
        bench = sub[frontier(sub)]
        nom = None if nominal is None else nominal[keep] / nominal[keep].sum()
        out[members] = _bod_group(bench, sub[members], nom, lower, members)
    return out


#: cities compared with the frontier at once when filtering it: memory rows × frontier × K
FRONTIER_BLOCK = 256


def frontier(x):
    """``(N,)`` bool: the rows of ``x`` ``(N, K)`` not weakly dominated by another row (of
    rows equal to each other, the first). Every dropped row is ≤ some kept row.

    Rows are taken in decreasing order of their sums (a row can be dominated only by one
    whose sum is at least its own), a block at a time against the rows kept so far and the
    rest of the block; a dominated row that rounding kept only costs a redundant constraint."""
    n = len(x)
    order = np.lexsort((np.arange(n), -x.sum(axis=1)))
    kept = np.zeros(n, dtype=bool)
    front = np.empty((0, x.shape[1]))
    for start in range(0, n, FRONTIER_BLOCK):
        rows = order[start:start + FRONTIER_BLOCK]
        block = x[rows]
        beaten = np.zeros(len(rows), dtype=bool)
        for f in range(0, len(front), 4 * FRONTIER_BLOCK):  # against the kept rows, in chunks
            beaten |= (front[None, f:f + 4 * FRONTIER_BLOCK] >= block[:, None]).all(axis=-1).any(axis=1)
        ge = (block[None, :] >= block[:, None]).all(axis=-1)  # ge[a, b]: row b ≥ row a
        equal = ge & ge.T
        earlier = np.arange(len(rows))[None, :] < np.arange(len(rows))[:, None]
        beaten |= (ge & (~equal | earlier)).any(axis=1)
        kept[rows[~beaten]] = True
        front = np.vstack([front, block[~beaten]])
    return kept


#: cities solved in one LP at most (block-diagonal): HiGHS's time per city is lowest about here
BOD_BATCH = 256


def _bod_group(bench, cities, nominal, lower, labels):
    """``(C,)``: the benefit-of-the-doubt scores of ``cities`` ``(C, K)`` against the
    constraints ``bench`` ``(B, K)`` (w·bench_j ≤ 1, w ≥ 0). With ``lower = 0`` each solved
    city's optimal corner is tried for the others (a batch of 1, 2, 4, … cities solved, then
    every pending city whose optimum that corner is takes its value); with ``lower > 0`` the
    constraints depend on the city, and every city is solved, a batch at a time."""
    out = np.full(len(cities), np.nan)
    pending = np.arange(len(cities))
    size = 1
    while len(pending):
        batch, pending = pending[:size], pending[size:]
        values, corners = _solve(bench, cities[batch], nominal, lower, labels[batch])
        out[batch] = values
        for corner in corners if lower == 0 else ():
            if corner is None or not len(pending):
                continue
            done, value = _certify(cities[pending], *corner)
            out[pending[done]] = value[done]
            pending = pending[~done]
        size = min(2 * size, BOD_BATCH) if lower == 0 else BOD_BATCH
    return out


def _solve(bench, cities, nominal, lower, labels):
    """Solve the programmes of ``cities`` ``(C, K)`` against ``bench`` ``(B, K)``. Returns
    their scores ``(C,)`` and, per city, its optimal corner (:func:`_corner`) or None.

    Constraint generation: each city's LP starts from the rows holding each column's largest
    value (they bound every weight) and gains the rows its solution violates most, until it
    violates none; a relaxation's optimum that is feasible for every row is the optimum."""
    c = len(cities)
    # the first rows: each column's largest (they bound every weight) and the rows pointing
    # most nearly as the city does (on a curved frontier, those its optimum rests on)
    norms = np.linalg.norm(bench, axis=1)
    cosine = (bench / np.where(norms > 0, norms, 1.0)[:, None]) @ cities.T  # (B, C)
    inset = np.zeros((len(bench), c), dtype=bool)
    inset[np.argmax(bench, axis=0)] = True
    _mark_top(inset, cosine, np.ones(c, dtype=bool))
    while True:
        sets = [np.flatnonzero(col) for col in inset.T]
        wts, row_duals, bound_duals = _solve_sets(bench, cities, sets, nominal, lower, labels)
        over = bench @ wts.T  # (B, C): each row's w·bench_j, 1 at most when feasible
        violated = (over > 1 + 1e-9) & ~inset
        grow = violated.any(axis=0)
        if not grow.any():
            break
        _mark_top(inset, np.where(violated, over, -np.inf), grow)
    values = (wts * cities).sum(axis=1)
    if lower > 0:
        return values, [None] * c
    return values, [_corner(bench, wts[i], 1 - over[:, i], row_duals[i], bound_duals[i]) for i in range(c)]


#: rows a city's LP gains per round of constraint generation, at most
BOD_ADD = 32


def _mark_top(inset, value, cities):
    """Mark in ``inset`` ``(B, C)`` the ``BOD_ADD`` rows of largest finite ``value`` of each of ``cities``."""
    take = min(BOD_ADD, len(value))
    cols = np.flatnonzero(cities)
    top = np.argpartition(-value[:, cols], take - 1, axis=0)[:take]
    finite = np.isfinite(np.take_along_axis(value[:, cols], top, axis=0))
    inset[top[finite], np.broadcast_to(cols, top.shape)[finite]] = True


def _solve_sets(bench, cities, sets, nominal, lower, labels):
    """One block-diagonal LP for ``cities``, each against its rows ``sets[i]`` of ``bench``
    (they share no variable, so its optimum is each one's). Returns the weights ``(C, K)``,
    the rows' duals (a list of ``(B,)``, 0 off the set) and the bounds' duals ``(C, K)``."""
    from scipy import sparse
    from scipy.optimize import linprog

    c, k = cities.shape
    blocks, rhs = [], []
    for r, rows in zip(cities, sets, strict=True):
        a, b = [bench[rows]], [np.ones(len(rows))]
        if lower > 0:  # w_k x_ik ≥ lower · nominal_k · Σ_m w_m x_im
            a.append(lower * nominal[:, None] * r[None, :] - np.diag(r))
            b.append(np.zeros(k))
        blocks.append(np.vstack(a))
        rhs.append(np.concatenate(b))
    res = linprog(-cities.ravel(), A_ub=sparse.block_diag(blocks, format="csr"), b_ub=np.concatenate(rhs),
                  bounds=(0, None), method="highs", options={"presolve": False})
    if res.status != 0:
        if c > 1:  # name the city: solve them one by one
            parts = [_solve_sets(bench, cities[i:i + 1], sets[i:i + 1], nominal, lower, labels[i:i + 1])
                     for i in range(c)]
            return (np.vstack([p[0] for p in parts]), [p[1][0] for p in parts], np.vstack([p[2] for p in parts]))
        raise ValueError(f"the benefit-of-the-doubt LP failed for city {labels[0] + 1}: {res.message}")
    row_duals, at = [], 0
    for rows, block in zip(sets, blocks, strict=True):
        full = np.zeros(len(bench))
        full[rows] = res.ineqlin.marginals[at:at + len(rows)]
        row_duals.append(full)
        at += len(block)
    return res.x.reshape(c, k), row_duals, res.lower.marginals.reshape(c, k)


def _corner(bench, wt, slack, row_duals, bound_duals):
    """The optimal corner of one city's LP as ``(rows, vertex)``: ``rows`` ``(K, K)`` the
    normals of K tight, independent constraints (bench_j for w·bench_j ≤ 1, −e_m for
    w_m ≥ 0), ``vertex`` where they meet; those with a non-zero dual first (HiGHS's basis),
    None if no K of them are independent or well conditioned (that city is then not reused)."""
    k = bench.shape[1]
    scale = max(1.0, float(np.abs(wt).max()))
    tight_rows = np.flatnonzero(slack <= 1e-9)
    tight_bounds = np.flatnonzero(wt <= 1e-12 * scale)
    normals = np.vstack([bench[tight_rows], -np.eye(k)[tight_bounds]])
    rhs = np.concatenate([np.ones(len(tight_rows)), np.zeros(len(tight_bounds))])
    dual = np.abs(np.concatenate([row_duals[tight_rows], bound_duals[tight_bounds]]))
    chosen: list[int] = []
    for i in np.argsort(-dual, kind="stable"):
        trial = [*chosen, int(i)]
        if np.linalg.matrix_rank(normals[trial]) == len(trial):
            chosen = trial
            if len(chosen) == k:
                break
    if len(chosen) < k:
        return None
    rows = normals[chosen]
    if np.linalg.cond(rows) > 1e10:
        return None
    vertex = np.linalg.solve(rows, rhs[chosen])
    if np.any(bench @ vertex > 1 + 1e-9) or np.any(vertex < -1e-12 * scale):  # not a feasible corner
        return None
    return rows, vertex


def _certify(cities, rows, vertex):
    """Which of ``cities`` ``(C, K)`` have ``vertex`` as an optimum, and their score there:
    those whose objective is a non-negative combination of the tight constraints' normals
    (x = rowsᵀ y, y ≥ 0: LP duality), since then x·w = Σ y_r (normal_r·w) ≤ Σ y_r·rhs_r =
    x·vertex for every feasible w."""
    y = np.linalg.solve(rows.T, cities.T).T  # (C, K)
    tol = 1e-10 * np.maximum(1.0, np.abs(y).max(axis=1))
    return (y >= -tol[:, None]).all(axis=1), cities @ vertex


#: the largest N solved exactly (dynamic programming over subsets: 2^N × N states)
KEMENY_EXACT = 12
#: at most this many tying optimal orders are listed
KEMENY_ORDERS = 1000
#: the most cities improved by local search: it needs N × N matrices and its time grows as N³
#: (measured on a 2-core machine: 1,000 cities 36 s, 2,000 cities 5 min; 10,000 would take
#: about 10 hours); beyond, the starting order is the answer
KEMENY_SEARCH = 2000
#: what every order found beyond the exact size is guaranteed to be, and why
KEMENY_GUARANTEE = ("its disagreement (the weighted share of indicators that rank a pair of cities the other way, "
                    "summed over pairs) is at most 5 times the least possible: it is never above that of the order "
                    "by weighted wins, a 5-approximation when e[i, j] + e[j, i] = 1 for every pair, as here "
                    "(Coppersmith, Fleischer & Rudra, ACM Transactions on Algorithms, 2010; "
                    "https://cse.buffalo.edu/faculty/atri/papers/algos/tournament.html)")


class Kemeny(NamedTuple):
    """What :func:`kemeny_orders` found."""

    #: orders as lists of row indices, best first
    orders: list
    #: their agreement Σ_{i above j} e[i, j]
    agreement: float
    #: whether the orders are every optimal one (up to the limit)
    exact: bool
    #: how they were found
    method: str
    #: no order agrees more than this (the optimum itself when exact)
    bound: float
    #: what is guaranteed of them
    guarantee: str
    #: their disagreement is at most this many times the least possible (1 when exact): 5, or
    #: less when the ceiling on the optimum's agreement proves less on this instance
    ratio: float


def outranking(scores, weights):
    """e[i, j] ``(N, N)``: the weighted share of indicators on which city i beats city j (ties
    half), over the indicators both have; 0 on the diagonal."""
    x, w, present = _prepare(scores, weights)
    e = _pair_shares(x, w, present)
    np.fill_diagonal(e, 0.0)
    return e


def kemeny_orders(scores, weights, limit: int = KEMENY_ORDERS) -> Kemeny:
    """The Kemeny–Young orders of the cities (Kemeny 1959; Young & Levenglick, SIAM J. Appl.
    Math. 35, 1978): the orders that maximise the agreement Σ_{i above j} e[i, j] with the
    indicators. Exact for N ≤ :data:`KEMENY_EXACT` by dynamic programming over the sets of
    cities placed first, returning every tying optimal order (at most ``limit``); beyond, one
    order, within :data:`KEMENY_GUARANTEE` (:func:`_kemeny_approximate`)."""
    n = np.shape(scores)[-2]
    if n > KEMENY_EXACT:
        return _kemeny_approximate(scores, weights)
    e = outranking(scores, weights)
    if n == 0:
        return Kemeny([[]], 0.0, True, "exact", 0.0, "exact", 1.0)
    full = (1 << n) - 1
    best = np.full(1 << n, -np.inf)
    best[0] = 0.0
    rows = e.tolist()
    for placed in range(1 << n):
        if best[placed] == -np.inf:
            continue
        rest = [i for i in range(n) if not placed >> i & 1]
        for j in rest:  # j next: above every city still to place
            gain = sum(rows[j][i] for i in rest if i != j)
            t = placed | (1 << j)
            if best[placed] + gain > best[t]:
                best[t] = best[placed] + gain
    orders: list[list[int]] = []

    def back(t, suffix):  # every last-placed city consistent with the optimum
        if len(orders) >= limit:
            return
        if t == 0:
            orders.append(suffix[::-1])
            return
        rest_after = [i for i in range(n) if not t >> i & 1]
        for j in range(n):
            if t >> j & 1:
                prev = t & ~(1 << j)
                gain = sum(rows[j][i] for i in rest_after)
                if best[prev] != -np.inf and abs(best[prev] + gain - best[t]) <= 1e-9 * max(1.0, abs(best[t])):
                    back(prev, [*suffix, j])

    back(full, [])
    value = float(best[full])
    return Kemeny(orders, value, True, "exact: dynamic programming over the sets of cities placed first", value,
                  "exact", 1.0)


def _kemeny_approximate(scores, weights) -> Kemeny:
    """One order beyond the exact size: of the Copeland order and the order by weighted wins
    (Σ_j e[i, j]), the one that agrees more (Copeland's on a tie), improved by local search
    (:func:`_kemeny_local`) up to :data:`KEMENY_SEARCH` cities. Its disagreement is at most
    that of the weighted-wins order, so at most 5 times the least possible; ``bound`` caps the
    optimum's agreement (every pair adds at most max(e[i, j], e[j, i])), so ``ratio`` is what
    this instance proves, often far below 5."""
    x, w, present = _prepare(scores, weights)
    n = x.shape[-2]
    wins, copeland_wins, ceiling, total = _tournament(x, w, present)
    starts = {"Copeland": np.argsort(-copeland_wins, kind="stable"), "weighted-wins": np.argsort(-wins, kind="stable")}
    agree = dict(zip(starts, _agreements(x, w, present, list(starts.values())), strict=True))
    name = "Copeland" if agree["Copeland"] >= agree["weighted-wins"] - 1e-9 * max(1.0, total) else "weighted-wins"
    order = [int(i) for i in starts[name]]
    if n <= KEMENY_SEARCH:
        order, value = _kemeny_local(outranking(scores, weights), order)
        method = f"local search from the {name} order (more than {KEMENY_EXACT} cities)"
    else:
        value = agree[name]
        method = f"the {name} order (more than {KEMENY_SEARCH:,} cities: no local search)"
    bound = max(ceiling, value)  # the same up to rounding when the order is optimal
    disagreement, least = total - value, total - bound  # least: no order disagrees less
    ratio = min(5.0, max(1.0, disagreement / least)) if least > 0 else 5.0
    ratio = 1.0 if disagreement <= 1e-12 * max(1.0, total) else ratio  # none left: optimal
    return Kemeny([order], value, False, method, float(bound), KEMENY_GUARANTEE, float(ratio))


def _tournament(x, w, present):
    """Over the pairs, a block of rows at a time (memory (rows, N), never N × N): each city's
    weighted wins Σ_j e[i, j] ``(N,)`` and Copeland score ``(N,)`` (cities beaten by a weighted
    majority less cities beaten by), Σ_{i<j} max(e[i, j], e[j, i]) and Σ_{i<j} e[i, j] + e[j, i]."""
    n = x.shape[-2]
    wins, copeland_wins = np.zeros(n), np.zeros(n)
    ceiling = total = 0.0
    for rows in _row_blocks(n):
        beats, beaten = _pair_shares(x, w, present, rows, both=True)
        own = (np.arange(len(rows)), rows)
        beats[own] = beaten[own] = 0.0
        wins[rows] = beats.sum(axis=1)
        margin = beats - beaten  # as e − eᵀ
        copeland_wins[rows] = np.sign(np.where(np.abs(margin) < 1e-12, 0.0, margin)).sum(axis=1)
        ceiling += float(np.maximum(beats, beaten).sum()) / 2
        total += float((beats + beaten).sum()) / 2
    return wins, copeland_wins, ceiling, total


def _agreements(x, w, present, orders):
    """The agreement Σ_{i above j} e[i, j] of each of ``orders`` (arrays of row indices), a
    block of rows at a time."""
    n = x.shape[-2]
    positions = []
    for order in orders:
        pos = np.empty(n, dtype=int)
        pos[order] = np.arange(n)
        positions.append(pos)
    sums = [0.0] * len(orders)
    for rows in _row_blocks(n):
        beats = _pair_shares(x, w, present, rows)
        for o, pos in enumerate(positions):
            sums[o] += float(np.where(pos[None, :] > pos[rows][:, None], beats, 0.0).sum())
    return sums


def _row_blocks(n):
    """Blocks of row indices whose pairs with all N cities number about :data:`PAIRS_AT_ONCE`."""
    step = max(1, PAIRS_AT_ONCE // max(1, n))
    return [np.arange(start, min(n, start + step)) for start in range(0, n, step)]


def _agreement(e, order):
    pos = np.empty(len(order), dtype=int)
    pos[order] = np.arange(len(order))
    above = pos[:, None] < pos[None, :]
    return float(e[above].sum())


def _kemeny_local(e, order):
    """Insertion local search from ``order``: move one city to the position that raises the
    agreement most, while any move does. A move's gain is a sum over the cities it jumps
    (m = e − eᵀ), so one sweep over all moves costs O(N²). Returns (order, agreement)."""
    n = len(e)
    m = e - e.T
    order = list(order)
    while True:
        best_gain, best_move = 1e-12, None
        for a in range(n):
            c = order[a]
            row = m[c, order]  # what c gains by being above each city of the order
            # moving up to b < a: c jumps above order[b:a]; moving down to b > a: below order[a+1:b+1]
            up = np.cumsum(row[:a][::-1])[::-1] if a else np.zeros(0)
            down = -np.cumsum(row[a + 1:])
            for gains, offset in ((up, 0), (down, a + 1)):
                if len(gains):
                    k = int(np.argmax(gains))
                    if gains[k] > best_gain:
                        best_gain, best_move = gains[k], (a, k + offset)
        if best_move is None:
            return order, _agreement(e, order)
        a, b = best_move
        order.insert(b, order.pop(a))  # after the pop, position b is right for both directions


def kemeny(scores, weights):
    """Kemeny–Young aggregation (non-compensatory): a city's score is n − 1 − its mean position
    over the orders of :func:`kemeny_orders`: every optimal order up to 12 cities; beyond, one
    order whose disagreement with the indicators is at most 5 times the least possible (the
    better of the Copeland and weighted-wins orders, improved by local search up to 2,000
    cities). A city with no score at all gets NaN. One problem per batch."""
    x, w, present = _prepare(scores, weights)
    scored = _scored(present, w)
    shape = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    xb = np.broadcast_to(x, (*shape, *x.shape[-2:]))
    wb = np.broadcast_to(w, (*shape, 1, x.shape[-1]))
    sb = np.broadcast_to(scored, (*shape, x.shape[-2]))
    out = np.full((*shape, x.shape[-2]), np.nan)
    for idx in np.ndindex(*shape):
        rows = np.flatnonzero(sb[idx])
        orders = kemeny_orders(xb[idx][rows], wb[idx][0]).orders
        position = np.mean([np.argsort(o) for o in orders], axis=0)
        out[(*idx, rows)] = len(rows) - 1 - position
    return out
