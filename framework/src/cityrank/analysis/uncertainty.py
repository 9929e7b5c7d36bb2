"""Uncertainty analysis: how robust is a ranking to the choices behind it?

The OECD/JRC Handbook on Constructing Composite Indicators (2008, steps 7–8) and COINr's
``get_sensi``: sample the assumptions — weights, normaliser, aggregator, imputation — rank
the cities under each sample, and summarise each city's rank distribution.

Samples are evaluated in batches through the batched method contract; rank statistics are
accumulated as counts per (city, rank), exact up to 2,048 cities and in 2,048 rank bins
beyond (:mod:`.rankcounts`), so memory grows with neither the samples nor N².
Random draws come in fixed blocks of samples, each from its own generator seeded by
(seed, block), so results do not depend on the chunk size or the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np

from ..engine import counted
from ..formats.output import optional_float, optional_int
from ..model import Dataset, Result, Spec
from ..plugins import Registry
from .rankcounts import RankCounts
from .sampler import (
    BLOCK,
    Assumptions,
    UncertaintyJob,
    chunk_bounds,
    default_chunk,
    prepare,
    run_chunks,
    screen_degenerate,
    task_groups,
)

# --- uncertainty ---------------------------------------------------------------------------


@attrs.frozen
class UncertaintyResult:
    """Per city: nominal rank, median, 5th and 95th percentile rank, share of samples in the
    top tier (``top_share`` of the ranked cities, floor as for tiers), mean rank."""

    edition: Spec
    samples: int
    seed: int
    assumptions: Assumptions
    nominal: np.ndarray
    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    mean: np.ndarray
    top_share: np.ndarray
    top: float
    #: ranks per counting bin: 1 = exact quantiles; else within resolution − 1 ranks (rankcounts)
    resolution: int = 1
    #: samples left out as degenerate (the statistics are of the others)
    left_out: int = 0
    #: what was sampled that a reader must know: the degenerate models and what was done
    sampling_notes: tuple[str, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """What a reader must know to read the table: the degenerate models, a top tier too
        small to hold a city."""
        ranked = int(np.sum(~np.isnan(self.nominal)))
        if ranked and math.floor(self.top * ranked + 1e-9) == 0:
            return (*self.sampling_notes,
                    f"the top {self.top:.0%} of {counted(ranked, 'ranked city')} holds no city: every top share is 0 "
                    f"(a top share of at least {1 / ranked:.2g} holds one)")
        return self.sampling_notes

    def rows(self) -> list[dict]:
        order = sorted(range(len(self.nominal)), key=lambda i: (_key(self.nominal[i]), self.edition.cities[i].id))
        out = []
        for i in order:
            c = self.edition.cities[i]
            out.append({"id": c.id, "name": c.name, "country": c.country, "nominal_rank": optional_int(self.nominal[i]),
                        "median_rank": optional_float(self.median[i]), "p05_rank": optional_float(self.p05[i]),
                        "p95_rank": optional_float(self.p95[i]), "mean_rank": optional_float(self.mean[i]),
                        "top_share": float(self.top_share[i])})
        return out


def _key(v):
    return math.inf if math.isnan(v) else v


def uncertainty(
    target: Spec | Result,
    registry: Registry,
    *,
    samples: int,
    seed: int = 0,
    assumptions: Assumptions | None = None,
    data: Dataset | None = None,
    top: float = 0.1,
    chunk_size: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    client=None,
    keep_degenerate: bool = False,
) -> UncertaintyResult:
    """Monte Carlo over the assumptions; rank statistics per city. Same seed, same result,
    whatever ``chunk_size``, ``workers`` or the Dask ``client`` (a
    ``dask.distributed.Client``: chunks run as tasks on its cluster). Samples of a degenerate
    model (:func:`~.sampler.degeneracy`) are left out of every statistic, and said in the
    notes, unless ``keep_degenerate``."""
    model, workers = prepare(target, registry, assumptions, data, samples, chunk_size, workers, seed, top)
    edition, assumptions = model.edition, model.assumptions
    n = model.n
    left_out, notes = screen_degenerate(model, seed, samples, keep_degenerate)
    chunk = chunk_size or default_chunk(n, len(edition.framework.indicators))
    counts = RankCounts(n, samples)
    in_top = np.zeros(n, dtype=np.int64)  # samples in which each city is in the top tier
    job = UncertaintyJob(edition, assumptions, data, seed, top, samples, keep_degenerate)
    if client is None:
        for _bounds, ranks in run_chunks(job, model, chunk_bounds(samples, chunk), workers, progress):
            in_top += job.in_top(ranks)
            counts.add(ranks)
    else:  # each task counts a block of samples on its worker; the counts are summed on the cluster
        from .cluster import tally_on_cluster

        threads = max(1, sum(client.nthreads().values()))  # a few tasks per thread: few partial counts to sum
        per_task = max(BLOCK, -(-samples // (2 * threads)))
        counts.counts[:], in_top[:] = tally_on_cluster(client, job, task_groups(chunk_bounds(samples, chunk), per_task), progress)
    median, p05, p95 = counts.quantiles((0.5, 0.05, 0.95))
    mean = counts.mean()
    return UncertaintyResult(edition, samples, seed, assumptions, model.nominal_ranks, median, p05, p95,
                             mean, in_top / (samples - left_out), top, counts.resolution, left_out, notes)
