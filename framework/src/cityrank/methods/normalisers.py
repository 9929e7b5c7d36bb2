"""Built-in normalisers. Batched: ``x`` is ``(…, N, K)``, ``direction`` ``(K,)``; NaN stays NaN.

Every kernel first orients the data so that higher is better, then maps each column along
the city axis (``-2``). The scales follow the OECD/JRC Handbook on Constructing Composite
Indicators (2008), section 5, and COINr's ``Normalise``.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ..ranking import min_ranks


def _oriented(x, direction):
    return np.asarray(x, dtype=np.float64) * np.asarray(direction, dtype=np.float64)


def _unit_scale(y):
    """``y`` divided by each column's largest |value| (min-max and z-scores do not change), so
    that spans and sums of values near ±1.8e308 cannot overflow."""
    m = np.nanmax(np.abs(y), axis=-2, keepdims=True)
    return y / np.where(m > 0, m, 1.0)


def _quiet(func):
    """Run a kernel with all-NaN columns allowed (they stay NaN)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return func(*args, **kwargs)

    return wrapper


@_quiet
def minmax(x, direction, lower=0.0, upper=100.0):
    """Min-max: (x − min)/(max − min) scaled to [lower, upper]; a constant column gets the midpoint."""
    if not upper > lower:
        raise ValueError(f"upper ({upper}) must exceed lower ({lower})")
    y = _unit_scale(_oriented(x, direction))
    lo = np.nanmin(y, axis=-2, keepdims=True)
    hi = np.nanmax(y, axis=-2, keepdims=True)
    span = hi - lo
    unit = np.clip(np.where(span > 0, (y - lo) / np.where(span > 0, span, 1.0), 0.5), 0.0, 1.0)
    return np.where(np.isnan(y), np.nan, lower + unit * (upper - lower))


@_quiet
def zscore(x, direction, mean=0.0, sd=1.0):
    """Standardisation: (x − mean)/sd with the sample sd (ddof 1), rescaled to the given mean and sd."""
    if not sd > 0:
        raise ValueError(f"sd must be positive, got {sd}")
    y = _unit_scale(_oriented(x, direction))
    mu = np.nanmean(y, axis=-2, keepdims=True)
    s = np.nanstd(y, axis=-2, ddof=1, keepdims=True)
    z = np.where(s > 0, (y - mu) / np.where(s > 0, s, 1.0), 0.0)
    return np.where(np.isnan(y), np.nan, mean + sd * z)


@_quiet
def rank(x, direction, scale=100.0, method="n-1"):
    """Percentile rank: (rank − 1)/(n − 1)·scale (``method="n-1"``: worst 0, best ``scale``) or
    rank/n·scale (``method="n"``, the Handbook's 100·r/n), with ties (equal values) at their
    lowest rank; n counts non-missing."""
    if method not in ("n-1", "n"):
        raise ValueError(f"method must be 'n-1' or 'n', got {method!r}")
    y = _oriented(x, direction)
    r = min_ranks(y, axis=-2, descending=False, tolerance=0.0)  # data: equal values only
    n = np.sum(~np.isnan(y), axis=-2, keepdims=True)
    if method == "n":
        return r / np.maximum(n, 1) * scale
    return np.where(n > 1, (r - 1.0) / np.maximum(n - 1, 1) * scale, np.where(np.isnan(y), np.nan, scale))


@_quiet
def borda(x, direction):
    """Borda points: the number of cities each city beats on the indicator (0 … n − 1; a tie
    beats no one), the Handbook's ranking normalisation on a common scale."""
    y = _oriented(x, direction)
    return min_ranks(y, axis=-2, descending=False, tolerance=0.0) - 1.0  # 1 + the cities strictly below, less 1


@_quiet
def reference(x, direction, to="mean", kind="ratio", target=None, city=None, scale=100.0, cities=None):
    """Distance to a reference (the Handbook's table of normalisations): ``kind="ratio"``
    x/ref·scale, or ``"difference"`` (x − ref)/|ref|·scale; ``to`` is the ``mean``, the
    ``worst`` city, the ``best``, a ``target`` value, or a ``city`` (its id). For less-is-
    better indicators the ratio is ref/x and the difference (ref − x)/|ref|."""
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    if to == "mean":
        ref = np.nanmean(x, axis=-2, keepdims=True)
    elif to in ("worst", "best"):
        hi, lo = np.nanmax(x, axis=-2, keepdims=True), np.nanmin(x, axis=-2, keepdims=True)
        ref = np.where((d > 0) == (to == "best"), hi, lo)
    elif to == "target":
        if target is None:
            raise ValueError("to='target' needs target=VALUE")
        ref = np.full((*x.shape[:-2], 1, x.shape[-1]), float(target))
    elif to == "city":
        ids = list(cities or ())
        if city not in ids:
            raise ValueError(f"to='city' needs city=ID of a ranked city, got {city!r}")
        ref = x[..., ids.index(city):ids.index(city) + 1, :]
    else:
        raise ValueError(f"to must be mean, worst, best, target or city, got {to!r}")
    if kind == "ratio":
        if np.any(x[~np.isnan(x)] <= 0) or np.any(ref <= 0):
            raise ValueError("a ratio to a reference needs positive values")
        return np.where(d > 0, x / ref, ref / x) * scale
    if kind == "difference":
        if np.any(ref == 0):
            raise ValueError("a difference relative to a reference of 0 is undefined")
        return np.where(d > 0, x - ref, ref - x) / np.abs(ref) * scale
    raise ValueError(f"kind must be 'ratio' or 'difference', got {kind!r}")


