"""Helpers for plugin authors: check a method against the batched array contract.

    from cityrank.testing import check_normaliser
    def test_my_normaliser():
        check_normaliser(my_normaliser)

Each check raises AssertionError with a one-line reason.
"""

from __future__ import annotations

import numpy as np


def _data(seed=0, n=12, k=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 100, size=(n, k))
    x[2, 1] = np.nan
    return x


def check_normaliser(func, **params) -> None:
    """Shape kept, NaN kept where the input is NaN, a batch equals one call per batch."""
    x = _data()
    direction = np.array([1.0, -1.0, 1.0])
    y = np.asarray(func(x, direction, **params))
    assert y.shape == x.shape, f"a normaliser must return the shape it gets: {y.shape} != {x.shape}"
    assert np.isnan(y[2, 1]), "a missing input value must stay missing (NaN)"
    batch = np.stack([x, _data(1)])
    out = np.asarray(func(batch, direction, **params))
    assert out.shape == batch.shape, "a normaliser must accept leading batch axes (…, N, K)"
    for b in range(2):
        np.testing.assert_allclose(out[b], func(batch[b], direction, **params), err_msg="batch ≠ one call per batch")


def check_aggregator(func, **params) -> None:
    """(…, N, K) scores and (…, K) weights give (…, N); batches equal separate calls."""
    x = np.nan_to_num(_data(), nan=50.0)
    w = np.array([0.5, 0.3, 0.2])
    y = np.asarray(func(x, w, **params))
    assert y.shape == x.shape[:-1], f"an aggregator must return one score per city: {y.shape}"
    weights = np.random.default_rng(2).dirichlet(np.ones(3), size=4)
    out = np.asarray(func(x, weights, **params))
    assert out.shape == (4, x.shape[0]), "an aggregator must accept a batch of weights (…, K)"
    for b in range(4):
        np.testing.assert_allclose(out[b], func(x, weights[b], **params), err_msg="batch ≠ one call per batch")
