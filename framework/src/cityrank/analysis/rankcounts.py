"""Rank distributions in bounded memory: per city, how often each rank (or rank bin) occurred.

With N cities there are N ranks. Up to :data:`MAX_BINS` cities every rank has its own
counter and the quantiles are exact; beyond, ranks are grouped into :data:`MAX_BINS` bins of
⌊N/B⌋ or ⌈N/B⌉ consecutive ranks, so memory is N × B counters whatever the number of
samples (N = 100,000: 0.8 GB of uint32). Within a bin, the order statistics it holds are
spread evenly over its ranks; a reported quantile is then within ``width − 1`` ranks of the
exact one (``width`` = the widest bin, ⌈N/B⌉: 49 ranks of 100,000), the mean rank within
``(width − 1)/2``. :attr:`RankCounts.resolution` says which.
"""

from __future__ import annotations

import numpy as np

#: the most counters kept per city
MAX_BINS = 2048
_ROWS = 1024  # cities per block when reading the counts (bounded temporary arrays)
_CACHE = 2**20  # bytes of counters that a core's cache holds: a smaller table is counted at once
_PENDING = 32 * 2**20  # bytes of rankings held back to be counted together (2 per value)
_BATCH = 2048  # rankings counted together at most (each city's row of counters is then read once)


