"""Built-in aggregators. Batched: scores ``(…, N, K)``, weights ``(…, K)`` → ``(…, N)``.

A missing (NaN) child is left out and the weights of the others are renormalised, as in
COINr's ``Aggregate``; ``min_share`` (0–1) makes the parent NaN when fewer than that share
of its children are present (COINr's ``dat_thresh``).
"""

from __future__ import annotations

import math

import numpy as np


def _complete(scores, weights, positive=False, min_share=0.0):
    """Fast path for complete data: (x, w) as arrays, or None when some score is missing
    (or, with ``positive``, not above zero). Weighted sums are then one batched matmul."""
    if not 0 <= float(min_share) <= 1:
        raise ValueError(f"min_share must be a share from 0 to 1, got {min_share}")
    x = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    if np.isnan(x).any() or (positive and not (x > 0).all()) or not (w.sum(axis=-1) > 0).all():
        return None
    return x, w


def _weighted_mean(values, w):
    """Σ w·v / Σ w over the last axis: v ``(…, N, K)``, w ``(…, K)`` → ``(…, N)``."""
    if values.ndim == 2 and w.ndim == 2:  # one data set, a batch of weights: a single GEMM
        return (w @ values.T) / w.sum(axis=-1)[:, None]
    return np.matmul(values, w[..., None])[..., 0] / w.sum(axis=-1)[..., None]


def _prepare(scores, weights, min_share):
    if not 0 <= float(min_share) <= 1:
        raise ValueError(f"min_share must be a share from 0 to 1, got {min_share}")
    x = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)[..., None, :]
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    present = ~np.isnan(x)
    w = np.where(present, w, 0.0)
    total = w.sum(axis=-1)
    share = present.mean(axis=-1) if x.shape[-1] else np.zeros(x.shape[:-1])
    missing = (total <= 0) | (share < min_share - 1e-12)
    return np.where(present, x, 0.0), w, np.where(total > 0, total, 1.0), present, missing


def arithmetic(scores, weights, min_share=0.0):
    """Weighted arithmetic mean Σw·x/Σw (fully compensatory)."""
    fast = _complete(scores, weights, min_share=min_share)
    if fast is not None:
        return _weighted_mean(*fast)
    x, w, total, _, missing = _prepare(scores, weights, min_share)
    return np.where(missing, np.nan, (w * x).sum(axis=-1) / total)


def geometric(scores, weights, min_share=0.0):
    """Weighted geometric mean Π x^(w/Σw). Scores must be ≥ 0; a zero score with positive weight
    makes the result 0 (the limit of the product), so use a normalisation with a lower bound
    above zero (e.g. min-max to [1, 100]) when a zero should not be absorbing."""
    fast = _complete(scores, weights, positive=True, min_share=min_share)
    if fast is not None:
        return np.exp(_weighted_mean(np.log(fast[0]), fast[1]))
    x, w, total, present, missing = _prepare(scores, weights, min_share)
    if np.any(present & (x < 0)):
        raise ValueError("the geometric mean needs non-negative scores (normalise to a positive range)")
    with np.errstate(divide="ignore"):
        logs = np.where(w > 0, np.log(np.where(w > 0, x, 1.0)), 0.0)
    return np.where(missing, np.nan, np.exp((w * logs).sum(axis=-1) / total))


def harmonic(scores, weights, min_share=0.0):
    """Weighted harmonic mean Σw/Σ(w/x). Scores must be ≥ 0; a zero score makes the result 0."""
    fast = _complete(scores, weights, positive=True, min_share=min_share)
    if fast is not None:
        return 1.0 / _weighted_mean(1.0 / fast[0], fast[1])
    x, w, total, present, missing = _prepare(scores, weights, min_share)
    if np.any(present & (x < 0)):
        raise ValueError("the harmonic mean needs non-negative scores")
    with np.errstate(divide="ignore"):
        inv = np.where(w > 0, w / np.where(w > 0, x, 1.0), 0.0)
    denom = inv.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(np.isinf(denom), 0.0, total / denom)
    return np.where(missing, np.nan, value)


def power(scores, weights, p=2.0, min_share=0.0):
    """Weighted power (generalised) mean (Σw·x^p/Σw)^(1/p); p = 1 arithmetic, −1 harmonic.
    p = 0 is the geometric mean. Computed relative to each city's largest (p > 0) or smallest
    (p < 0) score, so that large |p| cannot overflow; for p < 0 a zero score makes the mean 0."""
    p = float(p)
    if not math.isfinite(p):
        raise ValueError(f"p must be a finite number, got {p}")
    if p == 0:
        return geometric(scores, weights, min_share)
    x, w, total, present, missing = _prepare(scores, weights, min_share)
    if np.any(present & (x < 0)):
        raise ValueError("the power mean needs non-negative scores")
    active = w > 0
    if p > 0:
        ref = np.where(active, x, -np.inf).max(axis=-1, keepdims=True, initial=-np.inf)
    else:
        ref = np.where(active, x, np.inf).min(axis=-1, keepdims=True, initial=np.inf)
    usable = np.isfinite(ref) & (ref > 0)
    safe_ref = np.where(usable, ref, 1.0)
    with np.errstate(under="ignore", divide="ignore"):  # a zero under p < 0 (ref 0: not usable) gives 0 below
        terms = np.where(active, w * (np.where(active, x, safe_ref) / safe_ref) ** p, 0.0).sum(axis=-1)
        value = np.where(usable[..., 0], safe_ref[..., 0] * (terms / total) ** (1.0 / p), 0.0)
    return np.where(missing, np.nan, value)


BUILTIN = {
    "arithmetic": (arithmetic, {"min_share": 0.0}),
    "geometric": (geometric, {"min_share": 0.0}),
    "harmonic": (harmonic, {"min_share": 0.0}),
    "power": (power, {"p": 2.0, "min_share": 0.0}),
}

#: every mean lies between its smallest and largest present child; a zero absorbs the
#: geometric and harmonic means and the power means with p ≤ 0
CONTRACT = {
    "arithmetic": {"bounds": "children"},
    "geometric": {"bounds": "children", "positive": True},
    "harmonic": {"bounds": "children", "positive": True},
    "power": {"bounds": "children", "positive": lambda p=2.0, **_: float(p) <= 0},
}
