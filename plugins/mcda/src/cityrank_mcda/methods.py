"""The kernels. Scores ``x`` are ``(…, N, K)`` with higher better; weights ``w`` are ``(…, K)``."""

from __future__ import annotations

import numpy as np


def _prepare(scores, weights):
    x = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if np.any(w < 0) or not np.all(w.sum(axis=-1) > 0):
        raise ValueError("weights must be non-negative and not all zero")
    w = w / w.sum(axis=-1, keepdims=True)
    incomplete = np.isnan(x).any(axis=-1)
    return np.where(np.isnan(x), 0.0, x), w[..., None, :], incomplete


def topsis(scores, weights, normalise="vector"):
    """TOPSIS (Hwang & Yoon 1981): closeness to the ideal city, d⁻/(d⁺ + d⁻) in [0, 1].

    Columns are divided by their Euclidean norm (``normalise="vector"``, the classical choice)
    or used as given (``"none"``), then weighted; the ideal (anti-ideal) takes each column's
    best (worst) value over the cities."""
    x, w, incomplete = _prepare(scores, weights)
    if normalise == "vector":
        norm = np.sqrt((x**2).sum(axis=-2, keepdims=True))
        x = x / np.where(norm > 0, norm, 1.0)
    elif normalise != "none":
        raise ValueError(f"normalise must be 'vector' or 'none', got {normalise!r}")
    v = x * w
    best, worst = v.max(axis=-2, keepdims=True), v.min(axis=-2, keepdims=True)
    d_best = np.sqrt(((v - best) ** 2).sum(axis=-1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=-1))
    total = d_best + d_worst
    closeness = np.divide(d_worst, total, out=np.full(total.shape, 0.5), where=total > 0)
    return np.where(incomplete, np.nan, closeness)


def vikor(scores, weights, v=0.5):
    """VIKOR (Opricovic 1998; Opricovic & Tzeng, EJOR 156, 2004) as 1 − Q, so higher is better.

    S = Σ w (f* − f)/(f* − f⁻) (group utility), R = max of the same terms (individual regret),
    Q = v (S − S*)/(S⁻ − S*) + (1 − v)(R − R*)/(R⁻ − R*); a column with one value for every city
    adds nothing."""
    if not 0 <= v <= 1:
        raise ValueError(f"v must be in [0, 1], got {v}")
    x, w, incomplete = _prepare(scores, weights)
    best, worst = x.max(axis=-2, keepdims=True), x.min(axis=-2, keepdims=True)
    span = best - worst
    terms = w * np.divide(best - x, span, out=np.zeros(np.broadcast_shapes(x.shape, span.shape)), where=span > 0)
    s, r = terms.sum(axis=-1), terms.max(axis=-1)

    def scaled(a):
        lo, hi = a.min(axis=-1, keepdims=True), a.max(axis=-1, keepdims=True)
        return np.divide(a - lo, hi - lo, out=np.zeros(a.shape), where=hi > lo)

    q = v * scaled(s) + (1 - v) * scaled(r)
    return np.where(incomplete, np.nan, 1.0 - q)


def copeland(scores, weights):
    """Copeland's rule (non-compensatory): for each pair of cities, the weighted share of
    indicators on which one beats the other (ties count half); a city scores +1 for every city
    it beats by a weighted majority (share > ½) and −1 for every city that beats it
    (Munda & Nardo, Applied Economics 41, 2009; COINr's ``a_copeland``)."""
    x, w, incomplete = _prepare(scores, weights)
    n = x.shape[-2]
    share = np.zeros((*np.broadcast_shapes(x.shape[:-2], w.shape[:-2]), n, n))
    for k in range(x.shape[-1]):  # one indicator at a time keeps memory at (…, N, N)
        col = x[..., :, k]
        diff = col[..., :, None] - col[..., None, :]
        share = share + w[..., 0, k][..., None, None] * ((diff > 0) + 0.5 * (diff == 0))
    eye = np.eye(n, dtype=bool)
    margin = np.where(np.abs(share - 0.5) < 1e-9, 0.0, share - 0.5)  # an exact tie of weights, not rounding
    outrank = np.where(eye, 0.0, np.sign(margin))
    return np.where(incomplete, np.nan, outrank.sum(axis=-1))


def bod(scores, weights, lower=0.0):
    """Benefit of the doubt (Cherchye et al., Social Indicators Research 82, 2007): each city
    gets the weights most favourable to it, max_w Σ_k w_k x_ik subject to Σ_k w_k x_jk ≤ 1 for
    every city j and w ≥ 0, solved as a linear programme (scipy's HiGHS). ``lower`` (0–1)
    keeps each indicator's share of the city's score at least ``lower`` × its nominal weight,
    so no indicator can be ignored entirely. Scores must be ≥ 0; one LP per city and batch."""
    from scipy.optimize import linprog

    x, w, incomplete = _prepare(scores, weights)
    if np.any(x < 0):
        raise ValueError("benefit of the doubt needs non-negative scores")
    if not 0 <= lower < 1:
        raise ValueError(f"lower must be in [0, 1), got {lower}")
    shape = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
    xb = np.broadcast_to(x, (*shape, *x.shape[-2:]))
    wb = np.broadcast_to(w, (*shape, 1, x.shape[-1]))
    out = np.empty((*shape, x.shape[-2]))
    for idx in np.ndindex(*shape):
        data, nominal = xb[idx], wb[idx][0]
        for i, row in enumerate(data):
            a_ub = [data]
            b_ub = [np.ones(len(data))]
            if lower > 0:  # w_k x_ik ≥ lower · nominal_k · Σ_m w_m x_im
                a_ub.append(lower * nominal[:, None] * row[None, :] - np.diag(row))
                b_ub.append(np.zeros(len(row)))
            res = linprog(-row, A_ub=np.vstack(a_ub), b_ub=np.concatenate(b_ub), bounds=(0, None), method="highs")
            if res.status != 0:
                raise ValueError(f"the benefit-of-the-doubt LP failed for city {i + 1}: {res.message}")
            out[(*idx, i)] = -res.fun
    return np.where(incomplete, np.nan, out)
