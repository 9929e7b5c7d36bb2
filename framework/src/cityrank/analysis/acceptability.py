"""SMAA-2 (Lahdelma & Salminen, Operations Research 49, 2001) on the Monte Carlo's samples.

For every city: its rank acceptability indices b_i^r (the share of samples in which it has
rank r), its central weight vectors (the mean local weights, node by node, of the samples in
which it is first, and of those in which it is in the top tier) and its confidence factor
(the share of samples of the other assumptions — normaliser, aggregator, imputation — in
which it is first when the weights are its central ones; 1 or 0 when nothing else varies).
The samples are those of :func:`~cityrank.analysis.uncertainty.uncertainty` with the same
seed: the same draws, the same ranks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np

from ..formats.output import optional_float, optional_int
from ..model import Dataset, Result, Spec
from ..plugins import Registry
from .rankcounts import RankCounts
from .sampler import (
    Assumptions,
    Model,
    UncertaintyJob,
    chunk_bounds,
    default_chunk,
    prepare,
    run_chunks,
    screen_degenerate,
)


@attrs.frozen
class AcceptabilityResult:
    """``acceptability`` ``(N, B)`` (B = N ranks, or rank bins of ``resolution`` ranks beyond
    2,048 cities); ``central_first`` / ``central_top``: node → ``(N, k)`` (NaN for a city never
    first / in the top); shares ``(N,)``; ``confidence`` ``(N,)`` (NaN where never first)."""

    edition: Spec
    samples: int
    seed: int
    nodes: tuple[str, ...]
    children: dict
    acceptability: np.ndarray
    resolution: int
    first_share: np.ndarray
    top_share: np.ndarray
    central_first: dict
    central_top: dict
    confidence: np.ndarray
    nominal: np.ndarray
    top: float
    assumptions: Assumptions | None = None
    #: samples left out as degenerate (the shares are of the others)
    left_out: int = 0
    #: what a reader must know: the degenerate models and what was done with them
    notes: tuple[str, ...] = ()

    def rows(self, ranks: int = 10) -> list[dict]:
        """Per city, in nominal rank order: the acceptability of the first ``ranks`` ranks,
        shares, confidence and the central weights of its firsts (``node.child``)."""
        order = sorted(range(len(self.nominal)), key=lambda i: (math.inf if math.isnan(self.nominal[i])
                                                                 else self.nominal[i], self.edition.cities[i].id))
        out = []
        for i in order:
            c = self.edition.cities[i]
            row = {"id": c.id, "name": c.name, "nominal_rank": optional_int(self.nominal[i])}
            row |= {f"rank_{r + 1}": float(self.acceptability[i, r]) for r in range(min(ranks, self.acceptability.shape[1]))}
            row |= {"first_share": float(self.first_share[i]), "top_share": float(self.top_share[i]),
                    "confidence": optional_float(self.confidence[i])}
            for node in self.nodes:
                for k, child in enumerate(self.children[node]):
                    row[f"central.{node}.{child}"] = optional_float(self.central_first[node][i, k])
            out.append(row)
        return out


def acceptability(
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
    confidence_samples: int = 1000,
    keep_degenerate: bool = False,
) -> AcceptabilityResult:
    """SMAA-2 indices from ``samples`` Monte Carlo samples (see the module docstring); the
    samples of a degenerate model are left out, as by :func:`~.uncertainty.uncertainty`,
    unless ``keep_degenerate``."""
    model, workers = prepare(target, registry, assumptions, data, samples, chunk_size, workers, seed, top)
    n = model.n
    left_out, notes = screen_degenerate(model, seed, samples, keep_degenerate)
    job = UncertaintyJob(model.edition, model.assumptions, data, seed, top, samples, keep_degenerate)
    counts = RankCounts(n, samples)
    nodes = tuple(model.varying)
    fw = model.edition.framework
    children = {node: [c.id for c in fw.children(node)] for node in nodes}
    sums = {kind: {node: np.zeros((n, len(children[node])), dtype=np.int64) for node in nodes} for kind in ("first", "top")}
    hits = {"first": np.zeros(n, dtype=np.int64), "top": np.zeros(n, dtype=np.int64)}
    chunk = chunk_size or default_chunk(n, len(fw.indicators))
    for bounds, ranks in run_chunks(job, model, chunk_bounds(samples, chunk), workers, progress):
        counts.add(ranks)
        weights = job.draws(model, bounds)["weights"]
        ranked = (ranks > 0).sum(axis=1, keepdims=True)
        masks = {"first": ranks == 1, "top": (ranks > 0) & (ranks <= np.floor(top * ranked + 1e-9))}
        for kind, mask in masks.items():
            hits[kind] += mask.sum(axis=0)
            for node in nodes:
                sums[kind][node] += _fixed_sums(mask, weights[node])
    central = {kind: {node: np.divide(sums[kind][node] / FIXED, hits[kind][:, None],
                                      out=np.full(sums[kind][node].shape, np.nan), where=hits[kind][:, None] > 0)
                      for node in nodes} for kind in sums}
    confidence = _confidence(model, job, central["first"], hits["first"], min(confidence_samples, samples))
    used = samples - left_out
    return AcceptabilityResult(model.edition, samples, seed, nodes, children, counts.counts / used, counts.resolution,
                               hits["first"] / used, hits["top"] / used, central["first"], central["top"],
                               confidence, model.nominal_ranks, top, model.assumptions, left_out, notes)


#: the central weights are summed in fixed point, in units of 2⁻³² (integers, so the sums do not
#: depend on how the samples are chunked or threaded: float sums would, in their last bits)
FIXED = 2.0**32
_ROWS_EXACT = 2**20  # samples per product: 2²⁰ × 2³² < 2⁵³, so every float partial sum is an exact integer


def _fixed_sums(mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per city, the sum of ``weights`` ``(B, k)`` over the samples where ``mask`` ``(B, N)``
    holds, in units of :data:`FIXED`, exactly: ``(N, k)`` int64."""
    units = np.rint(weights * FIXED)
    out = np.zeros((mask.shape[1], weights.shape[1]), dtype=np.int64)
    for lo in range(0, len(units), _ROWS_EXACT):
        out += (mask[lo:lo + _ROWS_EXACT].T.astype(np.float64) @ units[lo:lo + _ROWS_EXACT]).astype(np.int64)
    return out


def _confidence(model: Model, job: UncertaintyJob, central: dict, firsts: np.ndarray, m: int) -> np.ndarray:
    """Per city with a central weight vector: the share of m samples of the other assumptions
    in which it is first with its central weights (of those not left out as degenerate)."""
    out = np.full(model.n, np.nan)
    d = job.draws(model, (0, m))
    if not job.keep_degenerate:
        keep = ~model.is_degenerate(d["imputation"], d["normaliser"], d["aggregator"])
        d = {k: d[k][keep] for k in ("imputation", "normaliser", "aggregator")}
        m = int(keep.sum())
    if not m:
        return out
    for i in np.flatnonzero(firsts):
        w = {node: np.broadcast_to(central[node][i], (m, len(central[node][i]))) for node in central}
        ranks = model.evaluate(d["imputation"], d["normaliser"], d["aggregator"], w)
        out[i] = float(np.mean(ranks[:, i] == 1))
    return out