@_quiet
def above_mean(x, direction, p=0.0):
    """Above or below the mean (the Handbook): 1 if x > (1 + p)·mean, −1 if x < (1 − p)·mean,
    0 in between (reversed for less-is-better indicators)."""
    if not 0 <= float(p) < 1:
        raise ValueError(f"p must be in [0, 1), got {p}")
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    mean = np.nanmean(x, axis=-2, keepdims=True)
    s = np.where(x > (1 + p) * mean, 1.0, np.where(x < (1 - p) * mean, -1.0, 0.0)) * np.where(d > 0, 1.0, -1.0)
    return np.where(np.isnan(x), np.nan, s + 0.0)


@_quiet
def categorical(x, direction, percentiles=(0.2, 0.4, 0.6, 0.8), scale=100.0):
    """Categorical scale by percentiles (the Handbook): a city in the k-th of the categories
    cut at the given percentiles of its column scores k/(categories − 1)·scale (worst 0)."""
    cuts = [float(q) for q in (percentiles if isinstance(percentiles, list | tuple) else [percentiles])]
    if not cuts or any(not 0 < q < 1 for q in cuts) or cuts != sorted(set(cuts)):
        raise ValueError(f"percentiles must be increasing shares in (0, 1), got {percentiles}")
    y = _oriented(x, direction)
    edges = np.nanquantile(y, cuts, axis=-2)  # (C, …, K)
    category = np.sum(y[None, ...] > np.expand_dims(edges, -2), axis=0).astype(np.float64)
    return np.where(np.isnan(y), np.nan, category / len(cuts) * scale)


@_quiet
def leader(x, direction, scale=100.0):
    """Distance to the leader: x/max·scale (more is better) or min/x·scale (less is better).

    Needs positive values; the leader scores ``scale``.
    """
    x = np.asarray(x, dtype=np.float64)
    if np.any(x[~np.isnan(x)] <= 0):
        raise ValueError("distance to the leader needs positive values")
    d = np.asarray(direction, dtype=np.float64)
    best_pos = np.nanmax(x, axis=-2, keepdims=True)
    best_neg = np.nanmin(x, axis=-2, keepdims=True)
    return np.where(d > 0, x / best_pos, best_neg / x) * scale


@_quiet
def goalposts(x, direction, lower, upper, scale=100.0, cap=True):
    """Goalposts: (x − lower)/(upper − lower)·scale, or (upper − x)/(upper − lower)·scale when less
    is better; clipped to [0, scale] when ``cap`` (as the UNDP Human Development Index does)."""
    lower, upper = float(lower), float(upper)
    if not upper > lower:
        raise ValueError(f"upper goalpost ({upper}) must exceed lower ({lower})")
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    unit = np.where(d > 0, (x - lower), (upper - x)) / (upper - lower)
    if cap:
        unit = np.clip(unit, 0.0, 1.0)
    return unit * scale


def ladder(x, direction, levels, points=None, scale=100.0):
    """Ladder scoring: ordered levels worth points. ``x`` holds the level reached (1 … L, 0 = none);
    the score is points[level]/max(points)·scale. Points default to 1 … L."""
    levels = list(levels)
    if not levels:
        raise ValueError("ladder scoring needs the indicator's levels")
    pts = np.arange(1.0, len(levels) + 1) if points is None else np.asarray(points, dtype=np.float64)
    if pts.shape != (len(levels),) or np.any(np.diff(pts) <= 0) or pts[0] < 0:
        raise ValueError(f"points must be {len(levels)} increasing non-negative numbers, got {points}")
    x = np.asarray(x, dtype=np.float64)
    present = ~np.isnan(x)
    level = np.where(present, x, 0.0)
    if np.any((level != np.round(level)) | (level < 0) | (level > len(levels))):
        bad = x[present & ((level != np.round(level)) | (level < 0) | (level > len(levels)))][0]
        raise ValueError(f"ladder level must be a whole number from 0 to {len(levels)}, got {bad:g}")
    table = np.concatenate([[0.0], pts]) / pts[-1] * scale
    return np.where(present, table[level.astype(int)], np.nan)


BUILTIN = {
    "minmax": (minmax, {"lower": 0.0, "upper": 100.0}),
    "zscore": (zscore, {"mean": 0.0, "sd": 1.0}),
    "rank": (rank, {"scale": 100.0, "method": "n-1"}),
    "borda": (borda, {}),
    "reference": (reference, {"to": "mean", "kind": "ratio", "target": None, "city": None, "scale": 100.0}),
    "above_mean": (above_mean, {"p": 0.0}),
    "categorical": (categorical, {"percentiles": [0.2, 0.4, 0.6, 0.8], "scale": 100.0}),
    "leader": (leader, {"scale": 100.0}),
    "goalposts": (goalposts, {"lower": None, "upper": None, "scale": 100.0, "cap": True}),
    "ladder": (ladder, {"levels": None, "points": None, "scale": 100.0}),
}
