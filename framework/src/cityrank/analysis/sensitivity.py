"""Sensitivity analysis: how much of the variance of the average rank shift each assumption
explains (COINr's ``get_sensi``; Saltelli/Jansen estimators on a Saltelli design), from the
samples of :mod:`.sampler`."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from ..errors import MethodError
from ..model import Dataset, Result, Spec
from ..plugins import Registry
from .sampler import Assumptions, Model, SensitivityJob, check_arguments, chunk_bounds, default_chunk, run_chunks


@attrs.frozen
class SensitivityResult:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices of the mean absolute rank
    shift for each varying assumption, with bootstrap confidence intervals."""

    edition: Spec
    factors: tuple[str, ...]
    first: np.ndarray
    total: np.ndarray
    first_ci: np.ndarray  # (d, 2)
    total_ci: np.ndarray
    base_samples: int
    runs: int
    seed: int
    confidence: float
    notes: tuple[str, ...] = ()

    def rows(self) -> list[dict]:
        return [{"assumption": f, "first_order": float(self.first[i]), "first_order_ci": self.first_ci[i].tolist(),
                 "total": float(self.total[i]), "total_ci": self.total_ci[i].tolist()}
                for i, f in enumerate(self.factors)]


def sobol_indices(y_a: np.ndarray, y_b: np.ndarray, y_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices from a Saltelli design.

    ``y_a``, ``y_b``: ``(…, N)`` outputs at the base matrices A and B; ``y_ab``: ``(…, d, N)``
    outputs at A with column i taken from B. V = var([y_A, y_B]) (ddof 1);
    S_i = mean(y_B (y_ABi − y_A)) / V (Saltelli et al., CPC 181, 2010);
    ST_i = mean((y_A − y_ABi)²) / (2V) (Jansen, CPC 117, 1999).
    """
    v = np.var(np.concatenate([y_a, y_b], axis=-1), axis=-1, ddof=1)[..., None]
    v = np.where(v > 0, v, np.nan)  # no variance: undefined, not a division by zero
    first = np.mean(y_b[..., None, :] * (y_ab - y_a[..., None, :]), axis=-1) / v
    total = np.mean((y_a[..., None, :] - y_ab) ** 2, axis=-1) / (2 * v)
    return first, total


def _bootstrap(y_a, y_b, y_ab, resamples: int, rng, block: int = 32):
    """First-order and total indices ``(resamples, d)`` of bootstrap resamples of the base
    samples, drawn from ``rng`` in blocks (the same draws as all at once: the generator's
    stream is consumed in order), so that memory holds ``block`` × samples × d, not more."""
    n = len(y_a)
    firsts, totals = [], []
    for start in range(0, resamples, block):
        boot = rng.integers(n, size=(min(block, resamples - start), n))
        f, t = sobol_indices(y_a[boot], y_b[boot], np.moveaxis(y_ab[:, boot], 0, 1))
        firsts.append(f)
        totals.append(t)
    return np.concatenate(firsts), np.concatenate(totals)


def sensitivity(
    target: Spec | Result,
    registry: Registry,
    *,
    samples: int,
    seed: int = 0,
    assumptions: Assumptions | None = None,
    data: Dataset | None = None,
    bootstrap: int = 1000,
    confidence: float = 0.95,
    weight_replicates: int = 100,
    chunk_size: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    client=None,
) -> SensitivityResult:
    """Sensitivity indices of the mean absolute rank shift (COINr's ``get_sensi`` output) to
    each varying assumption; ``samples`` base samples give samples × (d + 2) runs."""
    edition = target.edition if isinstance(target, Result) else target
    workers = check_arguments(samples, chunk_size, workers, seed, cities=len(edition.cities))
    if bootstrap < 0 or not 0 < confidence < 1:
        raise MethodError("bootstrap must be ≥ 0 and confidence in (0, 1)")
    assumptions = assumptions or Assumptions.for_edition(edition)
    factors = assumptions.factors()
    if not factors:
        raise MethodError("nothing varies: give alternatives (normalisers, aggregators, imputations) or weight noise")
    model = Model(edition, registry, assumptions, data)
    d = len(factors)
    rng = np.random.default_rng([seed, 7])
    a, b = rng.random((samples, d)), rng.random((samples, d))
    design = [a, b] + [np.where(np.arange(d) == i, b, a) for i in range(d)]
    u = np.concatenate(design)  # (samples (d + 2), d)
    bank = {node: model.sample_weights(np.random.default_rng([seed, 11, j]), w, weight_replicates)
            for j, (node, w) in enumerate(sorted(model.varying.items())) if node not in model.panels}
    panel_bank = {node: model.panel_weights(np.random.default_rng([seed, 19, j]), node, weight_replicates)
                  for j, node in enumerate(sorted(model.panels))}

    def index(name, size):
        return np.minimum((u[:, factors.index(name)] * size).astype(int), size - 1) if name in factors \
            else np.zeros(len(u), dtype=int)

    choice = {"imputation": index("imputation", len(assumptions.imputations)),
              "normaliser": index("normaliser", len(assumptions.normalisers)),
              "aggregator": index("aggregator", len(assumptions.aggregators)),
              "weights": index("weights", weight_replicates), "panel": index("panel", weight_replicates)}
    runs = len(u)
    chunk = chunk_size or default_chunk(model.n, len(edition.framework.indicators))
    nominal = model.nominal_ranks

    job = SensitivityJob(edition, assumptions, data, seed, choice, bank, tuple(factors), nominal, panel_bank)
    y = np.empty(runs)
    if client is None:
        parts = run_chunks(job, model, chunk_bounds(runs, chunk), workers, progress)
    else:  # each worker builds the model once and evaluates chunks
        from .cluster import run_on_cluster

        parts = run_on_cluster(client, job, chunk_bounds(runs, chunk), progress)
    for (lo, hi), part in parts:
        y[lo:hi] = part
    y_a, y_b = y[:samples], y[samples:2 * samples]
    y_ab = y[2 * samples:].reshape(d, samples)
    first, total = sobol_indices(y_a, y_b, y_ab)
    alpha = (1 - confidence) / 2
    if bootstrap:
        bf, bt = _bootstrap(y_a, y_b, y_ab, bootstrap, np.random.default_rng([seed, 13]))
        first_ci = np.quantile(bf, [alpha, 1 - alpha], axis=0).T
        total_ci = np.quantile(bt, [alpha, 1 - alpha], axis=0).T
    else:
        first_ci = total_ci = np.full((d, 2), np.nan)
    notes = []
    if not np.var(np.concatenate([y_a, y_b]), ddof=1) > 0:
        notes.append("the mean rank shift is the same in every sample: the indices are undefined (null)")
    for i, f in enumerate(factors):
        if first[i] > total[i]:
            notes.append(f"the first-order index of {f} ({first[i]:.3f}) exceeds its total ({total[i]:.3f}): "
                         "estimation error, so use more samples")
    return SensitivityResult(edition, tuple(factors), first, total, first_ci, total_ci, samples, runs, seed,
                             confidence, tuple(notes))