class RankCounts:
    """Counts ``(N, B)`` of ranks 1 … N in B bins (B = N: exact)."""

    def __init__(self, n: int, samples: int, bins: int | None = None):
        self.n = n
        self.bins = max(1, min(n, bins or MAX_BINS))
        self._counts = np.zeros((n, self.bins), dtype=np.uint32 if samples < 2**32 else np.uint64)
        edges = (np.arange(self.bins + 1, dtype=np.int64) * n) // self.bins  # bin b: ranks edges[b]+1 … edges[b+1]
        self.lo = edges[:-1] + 1
        self.width = np.diff(edges)
        # rank → bin, with rank 0 (not ranked) to a bin past the last, never counted
        btype = np.uint16 if self.bins < 2**16 - 1 else np.int64
        self._bin_of = np.concatenate([[self.bins], np.repeat(np.arange(self.bins), self.width)]).astype(btype)
        self._offset = np.arange(n, dtype=np.intp)[:, None] * self.bins
        # A table larger than the cache is counted from rankings held back, city by city: one
        # city's counters are then read once for many rankings, not once for each.
        held = min(_BATCH, _PENDING // max(2 * n, 1)) if self._counts.nbytes > _CACHE else 0
        # (rows an odd number of cache lines apart: reading a column then uses every cache set)
        self._held = np.empty((held, 32 * (-(-n // 32) | 1)), dtype=btype)[:, :n] if held > 1 else None
        self._pending = 0
        self._work = np.empty(0, dtype=np.intp)

    @property
    def counts(self) -> np.ndarray:
        """The table ``(N, B)``, every ranking added so far counted."""
        self._flush()
        return self._counts

    @property
    def resolution(self) -> int:
        """Ranks per bin at most: 1 when the counts are exact."""
        return int(self.width.max()) if self.n else 1

    def add(self, ranks: np.ndarray) -> None:
        """Count a batch of rankings ``(S, N)`` (integers, 0 = not ranked)."""
        ranks = np.asarray(ranks)
        if self._held is None:  # the table is in the cache: count the rankings as they come
            if self.bins == self.n:  # exact: the counter of rank r is r − 1 in its city's row
                cells = np.add(ranks, self._offset.reshape(-1) - 1, out=self._cells(ranks.shape))
            else:
                cells = np.add(self._bin_of[ranks], self._offset.reshape(-1), out=self._cells(ranks.shape))
            if not (ranks > 0).all():
                cells = cells[ranks > 0]
            np.add.at(self._counts.reshape(-1), cells.reshape(-1), self._counts.dtype.type(1))
            return
        room = len(self._held)
        for start in range(0, len(ranks), room):  # a batch larger than the room: a few pieces
            part = ranks[start:start + room]
            if self._pending + len(part) > room:
                self._flush()
            held = self._held[self._pending:self._pending + len(part)]
            if self.bins == self.n and held.dtype == np.uint16:  # the bin is the rank − 1 (0 → 65535: none)
                np.subtract(part, 1, out=held, casting="unsafe")
            else:
                held[:] = self._bin_of[part]
            self._pending += len(part)

    def _flush(self) -> None:
        if self._pending:
            self._count(self._held[:self._pending].T)
            self._pending = 0

    def _count(self, bins: np.ndarray) -> None:
        """Add the bins ``(N, S)`` (``self.bins``: not ranked) to the table, city by city."""
        flat = self._counts.reshape(-1)
        one = self._counts.dtype.type(1)  # of the table's type: numpy's fast loop for add.at
        size = bins.shape[1]
        step = max(1, _CACHE // (8 * max(size, 1)))  # cities whose cell numbers fill the cache
        for lo in range(0, self.n, step):
            b = bins[lo:lo + step]
            cells = np.add(b, self._offset[lo:lo + step], out=self._cells(b.shape))  # city major
            if not (b < self.bins).all():
                cells = cells[b < self.bins]
            np.add.at(flat, cells.reshape(-1), one)

    def _cells(self, shape) -> np.ndarray:
        """A working array of counter numbers, kept from batch to batch (fresh memory costs a
        page fault per 4 KB on first touch)."""
        size = shape[0] * shape[1]
        if self._work.size < size:
            self._work = np.empty(size, dtype=np.intp)
        return self._work[:size].reshape(shape)

    def merge(self, other: RankCounts) -> None:
        np.add(self.counts, other.counts, out=self._counts)

    def totals(self) -> np.ndarray:
        return self.counts.sum(axis=1, dtype=np.int64)

    def mean(self) -> np.ndarray:
        """Mean rank per city (bin midpoints); NaN for a city never ranked."""
        twice_mid = 2 * self.lo + self.width - 1
        total = self.totals()
        # summed in integers, without BLAS: exact, as the float sums were (all below 2⁵³)
        counts = self.counts
        sums = np.concatenate([np.einsum("ij,j->i", counts[i:i + _ROWS], twice_mid) / 2
                               for i in range(0, self.n, _ROWS)]) if self.n else np.zeros(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, sums / total, np.nan)

    def quantiles(self, qs) -> np.ndarray:
        """Quantiles ``(len(qs), N)`` with numpy's default method ('linear', R type 7)."""
        out = np.full((len(qs), self.n), np.nan)
        counts = self.counts
        for start in range(0, self.n, _ROWS):
            block = counts[start:start + _ROWS]
            cum = np.cumsum(block, axis=1, dtype=np.int64)
            total = cum[:, -1].copy()
            ok = total > 0
            # The rows' running counts, row r raised by r × (the largest total + 1), make one
            # ascending array: a binary search in it finds the bin of every order statistic.
            lift = np.arange(len(block), dtype=np.int64) * (int(total.max(initial=0)) + 1)
            cum += lift[:, None]
            for j, q in enumerate(qs):
                h = (np.maximum(total, 1) - 1) * q  # 0-based position in the sorted sample
                k = np.floor(h).astype(np.int64)
                k1 = np.minimum(k + 1, np.maximum(total - 1, 0))
                x0, x1 = self._order_statistic(block, cum, lift, k), self._order_statistic(block, cum, lift, k1)
                out[j, start:start + len(block)] = np.where(ok, x0 + (h - k) * (x1 - x0), np.nan)
        return out

    def _order_statistic(self, block, cum, lift, k):
        """The k-th smallest rank (0-based) of each row, spread evenly within its bin
        (``cum``: running counts of ``block``, each row raised by its ``lift``)."""
        rows = np.arange(len(block))
        # the bin of the k-th: the number of the row's running counts ≤ k
        b = np.searchsorted(cum.reshape(-1), lift + k, side="right") - rows * self.bins
        b = np.minimum(b, self.bins - 1)
        before = np.where(b > 0, cum[rows, np.maximum(b - 1, 0)] - lift, 0)
        count = np.maximum(block[rows, b].astype(np.int64), 1)
        return (self.lo[b] + ((k - before) * self.width[b]) // count).astype(np.float64)
