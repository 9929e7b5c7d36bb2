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

import math
import threading
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
    shape, n = values.shape, values.shape[-1]
    itype = np.int32 if n < 2**31 - 1 else np.int64
    if values.size == 0:
        return np.zeros(shape, dtype=itype)
    rows = np.ascontiguousarray(values.reshape(-1, n))
    ranks = np.empty(rows.shape, dtype=itype)
    step = max(1, _PACKED // n)
    for lo in range(0, len(rows), step):  # blocks whose flat positions fit the packed keys
        block = rows[lo:lo + step]
        packed = _packed_sort(block, tolerance) if n <= _PACKED else None
        if packed is None:  # NaN or ±inf: an argsort
            _general(block, descending, tolerance, ranks[lo:lo + step])
        else:  # ascending order, positions counted from the top when descending (saves negating)
            _place(*packed, descending, ranks[lo:lo + step])
    return ranks.reshape(shape)


def _general(rows: np.ndarray, descending: bool, tolerance: float, out: np.ndarray) -> None:
    """:func:`int_ranks` of ``rows`` ``(R, N)`` by an argsort, whatever their values."""
    count, n = rows.shape
    missing = np.isnan(rows)
    any_missing = bool(missing.any())
    # NaN must sort last, so with NaN the descending key is negated and positions count from 1.
    key = -rows if descending and any_missing else rows
    order = np.argsort(key, axis=-1)
    tied = _tied(np.take_along_axis(key, order, axis=-1), tolerance)
    order += (np.arange(count) * n)[:, None]  # flat places
    _place(order, _lower(np.flatnonzero(tied), n), descending and not any_missing, out)
    if any_missing:
        out[missing] = 0


#: values ranked together by :func:`_packed_sort` at most (their flat positions take 20 bits)
_PACKED = 2**20
_MAGNITUDE = np.int64(0x7FFFFFFFFFFFFFFF)
_INF = np.int64(0x7FF0000000000000)  # the bits of +inf: a key from there up is +inf or NaN
#: the most values whose working arrays a thread keeps between calls (8 bytes each, a few arrays)
_KEPT = 2**18


class _Scratch(threading.local):
    """Each thread's working arrays, kept from call to call: fresh memory costs a page fault
    for every 4 KB on first touch, and on a virtual machine that can cost more than the
    arithmetic done on it (the Monte Carlo ranks chunk after chunk of the same shape)."""

    def __init__(self):
        self.arrays: dict = {}
        self.positions = np.zeros(0, dtype=np.int64)

    def get(self, name: str, shape: tuple, dtype) -> np.ndarray:
        size = math.prod(shape)
        if size > _KEPT:
            return np.empty(shape, dtype=dtype)
        kept = self.arrays.get(name)
        if kept is None or kept.size < size or kept.dtype != dtype:
            kept = self.arrays[name] = np.empty(size, dtype=dtype)
        return kept[:size].reshape(shape)

    def flat_positions(self, shape: tuple) -> np.ndarray:
        """0, 1, … in the given shape (kept: the same shapes come again and again)."""
        size = math.prod(shape)
        if size > _KEPT:
            return np.arange(size, dtype=np.int64).reshape(shape)
        if len(self.positions) < size:
            self.positions = np.arange(max(size, min(2 * len(self.positions), _KEPT)), dtype=np.int64)
        return self.positions[:size].reshape(shape)


_scratch = _Scratch()


def _packed_sort(x: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The ascending order of each row of ``x`` ``(R, N)`` as flat positions ``(R, N)``, as an
    argsort gives it but for the order of equal values, and the tied neighbours: the flat
    places ``r·N + p`` (sorted) of each p-th sorted value tied with the (p + 1)-th, as
    :func:`_tied` finds them. None when a value is NaN or infinite.

    Sorting integers is several times faster than an argsort, so each value becomes its
    bit pattern (sign-corrected to order as the floats do, where a value is negative) with
    the low m = ⌈log2 RN⌉ bits replaced by its flat position. The sorted keys give the
    order and, read back as floats, the sorted values to within 2^(m − 52) of the scale.
    Only where two neighbours come that close to the tie threshold, or to each other (values
    equal but for those bits come in position order), do the exact values decide: those
    runs of neighbours are gathered, sorted by value and tested as :func:`_tied` does.
    Everything else is exact as it is. The order is a working array of this thread.
    """
    n = x.shape[1]
    m = max(x.size - 1, 1).bit_length()
    low = np.int64((1 << m) - 1)
    bits = x.view(np.int64)
    key = np.bitwise_and(bits, ~low, out=_scratch.get("key", x.shape, np.int64))
    key |= _scratch.flat_positions(x.shape)
    key.sort(axis=-1)
    signed = bool((key[:, 0] < 0).any())  # a value with its sign bit set (negative, −0.0, −NaN)
    if signed:  # flip negative values' magnitude bits, so that the integers order as the floats do
        np.right_shift(bits, 63, out=key)
        key &= _MAGNITUDE
        key ^= bits
        key &= ~low
        key |= _scratch.flat_positions(x.shape)
        key.sort(axis=-1)
        if (key[:, 0] <= ~_INF).any():  # −inf or a negative NaN (whatever their position bits)
            return None
    if (key[:, -1] >= _INF).any():  # +inf or NaN
        return None
    order = np.bitwise_and(key, low, out=_scratch.get("order", x.shape, np.int64))
    # the keys read back as floats: the sorted values, each within 2^m units in its last place
    if signed:
        work = np.right_shift(key, 63, out=_scratch.get("work", x.shape, np.int64))
        work &= _MAGNITUDE
        key ^= work
    near = key.view(np.float64)
    flat = x.reshape(-1)
    scale = np.maximum(np.abs(flat[order[:, 0]]), np.abs(flat[order[:, -1]]))  # ±2^(m − 52): within the slack
    gaps = np.subtract(near[:, 1:], near[:, :-1], out=_scratch.get("work", x.shape, np.int64).view(np.float64)[:, 1:])
    # within this of the threshold the dropped bits may decide (twice their reach: room for roundings)
    slack = tolerance * scale + (2.0 ** (m - 50) * scale + 2.0 ** (m - 1070))
    near_tie = np.less_equal(gaps, slack[:, None], out=_scratch.get("near", gaps.shape, np.bool_))
    close = _lower(np.flatnonzero(near_tie), n)
    if not close.size:
        return order, close
    members, run = _runs(close)
    places = order.reshape(-1)
    exact = flat[places[members]]
    by_value = np.lexsort((exact, run))  # within each run, by exact value
    places[members] = places[members[by_value]]
    s = exact[by_value]
    neighbours = run[1:] == run[:-1]
    if tolerance == 0:
        tied = neighbours & (s[1:] == s[:-1])
    else:  # the scale of _tied: the first and last sorted values, now exact
        scale = np.maximum(np.abs(flat[order[:, 0]]), np.abs(flat[order[:, -1]]))
        tied = neighbours & ((s[1:] - s[:-1]) <= tolerance * scale[members[1:] // n])
    return order, members[:-1][tied]


def _lower(pairs: np.ndarray, n: int) -> np.ndarray:
    """Flat positions ``r·N + p`` of the lower member of the neighbour pairs ``r·(N − 1) + p``."""
    return pairs + pairs // (n - 1) if n > 1 else pairs


def _runs(lower: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions joined by the linked neighbours ``lower`` (flat, sorted; p to p + 1),
    sorted, and the number of the run of linked positions each belongs to."""
    start = np.ones(len(lower), dtype=bool)
    start[1:] = lower[1:] != lower[:-1] + 1
    members = np.union1d(lower, lower + 1)
    return members, np.searchsorted(lower[start], members, side="right") - 1


def _place(order: np.ndarray, tied: np.ndarray, from_top: bool, out: np.ndarray) -> None:
    """Ranks into ``out`` ``(R, N)`` from the ascending ``order`` (flat positions, ``(R, N)``):
    position + 1, or N − position counted from the top; every member of a tie (``tied``: flat
    places of sorted neighbours tied with the next) takes the best position among its members."""
    n = order.shape[1]
    best = np.arange(n, 0, -1, dtype=out.dtype) if from_top else np.arange(1, n + 1, dtype=out.dtype)
    ranks = out.reshape(-1)
    ranks[order] = best
    if tied.size:  # only the tied values are placed again
        members, run = _runs(tied)
        ends = np.flatnonzero(np.diff(run, append=run[-1] + 1))  # each tie's last member
        position = (members[ends] if from_top else members[np.r_[0, ends[:-1] + 1]]) % n
        ranks[order.reshape(-1)[members]] = best[position[run]]


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
    if np.isfinite(scale).all():
        return (s[..., 1:] - s[..., :-1]) <= tolerance * scale
    with np.errstate(invalid="ignore"):  # inf − inf is NaN, yet equal values always tie
        return ((s[..., 1:] - s[..., :-1]) <= tolerance * scale) | (s[..., 1:] == s[..., :-1])


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
