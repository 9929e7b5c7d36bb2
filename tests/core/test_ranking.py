"""Ranks: the packed-key sort and the settling of near-ties, against a plain stable re-sort
of every row and against a pure-Python walk of the definition (sorted neighbours within
TIE_TOLERANCE × the largest |value| tie, ties chain, a tie takes its best position)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityrank.ranking import TIE_TOLERANCE, int_ranks


def _walk(row, descending: bool, tolerance: float) -> list[int]:
    """The definition, value by value: sort the non-NaN values, start a new tie where the gap
    to the previous one exceeds tolerance × scale (equal values always tie), rank = 1 + the
    values before the tie; NaN: 0."""
    values = [v for v in row if not math.isnan(v)]
    if not values:
        return [0] * len(row)
    scale = max(abs(v) for v in values)
    ordered = sorted(values, reverse=descending)
    rank_of, rank = {}, 1
    for position, v in enumerate(ordered, start=1):
        if position > 1:
            prev = ordered[position - 2]
            if tolerance == 0 or math.isinf(prev) or math.isinf(v):
                tied = prev == v or (tolerance > 0 and math.isinf(scale) and not (math.isinf(prev) and math.isinf(v)))
            else:
                tied = abs(v - prev) <= tolerance * scale
            if not tied:
                rank = position
        rank_of.setdefault(v, rank)
    return [0 if math.isnan(v) else rank_of[v] for v in row]


def _stable_resort(x: np.ndarray, descending: bool, tolerance: float) -> np.ndarray:
    """Every row sorted again in full (a stable argsort of the exact values), ties chained
    from the sorted gaps: the plain way, row by row (finite values)."""
    out = np.empty(x.shape, dtype=np.int64)
    for i, row in enumerate(x):
        order = np.argsort(-row if descending else row, kind="stable")
        s = row[order]
        scale = np.abs(row).max()
        gaps = np.abs(np.diff(s))
        tied = gaps == 0 if tolerance == 0 else gaps <= tolerance * scale
        first = np.where(np.concatenate([[False], tied]), 0, np.arange(1, len(row) + 1))
        out[i, order] = np.maximum.accumulate(first)
    return out


def _planted(rng, rows: int, n: int) -> np.ndarray:
    """Scores with every kind of closeness planted: exact ties, gaps of a fraction of the
    tie threshold, gaps just past it, and values equal but for their last bits (which the
    packed keys drop), in positive, negative and mixed rows."""
    x = rng.normal(50, 20, size=(rows, n))
    scale = np.abs(x).max(axis=1, keepdims=True)
    pick = rng.random((rows, n))
    partner = x[np.arange(rows)[:, None], rng.integers(n, size=(rows, n))]
    x = np.where(pick < 0.15, partner, x)  # exact ties
    x = np.where((pick >= 0.15) & (pick < 0.3), partner + rng.choice([-0.5, 0.5, 0.999, 1.001, 2], (rows, n))
                 * TIE_TOLERANCE * scale, x)  # around the threshold
    x = np.where((pick >= 0.3) & (pick < 0.4), partner * (1 + rng.integers(-300, 300, (rows, n)) * 2.0**-52), x)
    if rng.random() < 0.3:
        x = -x  # all negative
    elif rng.random() < 0.3:
        x -= 50  # mixed signs, zeros among them
        x[rng.random((rows, n)) < 0.05] = rng.choice([0.0, -0.0])
    return x


@pytest.mark.parametrize("seed", range(12))
def test_ranks_equal_a_stable_resort_of_every_row(seed):
    rng = np.random.default_rng(seed)
    rows, n = int(rng.integers(1, 40)), int(rng.integers(2, 400))
    x = _planted(rng, rows, n)
    for descending in (True, False):
        for tolerance in (TIE_TOLERANCE, 0.0, 1e-4):
            np.testing.assert_array_equal(int_ranks(x, descending, tolerance), _stable_resort(x, descending, tolerance))


@given(st.lists(st.one_of(st.floats(-1e3, 1e3), st.sampled_from([0.0, -0.0, 1.0, 1.0 + 2**-40, math.nan,
                                                                   math.inf, -math.inf])), min_size=1, max_size=30),
       st.booleans(), st.sampled_from([TIE_TOLERANCE, 0.0]))
def test_ranks_follow_the_definition_with_nan_and_infinities(values, descending, tolerance):
    np.testing.assert_array_equal(int_ranks(np.array(values), descending, tolerance), _walk(values, descending, tolerance))


def test_rows_beyond_one_packed_block_and_long_rows():
    """More values than one block of packed keys holds (2²⁰): ranked block by block; rows
    longer than that are argsorted. Both as the plain re-sort ranks them."""
    rng = np.random.default_rng(3)
    x = np.round(rng.lognormal(size=(5, 300_000)), 4)  # many exact ties, near-ties everywhere
    np.testing.assert_array_equal(int_ranks(x), _stable_resort(x, True, TIE_TOLERANCE))
    y = rng.normal(size=(1, 2**20 + 3))
    np.testing.assert_array_equal(int_ranks(y), _stable_resort(y, True, TIE_TOLERANCE))


def test_threads_rank_independently():
    """Each thread keeps its own working arrays: rankings on two threads at once are each right."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    batches = [_planted(rng, 64, 500) for _ in range(16)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(int_ranks, batches))
    for x, r in zip(batches, results, strict=True):
        np.testing.assert_array_equal(r, _stable_resort(x, True, TIE_TOLERANCE))
