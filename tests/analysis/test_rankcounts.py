"""Rank counts: the vectorised counting (rankings held back and counted city by city when the
table is large) against a plain loop over the rankings, and the statistics read from the
counts against numpy's over every rank; the Monte Carlo's draw blocks against a block drawn whole."""

from __future__ import annotations

import numpy as np
import pytest

from cityrank.analysis.rankcounts import RankCounts


def _loop_counts(batches, n: int, bins: int) -> np.ndarray:
    """One ranking at a time: counts[c, bin of c's rank] += 1 for its ranked cities (each
    city once per ranking, so a plain indexed increment); bin b holds ranks ⌊bN/B⌋+1 … ⌊(b+1)N/B⌋."""
    edges = (np.arange(bins + 1) * n) // bins
    counts = np.zeros((n, bins), dtype=np.int64)
    for batch in batches:
        for ranking in batch:
            ranked = np.flatnonzero(ranking > 0)
            counts[ranked, np.searchsorted(edges, ranking[ranked], side="left") - 1] += 1
    return counts


def _rankings(rng, samples: int, n: int) -> np.ndarray:
    """Random rankings 1 … n, some cities unranked (0) in some samples, one never ranked."""
    ranks = np.argsort(rng.random((samples, n)), axis=1).astype(np.int32) + 1
    ranks[rng.random((samples, n)) < 0.03] = 0
    ranks[:, n // 2] = 0
    return ranks


@pytest.mark.parametrize(("n", "bins", "batch_sizes"), [
    (40, None, [7, 1, 30]),  # a table in the cache: counted as the rankings come
    (40, 9, [5, 5, 5]),  # … in bins
    (600, None, [300, 1, 1748, 3000]),  # exact, 1.4 MB: held back (2,048 rankings), flushed when full and when read
    (700, 120, [2500, 5]),  # binned, held back
])
def test_counting_equals_a_loop_over_the_rankings(n, bins, batch_sizes):
    rng = np.random.default_rng(n + (bins or 0))
    batches = [_rankings(rng, s, n) for s in batch_sizes]
    counts = RankCounts(n, sum(batch_sizes), bins=bins)
    for batch in batches:
        counts.add(batch)
    np.testing.assert_array_equal(counts.counts, _loop_counts(batches, n, counts.bins))
    again = RankCounts(n, sum(batch_sizes), bins=bins)  # counting goes on after a read
    again.add(batches[0])
    assert again.totals().sum() == (batches[0] > 0).sum()
    for batch in batches[1:]:
        again.add(batch)
    np.testing.assert_array_equal(again.counts, counts.counts)


@pytest.mark.parametrize("n", [30, 600])
def test_exact_statistics_equal_numpys_over_every_rank(n):
    """Exact counts (up to 2,048 cities): the quantiles are numpy's ('linear') and the mean
    is the mean, bit for bit, for cities ranked in every sample."""
    rng = np.random.default_rng(n)
    ranks = np.argsort(rng.random((1500, n)), axis=1).astype(np.int32) + 1
    counts = RankCounts(n, len(ranks))
    for part in np.array_split(ranks, 3):
        counts.add(part)
    qs = (0.5, 0.05, 0.95, 0.0, 1.0, 0.37)
    np.testing.assert_array_equal(counts.quantiles(qs), np.quantile(ranks, qs, axis=0))
    np.testing.assert_array_equal(counts.mean(), ranks.mean(axis=0))


def test_draw_blocks_are_drawn_once_and_shared_unchanged(registry):
    """A chunk's draws are the slice of its blocks drawn whole, across a block boundary
    too; the blocks kept for the next chunks cannot be written to."""
    from cityrank.analysis import Assumptions, WeightNoise
    from cityrank.analysis.sampler import BLOCK, Model, UncertaintyJob
    from cityrank.formats.spec import load_edition
    from conftest import ROOT

    edition = load_edition(ROOT / "tests" / "data" / "tiny" / "edition.toml")
    assumptions = Assumptions.for_edition(edition, normalisers=["minmax", "rank"], weights=WeightNoise("dirichlet", 5.0))
    model = Model(edition, registry, assumptions)
    job = UncertaintyJob(edition, assumptions, None, 4, samples=3 * BLOCK)
    first, second = Model(edition, registry, assumptions).draw(4, 0), Model(edition, registry, assumptions).draw(4, 1)
    lo, hi = BLOCK - 10, BLOCK + 6
    for _ in range(2):  # the second time from the kept blocks
        got = job.draws(model, (lo, hi))
        np.testing.assert_array_equal(got["normaliser"], np.concatenate([first["normaliser"][lo:], second["normaliser"][:6]]))
        for node, w in got["weights"].items():
            np.testing.assert_array_equal(w, np.concatenate([first["weights"][node][lo:], second["weights"][node][:6]]))
    inside = job.draws(model, (3, 9))
    node = next(iter(inside["weights"]))
    with pytest.raises(ValueError):
        inside["weights"][node][0, 0] = 0.5
