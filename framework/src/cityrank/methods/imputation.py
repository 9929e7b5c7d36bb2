"""Built-in imputation. Batched: ``x`` is ``(…, N, K)``; values that cannot be filled stay NaN."""

from __future__ import annotations

import warnings

import numpy as np


def _fill(x, stat):
    x = np.asarray(x, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column stays missing
        centre = stat(x, axis=-2, keepdims=True)
    return np.where(np.isnan(x), centre, x)


def none(x, *, groups=None):
    """No imputation: missing values stay missing (aggregation renormalises the weights)."""
    return np.asarray(x, dtype=np.float64)


def mean(x, *, groups=None):
    """Missing values ← the indicator's mean over all cities."""
    return _fill(x, np.nanmean)


def median(x, *, groups=None):
    """Missing values ← the indicator's median over all cities."""
    return _fill(x, np.nanmedian)


def _nanmode(x, axis=-2, keepdims=True):
    """The most frequent value along the city axis (the smallest of equally frequent ones)."""
    moved = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    out = np.full(moved.shape[:-1], np.nan)
    for idx in np.ndindex(*moved.shape[:-1]):
        values = moved[idx][~np.isnan(moved[idx])]
        if values.size:
            levels, counts = np.unique(values, return_counts=True)
            out[idx] = levels[np.argmax(counts)]
    return np.expand_dims(out, axis) if keepdims else out


def mode(x, *, groups=None):
    """Missing values ← the indicator's most frequent value (for ladder levels and other categories)."""
    return _fill(x, _nanmode)


def _group_fill(x, groups, by, stat):
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(groups(by))
    out = x.copy()
    for label in np.unique(labels):
        rows = labels == label
        out[..., rows, :] = _fill(x[..., rows, :], stat)
    return out


def group_mean(x, *, groups, by="country"):
    """Missing values ← the indicator's mean over cities of the same group (country by default)."""
    return _group_fill(x, groups, by, np.nanmean)


def group_median(x, *, groups, by="country"):
    """Missing values ← the indicator's median over cities of the same group (country by default)."""
    return _group_fill(x, groups, by, np.nanmedian)


BUILTIN = {
    "none": (none, {}),
    "mean": (mean, {}),
    "median": (median, {}),
    "mode": (mode, {}),
    "group_mean": (group_mean, {"by": "country"}),
    "group_median": (group_median, {"by": "country"}),
}
