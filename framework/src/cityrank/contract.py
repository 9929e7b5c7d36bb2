"""The host's check of everything a method returns: one place, so no method trusts another.

:func:`cityrank.plugins.call` passes every result through :func:`check` before anyone uses
it. A violation is a :class:`~cityrank.errors.PluginError` naming the plugin, the method and
what it was applied to. The contract, by kind (shapes as in :mod:`cityrank.hookspecs`):

- every array: numbers (float64 after conversion), no ±inf; NaN means missing;
- normaliser ``(…, N, K) → (…, N, K)``: NaN exactly where the input is NaN;
- aggregator scores ``(…, N, K)``, weights ``(…, K)`` → ``(…, N)``: a score for every city
  whose children are all present; a method registered with ``bounds=(lo, hi)`` stays within
  them and ``bounds="children"`` (a mean) within its present children's range; values
  outside by rounding only are clipped, anything more is an error;
- imputation ``(N, K) → (N, K)``: present values unchanged;
- outlier treatment ``(N, K) → ((N, K), details)``: NaN exactly where the input is NaN;
- indicator provider: one value per city, ``(N,)``;
- weighting: an object with ``weights`` ``(len(items),)``, non-negative, not all zero.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .errors import PluginError

#: relative tolerance for rounding at a bound (scores beyond it by less are clipped)
BOUND_TOLERANCE = 1e-9


def _fail(method, what: str, message: str):
    where = f" on {what}" if what else ""
    raise PluginError(f"{method.kind} {method.id!r}{where} {message}", plugin=method.plugin)


def as_numbers(method, value, what: str, expected: tuple[int, ...]) -> np.ndarray:
    """``value`` as a float64 array of the expected shape without infinities."""
    try:
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(arr.dtype)
        arr = arr.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        _fail(method, what, f"returned {_kind(value)}, not numbers")
    if arr.shape != tuple(expected):
        _fail(method, what, f"returned shape {arr.shape}, expected {tuple(expected)}")
    if np.isinf(arr).any():
        _fail(method, what, "returned an infinite value")
    return arr


def _kind(value) -> str:
    arr = np.asarray(value, dtype=object)
    return f"a {type(value).__name__}" if arr.ndim == 0 else f"values of type {type(arr.flat[0]).__name__}"


def _same_missing(method, what, x, y):
    gained = np.isnan(y) & ~np.isnan(x)
    if gained.any():
        _fail(method, what, f"returned NaN for {int(gained.sum())} value(s) that were present")
    lost = ~np.isnan(y) & np.isnan(x)
    if lost.any():
        _fail(method, what, f"returned {int(lost.sum())} value(s) where the input was missing")


def check(method, result: Any, args: tuple, kwargs: dict, what: str) -> Any:
    """``result`` of ``method(*args, **kwargs)`` if it keeps the contract of its kind."""
    kind = method.kind
    if kind == "normaliser":
        x = np.asarray(args[0], dtype=np.float64)
        y = as_numbers(method, result, what, x.shape)
        _same_missing(method, what, x, y)
        return y + 0.0  # no negative zeros
    if kind == "aggregator":
        return _aggregated(method, result, args, what)
    if kind == "imputation":
        x = np.asarray(args[0], dtype=np.float64)
        y = as_numbers(method, result, what, x.shape)
        present = ~np.isnan(x)
        if not np.array_equal(y[present], x[present]):
            _fail(method, what, "changed values that were present (imputation may only fill missing ones)")
        return y
    if kind == "outliers":
        if not (isinstance(result, tuple) and len(result) == 2):
            _fail(method, what, "must return a pair (treated values, details)")
        x = np.asarray(args[0], dtype=np.float64)
        y = as_numbers(method, result[0], what, x.shape)
        _same_missing(method, what, x, y)
        return y, result[1]
    if kind == "indicator":
        return as_numbers(method, result, what, (len(args[0]),))
    if kind == "weighting":
        weights = getattr(result, "weights", None)
        if weights is None:
            _fail(method, what, "must return an object with 'weights' (a WeightingResult)")
        w = as_numbers(method, weights, what, (len(args[0]),))
        if np.isnan(w).any() or (w < 0).any() or not w.sum() > 0:
            _fail(method, what, "returned weights that are missing, negative or all zero")
        return result
    return result


def _aggregated(method, result, args, what):
    scores = np.asarray(args[0], dtype=np.float64)
    weights = np.asarray(args[1], dtype=np.float64)
    batch = np.broadcast_shapes(scores.shape[:-2], weights.shape[:-1])
    y = as_numbers(method, result, what, (*batch, scores.shape[-2]))
    if scores.shape[-1]:
        complete = ~np.isnan(scores).any(axis=-1)
        if (np.isnan(y) & complete).any():
            _fail(method, what, "returned no score for a city whose scores are all present")
        present = ~np.isnan(scores)
        if present.any() and np.isnan(y).all():
            _fail(method, what, "returned no score for any city although some have data")
    bounds = method.extra.get("bounds")
    if bounds == "children" and scores.shape[-1]:
        with warnings.catch_warnings():  # a city with no child present: NaN bounds, NaN score
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanmin(scores, axis=-1), np.nanmax(scores, axis=-1)
    elif isinstance(bounds, tuple):
        lo, hi = bounds
    else:
        return y + 0.0
    return clip_to(method, what, y, lo, hi) + 0.0


def clip_to(method, what, y, lo, hi):
    """``y`` clipped to [lo, hi]; beyond them by more than rounding is a contract violation."""
    lo = np.broadcast_to(lo, y.shape)
    hi = np.broadcast_to(hi, y.shape)
    slack = BOUND_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))
    with np.errstate(invalid="ignore"):
        out = (y < lo - slack) | (y > hi + slack)
    if out.any():
        i = np.flatnonzero(out.ravel())[0]
        _fail(method, what, f"returned {y.ravel()[i]:g}, outside its bounds [{lo.ravel()[i]:g}, {hi.ravel()[i]:g}]")
    return np.clip(y, lo, hi)

