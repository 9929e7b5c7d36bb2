"""newplugin's methods: plain functions over numpy arrays, in cityrank's batched contract."""

import numpy as np


def share_of_best(x, direction, scale=100.0):
    """Each city's value as a share of the best city's (positive data; less-is-better inverted)."""
    x = np.asarray(x, dtype=np.float64)
    if np.any(x[~np.isnan(x)] <= 0):
        raise ValueError("share of best needs positive values")
    d = np.asarray(direction, dtype=np.float64)
    oriented = np.where(d > 0, x, 1.0 / x)
    return oriented / np.nanmax(oriented, axis=-2, keepdims=True) * scale


def weighted_median(scores, weights):
    """Weighted median of the children's scores (robust to one extreme score)."""
    x = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)[..., None, :]
    shape = np.broadcast_shapes(x.shape, w.shape)
    x, w = np.broadcast_to(x, shape), np.broadcast_to(w, shape)
    order = np.argsort(x, axis=-1)
    xs = np.take_along_axis(x, order, axis=-1)
    cw = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    pick = (cw >= cw[..., -1:] / 2).argmax(axis=-1)
    return np.take_along_axis(xs, pick[..., None], axis=-1)[..., 0]
