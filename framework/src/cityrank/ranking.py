"""Ranks and tiers.

Ranks are computed along the city axis (``-2`` for ``(…, N, K)`` arrays, ``-1`` for
``(…, N)``) in O(N log N), batched. Convention: rank 1 is best (highest score); tied scores
share the best rank of the tie ('min', as in sports: 1, 2, 2, 4); NaN is not ranked.
"""

from __future__ import annotations

import numpy as np


def min_ranks(values, axis: int = -1, descending: bool = True) -> np.ndarray:
    """Ranks with ties at their lowest position (1-based), NaN where the value is NaN."""
    y = np.asarray(values, dtype=np.float64)
    key = -y if descending else y
    key = np.moveaxis(key, axis, -1)
    order = np.argsort(key, axis=-1, kind="stable")  # NaN sorts last
    s = np.take_along_axis(key, order, axis=-1)
    n = s.shape[-1]
    position = np.broadcast_to(np.arange(n), s.shape)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    first = np.maximum.accumulate(np.where(new, position, 0), axis=-1)
    ranks = np.empty(s.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, first + 1.0, axis=-1)
    ranks[np.isnan(key)] = np.nan
    return np.moveaxis(ranks, -1, axis)


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
    out: list[str | None] = []
    for value in r:
        if np.isnan(value):
            out.append(None)
            continue
        for cut, label in zip(cuts, labels, strict=True):
            if value <= np.floor(cut * n + 1e-9):
                out.append(label)
                break
        else:
            out.append(labels[-1])
    return out
