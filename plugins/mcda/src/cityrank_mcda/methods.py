"""The kernels. Scores ``x`` are ``(…, N, K)`` with higher better; weights ``w`` are ``(…, K)``."""

from __future__ import annotations

import math
import warnings

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


def _pair_shares(x, w, present, rows=None):
    """``(…, R, N)``: the weighted share of indicators on which city i (of ``rows``, default
    all) beats city j (ties count half), over the indicators both have, weights renormalised
    per pair (½ if none)."""
    n = x.shape[-2]
    rows = np.arange(n) if rows is None else rows
    shape = (*np.broadcast_shapes(x.shape[:-2], w.shape[:-2]), len(rows), n)
    share, common = np.zeros(shape), np.zeros(shape)
    for k in range(x.shape[-1]):  # one indicator at a time keeps memory at (…, R, N)
        col = x[..., :, k]
        both = present[..., rows, k][..., :, None] & present[..., None, :, k]
        diff = col[..., rows][..., :, None] - col[..., None, :]
        wk = w[..., 0, k][..., None, None]
        share = share + np.where(both, wk * ((diff > 0) + 0.5 * (diff == 0)), 0.0)
        common = common + np.where(both, wk, 0.0)
    return np.divide(share, common, out=np.full(shape, 0.5), where=common > 0)


def bod(scores, weights, lower=0.0):
    """Benefit of the doubt (Cherchye et al., Social Indicators Research 82, 2007): each city
    gets the weights most favourable to it, max_w Σ_k w_k x_ik subject to Σ_k w_k x_jk ≤ 1 for
    every city j and w ≥ 0, solved as a linear programme (scipy's HiGHS). ``lower`` (0–1)
    keeps each indicator's share of the city's score at least ``lower`` × its nominal weight,
    so no indicator can be ignored entirely. Scores must be ≥ 0; one LP per city and batch.
    A city's LP is over the indicators it has; another city's missing value counts as 0 in
    that city's constraint (a benchmark is measured on what it has). Scores lie in [0, 1]."""
    from scipy.optimize import linprog

    x, w, present = _prepare(scores, weights)
    if np.any(x[present] < 0):
        raise ValueError("benefit of the doubt needs non-negative scores")
    if not 0 <= lower < 1:
        raise ValueError(f"lower must be in [0, 1), got {lower}")
    scored = _scored(present, w)
    x = np.where(present, x, 0.0)
    shape = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    xb = np.broadcast_to(x, (*shape, *x.shape[-2:]))
    pb = np.broadcast_to(present, (*shape, *x.shape[-2:]))
    wb = np.broadcast_to(w, (*shape, 1, x.shape[-1]))
    sb = np.broadcast_to(scored, (*shape, x.shape[-2]))
    out = np.full((*shape, x.shape[-2]), np.nan)
    for idx in np.ndindex(*shape):
        data, nominal = xb[idx], wb[idx][0]
        for i, row in enumerate(data):
            if not sb[idx][i]:
                continue
            keep = pb[idx][i]
            sub, r, nom = data[:, keep], row[keep], nominal[keep] / nominal[keep].sum()
            a_ub, b_ub = [sub], [np.ones(len(sub))]
            if lower > 0:  # w_k x_ik ≥ lower · nominal_k · Σ_m w_m x_im
                a_ub.append(lower * nom[:, None] * r[None, :] - np.diag(r))
                b_ub.append(np.zeros(len(r)))
            res = linprog(-r, A_ub=np.vstack(a_ub), b_ub=np.concatenate(b_ub), bounds=(0, None), method="highs")
            if res.status != 0:
                raise ValueError(f"the benefit-of-the-doubt LP failed for city {i + 1}: {res.message}")
            out[(*idx, i)] = -res.fun
    return out


#: the largest N solved exactly (dynamic programming over subsets: 2^N × N states)
KEMENY_EXACT = 12
#: at most this many tying optimal orders are listed
KEMENY_ORDERS = 1000
#: the most cities ranked: beyond the exact size the local search's time grows as N³ (measured
#: on a 2-core machine: 1,000 cities 36 s, 2,000 cities 5 min; 10,000 would take about 10 hours)
KEMENY_MAX = 2000


def outranking(scores, weights):
    """e[i, j] ``(N, N)``: the weighted share of indicators on which city i beats city j (ties
    half), over the indicators both have; 0 on the diagonal."""
    x, w, present = _prepare(scores, weights)
    e = _pair_shares(x, w, present)
    np.fill_diagonal(e, 0.0)
    return e


def kemeny_orders(scores, weights, limit: int = KEMENY_ORDERS):
    """The Kemeny–Young orders of the cities (Kemeny 1959; Young & Levenglick, SIAM J. Appl.
    Math. 35, 1978): the orders that maximise the agreement Σ_{i above j} e[i, j] with the
    indicators. Exact for N ≤ :data:`KEMENY_EXACT` by dynamic programming over the sets of
    cities placed first, returning every tying optimal order (at most ``limit``); beyond, one
    order found by local search from the Copeland order (moves of one city to any position
    while the agreement rises: a local optimum, not a proven one). Returns (orders, agreement,
    exact), orders as lists of row indices, best first."""
    n = np.shape(scores)[-2]
    if n > KEMENY_MAX:
        raise ValueError(f"Kemeny–Young ranks at most {KEMENY_MAX:,} cities, not {n:,}: beyond, its search for the "
                         "best order runs for hours (its time grows as N³); copeland is the non-compensatory rule "
                         "that scales")
    e = outranking(scores, weights)
    if n == 0:
        return [[]], 0.0, True
    if n > KEMENY_EXACT:
        order, value = _kemeny_local(e)
        return [order], value, False
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
    return orders, float(best[full]), True


def _agreement(e, order):
    pos = np.empty(len(order), dtype=int)
    pos[order] = np.arange(len(order))
    above = pos[:, None] < pos[None, :]
    return float(e[above].sum())


def _kemeny_local(e):
    """Insertion local search from the Copeland order: move one city to the position that
    raises the agreement most, while any move does. A move's gain is a sum over the cities it
    jumps (m = e − eᵀ), so one sweep over all moves costs O(N²)."""
    n = len(e)
    m = e - e.T
    margin = np.where(np.abs(m) < 1e-12, 0.0, m)
    order = [int(i) for i in np.argsort(-np.sign(margin).sum(axis=1), kind="stable")]
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
    """Kemeny–Young aggregation (non-compensatory): a city's score is n − its mean position
    over the optimal orders (:func:`kemeny_orders`), so the best city scores n − 1 when one
    order is optimal; a city with no score at all gets NaN. One problem per batch."""
    x, w, present = _prepare(scores, weights)
    scored = _scored(present, w)
    shape = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    xb = np.broadcast_to(x, (*shape, *x.shape[-2:]))
    wb = np.broadcast_to(w, (*shape, 1, x.shape[-1]))
    sb = np.broadcast_to(scored, (*shape, x.shape[-2]))
    out = np.full((*shape, x.shape[-2]), np.nan)
    for idx in np.ndindex(*shape):
        rows = np.flatnonzero(sb[idx])
        orders, _, _ = kemeny_orders(xb[idx][rows], wb[idx][0])
        position = np.mean([np.argsort(o) for o in orders], axis=0)
        out[(*idx, rows)] = len(rows) - 1 - position
    return out
