"""Ranks and tiers.

Ranks are computed along the city axis (``-2`` for ``(…, N, K)`` arrays, ``-1`` for
``(…, N)``) in O(N log N), batched. Convention: rank 1 is best (highest score); tied scores
share the best rank of the tie ('min', as in sports: 1, 2, 2, 4); NaN is not ranked.

Two scores tie when they differ by at most :data:`TIE_TOLERANCE` times the largest absolute
score being ranked (the score scale), and ties chain: sorted scores whose neighbours are that
close form one tie. So the rounding of a sum or a solver's last digits never splits a tie,
while any difference a published table could show (1e-9 of the scale) still separates.
Raw data (the percentile-rank normaliser) are ranked with exact ties (``tolerance=0``).
"""

from __future__ import annotations

import warnings

import numpy as np

TIE_TOLERANCE = 1e-9


def min_ranks(values, axis: int = -1, descending: bool = True, tolerance: float = TIE_TOLERANCE) -> np.ndarray:
    """Ranks with ties at their lowest position (1-based), NaN where the value is NaN."""
    y = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    ranks = int_ranks(y, descending, tolerance).astype(np.float64)
    ranks[ranks == 0] = np.nan
    return np.moveaxis(ranks, -1, axis)


def int_ranks(values: np.ndarray, descending: bool = True, tolerance: float = TIE_TOLERANCE) -> np.ndarray:
    """:func:`min_ranks` along the last axis as integers, 0 where the value is NaN.
    ``tolerance`` is relative to the score scale; 0 ties equal values only (data, not scores)."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[-1]
    itype = np.int32 if n < 2**31 - 1 else np.int64
    missing = np.isnan(values)
    any_missing = bool(missing.any())
    # Without NaN, sort ascending and count positions from the top (saves negating the array);
    # NaN must sort last, so with NaN the descending key is negated.
    flip = descending and not any_missing
    key = -values if descending and any_missing else values
    order = np.argsort(key, axis=-1)
    s = np.take_along_axis(key, order, axis=-1)
    tied = _tied(s, tolerance)
    if not tied.any():
        # the rank is the inverse permutation, itself an argsort of small integers (radix sort)
        small = np.int16 if n < 2**15 else np.int64
        position = np.argsort(order.astype(small), axis=-1, kind="stable").astype(itype)
        ranks = n - position if flip else position + 1
    else:  # a tie takes the best position among its members
        if flip:
            key = -values
            order = np.argsort(key, axis=-1)
            s = np.take_along_axis(key, order, axis=-1)
            tied = _tied(s, tolerance)
        position = np.broadcast_to(np.arange(1, n + 1, dtype=itype), s.shape)
        first = np.where(np.concatenate([np.zeros((*s.shape[:-1], 1), bool), tied], axis=-1), 0, position)
        ranks = np.empty(s.shape, dtype=itype)
        np.put_along_axis(ranks, order, np.maximum.accumulate(first, axis=-1), axis=-1)
    if any_missing:
        ranks[missing] = 0
    return ranks


def _tied(s: np.ndarray, tolerance: float) -> np.ndarray:
    """Neighbours of sorted ``s`` (NaN last) within ``tolerance`` of the score scale."""
    if s.shape[-1] == 0 or tolerance == 0:
        return s[..., 1:] == s[..., :-1]
    last = s[..., -1:]
    if np.isnan(last).any():  # the scale is the largest |value| that is not missing
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN row: NaN, no ties
            scale = np.nanmax(np.abs(s), axis=-1, keepdims=True)
    else:
        scale = np.maximum(np.abs(s[..., :1]), np.abs(last))
    return (s[..., 1:] - s[..., :-1]) <= tolerance * scale


def tier_labels(cuts) -> list[str]:
    """Human labels for tier cut points, e.g. (0.1, 0.3, 0.6, 1.0) → 'top 10%', '10–30%', …"""
    labels, prev = [], 0.0
    for c in cuts:
        pct = lambda v: f"{v * 100:g}%"  # noqa: E731
        labels.append(f"top {pct(c)}" if prev == 0 else f"{pct(prev)[:-1]}–{pct(c)}")
        prev = c
    return labels


def tiers(ranks, cuts) -> list[str | None]:
    """Tier of each city: the first cut c with rank ≤ floor(c·n), n = number of ranked cities.

    floor(0.1·n) reproduces the size of every published top-10% list of the series
    (e.g. 13 of 138); a tie straddling a cut goes to the better tier.
    """
    r = np.asarray(ranks, dtype=np.float64)
    n = int(np.sum(~np.isnan(r)))
    labels = tier_labels(cuts)
    limits = np.floor(np.asarray(cuts, dtype=np.float64) * n + 1e-9)
    tier = np.minimum(np.searchsorted(limits, np.where(np.isnan(r), 0.0, r), side="left"), len(labels) - 1)
    return [None if missing else labels[t] for t, missing in zip(tier.tolist(), np.isnan(r).tolist(), strict=True)]
