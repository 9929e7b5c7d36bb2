"""Sensitivity analysis: how much of the variance of the average rank shift each assumption
explains (COINr's ``get_sensi``; Saltelli/Jansen estimators on a Saltelli design), from the
samples of :mod:`.sampler`.

Degenerate models (:func:`~.sampler.degeneracy`) are left out by whole base samples: the
estimators pair the run at row j of A with those at row j of B and of every AB_i, so leaving
out one run alone would unpair the others. A base sample is left out when any of its d + 2
runs is of a degenerate combination, and the indices are estimated from the base samples
left. They are then those of the assumptions restricted to the combinations kept, where the
method choices are no longer independent of one another (rank with geometric left out,
normaliser and aggregator co-vary), so the first-order and total indices are indicative, not
a variance decomposition; the note says how many base samples were left out.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from ..errors import MethodError
from ..model import Dataset, Result, Spec
from ..plugins import Registry
from .sampler import (
    Assumptions,
    Model,
    SensitivityJob,
    check_arguments,
    chunk_bounds,
    default_chunk,
    degenerate_note,
    run_chunks,
    why,
)


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
    #: base samples left out because one of their runs is of a degenerate model
    left_out: int = 0

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
    keep_degenerate: bool = False,
) -> SensitivityResult:
    """Sensitivity indices of the mean absolute rank shift (COINr's ``get_sensi`` output) to
    each varying assumption; ``samples`` base samples give samples × (d + 2) runs. Base
    samples with a run of a degenerate model are left out (see the module docstring) unless
    ``keep_degenerate``."""
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
    keep, skip, notes = _screen(model, choice, samples, d, keep_degenerate)

    job = SensitivityJob(edition, assumptions, data, seed, choice, bank, tuple(factors), nominal, panel_bank, skip)
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
    if not keep.all():  # (views when all are kept: the same sums, to the last bit, as before)
        y_a, y_b, y_ab = y_a[keep], y_b[keep], y_ab[:, keep]
    first, total = sobol_indices(y_a, y_b, y_ab)
    alpha = (1 - confidence) / 2
    if bootstrap:
        bf, bt = _bootstrap(y_a, y_b, y_ab, bootstrap, np.random.default_rng([seed, 13]))
        first_ci = np.quantile(bf, [alpha, 1 - alpha], axis=0).T
        total_ci = np.quantile(bt, [alpha, 1 - alpha], axis=0).T
    else:
        first_ci = total_ci = np.full((d, 2), np.nan)
    constant = not np.var(np.concatenate([y_a, y_b]), ddof=1) > 0
    if constant:
        notes.append("the mean rank shift is the same in every sample: the indices are undefined (null)")
    notes += _trivial(model, factors, y_a, y_ab, constant)
    for i, f in enumerate(factors):
        if first[i] > total[i]:
            notes.append(f"the first-order index of {f} ({first[i]:.3f}) exceeds its total ({total[i]:.3f}): "
                         "estimation error, so use more samples")
    return SensitivityResult(edition, tuple(factors), first, total, first_ci, total_ci, samples, runs, seed,
                             confidence, tuple(notes), samples - int(keep.sum()))


def _screen(model: Model, choice: dict, samples: int, d: int, keep_degenerate: bool):
    """The base samples kept ``(samples,)``, the runs not to evaluate ``(runs,)`` (None: all
    are) and the notes: a base sample is left out when any of its d + 2 runs is degenerate."""
    everything = np.ones(samples, dtype=bool)
    if not model.reasons:
        return everything, None, []
    bad = model.is_degenerate(choice["imputation"], choice["normaliser"], choice["aggregator"])
    counts = np.zeros(model.degenerate.size, dtype=np.int64)
    np.add.at(counts, np.ravel_multi_index((choice["imputation"], choice["normaliser"], choice["aggregator"]),
                                           model.degenerate.shape), 1)
    counts = counts.reshape(model.degenerate.shape)
    runs = len(bad)
    if keep_degenerate:
        return everything, None, [degenerate_note(model, counts, runs, True, "runs")]
    keep = ~bad.reshape(d + 2, samples).any(axis=0)
    if not keep.any():
        raise MethodError(f"every one of the {samples:,} base samples has a run of a degenerate model "
                          f"({why(model)}): nothing is left to analyse; give other alternatives, or keep them with "
                          "--keep-degenerate (keep_degenerate=True)")
    left = int(keep.sum())
    detail = (f"a base sample goes with its runs (A, B and every AB_i), so {samples - left:,} of {samples:,} base "
              f"samples ({(samples - left) * (d + 2):,} runs) are left out and the indices are of the other "
              f"{left:,}, over which the method choices are not independent: read them as indicative")
    return keep, np.tile(~keep, d + 2), [degenerate_note(model, counts, runs, False, "runs", detail)]


def _trivial(model: Model, factors, y_a, y_ab, constant: bool) -> list[str]:
    """Notes when what varies cannot make a comparison: one assumption alone (its indices are
    1 by construction), weights that no node can share out, an assumption that never moves
    the output (a method left with one alternative once the degenerate models are out: the
    degenerate models' note says so)."""
    notes = []
    if len(factors) == 1:
        others = [option for factor, option in (("weights", "weight noise"), ("normaliser", "normalisers"),
                                                ("aggregator", "aggregators"), ("imputation", "imputations"))
                  if factor != factors[0]]
        notes.append(f"only {factors[0]} varies: it explains all the variance, so its indices are 1 by construction "
                     f"and say nothing about which assumption matters; vary another ({', '.join(others)}) to compare")
    if "weights" in factors and not any(node not in model.panels for node in model.varying):
        notes.append("the weights vary, but no node has two or more children of positive weight to share out: "
                     "the weight noise changes nothing")
    if not constant:
        for i, f in enumerate(factors):
            if len(y_a) and np.array_equal(y_a, y_ab[i]):
                notes.append(f"changing {f} never changes the mean rank shift in these samples: its indices are 0")
    return notes
