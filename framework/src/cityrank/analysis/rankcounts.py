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


class RankCounts:
    """Counts ``(N, B)`` of ranks 1 … N in B bins (B = N: exact)."""

    def __init__(self, n: int, samples: int, bins: int | None = None):
        self.n = n
        self.bins = max(1, min(n, bins or MAX_BINS))
        self.counts = np.zeros((n, self.bins), dtype=np.uint32 if samples < 2**32 else np.uint64)
        edges = (np.arange(self.bins + 1, dtype=np.int64) * n) // self.bins  # bin b: ranks edges[b]+1 … edges[b+1]
        self.lo = edges[:-1] + 1
        self.width = np.diff(edges)
        self._bin_of = np.concatenate([[0], np.repeat(np.arange(self.bins), self.width)])  # rank → bin (rank 0 unused)
        self._offset = np.arange(n, dtype=np.int64) * self.bins

    @property
    def resolution(self) -> int:
        """Ranks per bin at most: 1 when the counts are exact."""
        return int(self.width.max()) if self.n else 1

    def add(self, ranks: np.ndarray) -> None:
        """Count a batch of rankings ``(S, N)`` (integers, 0 = not ranked)."""
        ranks = np.asarray(ranks)
        ranked = ranks > 0
        bins = self._bin_of[ranks]
        if self.counts.size <= 8 * ranks.size:  # dense: one bincount over the whole table
            flat = (self._offset + bins)[ranked] if not ranked.all() else (self._offset + bins).ravel()
            self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape).astype(
                self.counts.dtype)
            return
        cities = np.arange(self.n)
        for row, keep in zip(bins, ranked, strict=True):  # a city appears once per ranking: no repeats
            if keep.all():
                self.counts[cities, row] += 1
            else:
                self.counts[cities[keep], row[keep]] += 1

    def merge(self, other: RankCounts) -> None:
        self.counts += other.counts

    def totals(self) -> np.ndarray:
        return self.counts.sum(axis=1, dtype=np.int64)

    def mean(self) -> np.ndarray:
        """Mean rank per city (bin midpoints); NaN for a city never ranked."""
        mid = self.lo + (self.width - 1) / 2.0
        total = self.totals()
        sums = np.concatenate([self.counts[i:i + _ROWS] @ mid for i in range(0, self.n, _ROWS)]) if self.n else np.zeros(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, sums / total, np.nan)

    def quantiles(self, qs) -> np.ndarray:
        """Quantiles ``(len(qs), N)`` with numpy's default method ('linear', R type 7)."""
        out = np.full((len(qs), self.n), np.nan)
        for start in range(0, self.n, _ROWS):
            block = self.counts[start:start + _ROWS]
            cum = np.cumsum(block, axis=1, dtype=np.int64)
            total = cum[:, -1]
            ok = total > 0
            for j, q in enumerate(qs):
                h = (np.maximum(total, 1) - 1) * q  # 0-based position in the sorted sample
                k = np.floor(h).astype(np.int64)
                k1 = np.minimum(k + 1, np.maximum(total - 1, 0))
                x0, x1 = self._order_statistic(block, cum, k), self._order_statistic(block, cum, k1)
                out[j, start:start + len(block)] = np.where(ok, x0 + (h - k) * (x1 - x0), np.nan)
        return out

    def _order_statistic(self, block, cum, k):
        """The k-th smallest rank (0-based) of each row, spread evenly within its bin."""
        b = np.minimum((cum <= k[:, None]).sum(axis=1), self.bins - 1)
        rows = np.arange(len(block))
        before = np.where(b > 0, cum[rows, np.maximum(b - 1, 0)], 0)
        count = np.maximum(block[rows, b].astype(np.int64), 1)
        return (self.lo[b] + ((k - before) * self.width[b]) // count).astype(np.float64)
