"""The Monte Carlo's core, shared by every analysis that samples a ranking's assumptions
(uncertainty, sensitivity, acceptability): the assumptions, the evaluation model (every
variant of the normalised scores computed once; samples then only re-weight, re-aggregate
and rank), random draws in fixed blocks seeded by (seed, block), the jobs that evaluate a
chunk of samples (sent as they are to a cluster's workers), and the threads that run them.
Results do not depend on the chunk size or the number of workers.

Degenerate models (:func:`degeneracy`: no city scored, most cities tied, a domain that
scores every city alike) are found once per combination of alternatives, before sampling;
a sample is degenerate when its combination is. Every sample is drawn; the jobs then leave
the degenerate ones out (unless told to keep them), so the samples kept are the same draws.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import attrs
import numpy as np

from ..engine import (
    aggregate_tree,
    collect_data,
    counted,
    denominate,
    effective_weights,
    impute_and_treat,
    local_weights,
    node_aggregators,
    normalise,
    run,
    screen,
    transform,
    zero_absorbed,
)
from ..errors import CityrankError, MethodError
from ..model import Dataset, MethodChoice, Result, Spec, WeightNoise
from ..plugins import Registry
from ..ranking import int_ranks
from .rankcounts import RankCounts

BLOCK = 1024  # samples per random-draw block: fixed, so results do not depend on chunking
#: a combination is degenerate when its largest tie holds more than this share of the ranked
#: cities: then most of the ranking is one tie (a top share or a rank interval says nothing)
MOST_TIED = 0.5


@attrs.frozen
class Assumptions:
    """The alternatives sampled for each assumption (one alternative = fixed)."""

    normalisers: tuple[MethodChoice, ...] = attrs.field(converter=tuple)
    aggregators: tuple[MethodChoice, ...] = attrs.field(converter=tuple)
    imputations: tuple[MethodChoice, ...] = attrs.field(converter=tuple)
    weights: WeightNoise = attrs.field(factory=WeightNoise)
    #: "bootstrap": each sample resamples the experts of every [[experts.ahp]] table (with
    #: replacement), so the panel's nodes take the weights of that resampled panel
    panel: str = attrs.field(default="none")

    @panel.validator
    def _panel(self, _attribute, value):
        if value not in ("none", "bootstrap"):
            raise MethodError(f"panel must be none or bootstrap, got {value!r}")

    @classmethod
    def for_edition(cls, edition: Spec, *, normalisers=None, aggregators=None, imputations=None,
                    weights: WeightNoise | None = None, panel: str = "none",
                    noise: Mapping[str, Any] | None = None) -> Assumptions:
        """Alternatives from the arguments, else the edition's ``[uncertainty]`` table, else its
        defaults. ``noise`` (``kind``, ``concentration``, ``spread``; None = not given) changes
        only what it gives of the weight noise that ``weights`` or the edition sets."""
        table = edition.uncertainty
        m = edition.methods

        def pick(given, key, default):
            values = given if given else table.get(key) or [default]
            return tuple(MethodChoice.parse(v, what=key) for v in values)

        if weights is None:
            spec = table.get("weights")
            weights = WeightNoise() if spec is None else WeightNoise.parse(MethodChoice.parse(spec, what="weights"))
        given = {k: v for k, v in (noise or {}).items() if v is not None}
        if given:
            weights = WeightNoise(**{**attrs.asdict(weights), **given})
        return cls(pick(normalisers, "normalisers", m.normaliser), pick(aggregators, "aggregators", m.aggregator),
                   pick(imputations, "imputations", m.imputation), weights, panel)

    def describe(self) -> dict[str, Any]:
        """The assumptions in words, as the outputs show them."""
        w = self.weights
        noise = {"dirichlet": f"dirichlet (concentration {w.concentration:g})",
                 "uniform": f"uniform ±{w.spread:.0%}", "none": "fixed"}[w.kind]
        return {"weights": noise, "panel": self.panel,
                "normaliser": [str(c) for c in self.normalisers],
                "aggregator": [str(c) for c in self.aggregators],
                "imputation": [str(c) for c in self.imputations]}

    def factors(self) -> list[str]:
        """The assumptions that vary."""
        out = []
        if self.weights.kind != "none":
            out.append("weights")
        if self.panel == "bootstrap":
            out.append("panel")
        for name, values in (("normaliser", self.normalisers), ("aggregator", self.aggregators),
                             ("imputation", self.imputations)):
            if len(values) > 1:
                out.append(name)
        return out


def _panels(edition: Spec) -> dict:
    """node → :class:`_Panel` for every [[experts.ahp]] table: the experts' log-judgments
    ``(E, k, k)`` and log-priorities, their weights and the table's aggregation, and the
    permutation from the table's items to the node's children. An expert of weight 0 adds
    nothing to any mean and is left out of the resampling."""
    from ..formats.spec import expert_judgments
    from ..methods.weightings import ahp, check_pairwise

    out = {}
    for kind, node, items, params in expert_judgments(edition):
        if kind != "ahp":
            continue
        mats = np.stack([check_pairwise(m, node) for m in params["matrices"]])
        e = np.asarray(params.get("expert_weights") or np.ones(len(mats)), dtype=np.float64)
        keep = e > 0
        prioritisation = params.get("prioritisation", "eigenvector")
        priorities = np.array([x["weights"] for x in
                               ahp(items, mats[keep], prioritisation=prioritisation).diagnostics["experts"]])
        children = [c.id for c in edition.framework.children(node)]
        out[node] = _Panel(np.log(mats[keep]), np.log(priorities), e[keep], params.get("aggregation", "aij"),
                           [items.index(c) for c in children], prioritisation)
    return out


class _Panel(NamedTuple):
    logs: np.ndarray
    log_priorities: np.ndarray
    weights: np.ndarray
    aggregation: str
    order: list
    prioritisation: str = "eigenvector"


class Model:
    """An edition prepared for batched evaluation: every (imputation, normaliser) variant of
    the normalised scores is computed once; samples then only re-weight and re-aggregate."""

    def __init__(self, edition: Spec, registry: Registry, assumptions: Assumptions, data: Dataset | None = None):
        self.assumptions = assumptions
        fw = edition.framework
        collected = collect_data(edition, registry, data)
        edition, raw, _ = screen(edition, collected[0], edition.methods.screen)  # the cities the run ranks
        collected = (raw, *collected[1:])
        self.edition = edition
        x0 = transform(denominate(raw, fw), edition)
        self.aggregators = [node_aggregators(fw, registry, a) for a in assumptions.aggregators]
        # the scores of normaliser k under aggregator a: variant[k][a] indexes each imputation's list
        shifts = [[zero_absorbed(fw, n, aggs) for aggs in self.aggregators] for n in assumptions.normalisers]
        keys = sorted({(k, shift) for k, row in enumerate(shifts) for shift in row}, key=lambda t: (t[0], sorted(t[1])))
        self.variant = [[keys.index((k, shift)) for shift in row] for k, row in enumerate(shifts)]
        self.scores = []
        for imputation in assumptions.imputations:
            x = impute_and_treat(x0, edition, registry, imputation, edition.methods.outliers).treated
            self.scores.append([normalise(x, edition, registry, assumptions.normalisers[k], shift)[0]
                                for k, shift in keys])
        self.nominal = run(edition, registry, data=data, collected=collected)
        self.nominal_weights = local_weights(fw, self.nominal.weights)  # as the run found them (data weights too)
        self.nominal_ranks = self.nominal.rank()
        self.n = len(edition.cities)
        self.varying = {node: w for node, w in self.nominal_weights.items() if np.sum(w > 0) > 1}
        self.panels = _panels(self.edition) if assumptions.panel == "bootstrap" else {}
        if assumptions.panel == "bootstrap" and not self.panels:
            raise MethodError("--panel bootstrap: the edition has no [[experts.ahp]] panel to resample")
        for node in self.panels:
            self.varying.setdefault(node, self.nominal_weights[node])
        self._check_combinations()
        # With arithmetic means everywhere and whole indicators (not single values) missing,
        # the index is linear in the scores: one matrix product per batch (see effective_weights).
        self.linear = []
        for variants in self.scores:
            row = []
            for z in variants:
                present = ~np.isnan(z).all(axis=0)
                whole = not np.isnan(z[:, present]).any()
                row.append((np.where(present, z, 0.0), present) if whole else None)
            self.linear.append(row)

    def _check_combinations(self) -> None:
        """Evaluate every combination of alternatives once, at the nominal weights, before any
        sampling: one that cannot work (z-scores under a geometric mean) is an error naming it;
        one that is degenerate (:func:`degeneracy`) is marked in :attr:`degenerate` ``(M, K, G)``
        (imputation, normaliser, aggregator) with its reasons in :attr:`reasons`.

        When the weights vary, a finding must hold at a second, generic set of weights too
        (:meth:`_generic_weights`): a tie that only the nominal weights make (two cities whose
        weighted sums happen to be equal) is broken in almost every sample and is not the
        model's, while the ties a structure makes (zeros that a geometric mean absorbs, cities
        with the same scores) hold at any weights."""
        fw = self.edition.framework
        a = self.assumptions
        self.degenerate = np.zeros((len(a.imputations), len(a.normalisers), len(a.aggregators)), dtype=bool)
        self.reasons: dict[tuple[int, int, int], str] = {}
        generic = self._generic_weights()
        for m, imputation in enumerate(a.imputations):
            for k, normaliser in enumerate(a.normalisers):
                for g, aggregator in enumerate(a.aggregators):
                    z = self.scores[m][self.variant[k][g]]
                    try:
                        found = degeneracy(aggregate_tree(z, fw, self.nominal_weights, self.aggregators[g]), fw)
                    except CityrankError as exc:
                        raise MethodError(f"the alternatives imputation {imputation}, normaliser {normaliser} and "
                                          f"aggregator {aggregator} cannot be combined: {exc}; leave one out") from None
                    if found and generic is not None:
                        also = degeneracy(aggregate_tree(z, fw, generic, self.aggregators[g]), fw)
                        found = {kind: text for kind, text in found.items() if kind in also}
                    if found:
                        self.degenerate[m, k, g] = True
                        self.reasons[m, k, g] = "; ".join(found.values())

    def _generic_weights(self) -> dict | None:
        """The nominal weights with every weight that the samples vary moved by a fixed factor in
        [1, 1.2) that differs between siblings (multiples of the golden ratio, modulo 1); None
        when no weight varies."""
        moving = [node for node in self.varying if self.assumptions.weights.kind != "none" or node in self.panels]
        if not moving:
            return None
        out = dict(self.nominal_weights)
        for node in moving:
            w = self.nominal_weights[node]
            factor = 1 + 0.2 * ((np.arange(1, len(w) + 1) * 0.6180339887498949) % 1)
            out[node] = w * factor / np.sum(w * factor)
        return out

    def is_degenerate(self, imputation, normaliser, aggregator) -> np.ndarray:
        """Per sample (choice indices ``(B,)`` each): whether its combination is degenerate."""
        return self.degenerate[imputation, normaliser, aggregator]

    def combination(self, m: int, k: int, g: int) -> str:
        """A combination in words, naming the assumptions that vary (all three when none does)."""
        a = self.assumptions
        parts = [("imputation", a.imputations, m), ("normaliser", a.normalisers, k), ("aggregator", a.aggregators, g)]
        shown = [p for p in parts if len(p[1]) > 1] or parts
        return " + ".join(f"{name} {values[i]}" for name, values, i in shown)

    def _choices(self, rng) -> dict:
        """A block's method choices: the first draws of its generator (before the weights)."""
        a = self.assumptions
        return {
            "imputation": rng.integers(len(a.imputations), size=BLOCK),
            "normaliser": rng.integers(len(a.normalisers), size=BLOCK),
            "aggregator": rng.integers(len(a.aggregators), size=BLOCK),
        }

    def combination_counts(self, seed: int, samples: int) -> np.ndarray:
        """How many of the samples ``[0, samples)`` draw each combination ``(M, K, G)``: the
        method choices alone, drawn as :meth:`draw` draws them (no weights, no ranking)."""
        shape = self.degenerate.shape
        counts = np.zeros(int(np.prod(shape)), dtype=np.int64)
        if not self.degenerate.any():  # nothing to count: every combination is kept
            return counts.reshape(shape)
        for block in range(-(-samples // BLOCK)):
            c = self._choices(np.random.default_rng([seed, block]))
            size = min(BLOCK, samples - block * BLOCK)
            flat = np.ravel_multi_index((c["imputation"][:size], c["normaliser"][:size], c["aggregator"][:size]), shape)
            counts += np.bincount(flat, minlength=counts.size)
        return counts.reshape(shape)

    def _arithmetic(self, a: int) -> bool:
        from ..methods.aggregators import arithmetic

        return all(method.function is arithmetic and not params.get("min_share")
                   for method, params in self.aggregators[a].values())

    def draw(self, seed: int, block: int) -> dict:
        """Random choices for one block of samples (always the same for the same seed and block)."""
        rng = np.random.default_rng([seed, block])
        draws = self._choices(rng)
        draws["weights"] = {node: self.sample_weights(rng, w, BLOCK) for node, w in self.varying.items()}
        for node in self.panels:  # the panel's nodes: the weights of a resampled panel
            draws["weights"][node] = self.panel_weights(rng, node, BLOCK)
        return draws

    def panel_weights(self, rng, node: str, size: int) -> np.ndarray:
        """``size`` weight vectors of ``node``'s children, each the AHP weights of the experts
        resampled with replacement, aggregated as the table says (AIJ: weighted geometric
        mean of the judgments, then the table's prioritisation, Harker's eigenvector or LLSM;
        AIP: of the priorities)."""
        from ..methods.panel import priorities

        p = self.panels[node]
        experts = len(p.logs)
        picks = rng.integers(experts, size=(size, experts))
        out = np.empty((size, len(p.order)))
        if p.aggregation == "aip":
            e = p.weights[picks]
            w = np.exp(np.einsum("se,sek->sk", e, p.log_priorities[picks]) / e.sum(axis=1, keepdims=True))
            return (w / w.sum(axis=1, keepdims=True))[:, p.order]
        known = ~np.isnan(p.logs)
        filled = np.where(known, p.logs, 0.0)
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # a pair none of the resampled experts judged
            for s, pick in enumerate(picks):
                e = p.weights[pick][:, None, None]
                share = (known[pick] * e).sum(axis=0)
                combined = np.where(share > 0, np.exp((filled[pick] * e).sum(axis=0) / share), np.nan)
                out[s] = priorities(combined, p.prioritisation)[0][p.order]
        return out

    def sample_weights(self, rng, nominal: np.ndarray, size: int) -> np.ndarray:
        noise = self.assumptions.weights
        w = nominal / nominal.sum()
        out = np.zeros((size, len(w)))
        positive = w > 0
        if noise.kind == "none":
            out[:] = w
        elif noise.kind == "dirichlet":
            out[:, positive] = rng.dirichlet(noise.concentration * w[positive], size=size)
        else:
            factor = rng.uniform(1 - noise.spread, 1 + noise.spread, size=(size, int(positive.sum())))
            out[:, positive] = w[positive] * factor
            out /= out.sum(axis=1, keepdims=True)
        return out

    def evaluate(self, imputation, normaliser, aggregator, weights: dict) -> np.ndarray:
        """Index ranks ``(B, N)`` (integers, 0 = not ranked) for B samples given by their choice
        indices and node weights."""
        fw = self.edition.framework
        combos = np.stack([imputation, normaliser, aggregator], axis=1)
        if (combos == combos[0]).all():  # one variant (only the weights vary): no regrouping
            groups = [(tuple(combos[0]), slice(None))]
        else:
            groups = [((m, k, a), np.flatnonzero((combos == (m, k, a)).all(axis=1)))
                      for m, k, a in np.unique(combos, axis=0)]
        ranks = np.empty((len(imputation), self.n), dtype=np.int32)
        for (m, k, a), rows in groups:
            w = {node: weights[node][rows] if node in weights else nominal
                 for node, nominal in self.nominal_weights.items()}
            v = self.variant[k][a]
            if self.linear[m][v] is not None and self._arithmetic(a):
                z, present = self.linear[m][v]
                eff = effective_weights(fw, w, present)
                scores = eff @ z.T if eff.ndim == 2 else z @ eff
            else:
                scores = aggregate_tree(self.scores[m][v], fw, w, self.aggregators[a], root_only=True)
            size = len(imputation) if isinstance(rows, slice) else len(rows)
            group_ranks = int_ranks(np.broadcast_to(scores, (size, self.n)))
            if isinstance(rows, slice):
                return group_ranks
            ranks[rows] = group_ranks
        return ranks


def degeneracy(node_scores: np.ndarray, framework) -> dict[str, str]:
    """What makes a model's scores ``(N, M)`` over ``framework.nodes`` (index first) a
    degenerate ranking, kind → words (empty: nothing): it scores no city (``nobody``); its
    largest tie holds more than :data:`MOST_TIED` of the ranked cities, ties as the ranking
    makes them (``tied``); a node below the index (a domain) has the same score for every
    city it scores, two or more, so that it ranks nobody (``constant:<node>``)."""
    ranks = int_ranks(node_scores[:, 0])
    ranks = ranks[ranks > 0]
    if not len(ranks):
        return {"nobody": "no city is scored"}
    found = {}
    sizes = np.bincount(ranks)
    largest, at = int(sizes.max()), int(sizes.argmax())
    if largest >= 2 and largest > MOST_TIED * len(ranks):
        found["tied"] = f"{largest} of {counted(len(ranks), 'ranked city')} tie at rank {at}"
    for j, node in enumerate(framework.nodes):
        r = int_ranks(node_scores[:, j])
        if node.parent is not None and np.sum(r > 0) >= 2 and np.all(r[r > 0] == 1):
            found[f"constant:{node.id}"] = f"{node.id!r} scores every city alike"
    return found


def degenerate_note(model: Model, counts: np.ndarray, total: int, kept: bool, unit: str = "samples",
                    detail: str = "") -> str | None:
    """The note on the degenerate combinations: which, why, how many of the ``total``
    ``unit`` drew each (``counts`` ``(M, K, G)``) and what was done (``detail``: what else
    leaving them out did); None when there is none."""
    if not model.reasons:
        return None
    found = int(counts[model.degenerate].sum())
    under: dict[str, list[str]] = {}  # reason → the combinations that have it, with their counts
    for c, reason in sorted(model.reasons.items()):
        under.setdefault(reason, []).append(f"{model.combination(*c)} ({int(counts[c]):,})")
    which = "; ".join(f"{reason} under {', '.join(combos)}" for reason, combos in under.items())
    if kept:
        return f"degenerate models kept, as asked: {found:,} of {total:,} {unit} — {which}"
    parts = [f"degenerate models left out: {found:,} of {total:,} {unit} — {which}"]
    alive = np.argwhere(~model.degenerate)
    a = model.assumptions
    fixed = [f"{name} {values[used[0]]}" for axis, (name, values) in enumerate(
        (("imputation", a.imputations), ("normaliser", a.normalisers), ("aggregator", a.aggregators)))
        if len(values) > 1 and len(used := np.unique(alive[:, axis])) == 1]
    if fixed:  # an alternative that only degenerate models used: that assumption no longer varies
        parts.append(f"the {unit} left all use {' and '.join(fixed)}")
    return "; ".join([*parts, *([detail] if detail else []), "--keep-degenerate (keep_degenerate=True) keeps them"])


def screen_degenerate(model: Model, seed: int, samples: int, keep: bool) -> tuple[int, tuple[str, ...]]:
    """The samples ``[0, samples)`` that a Monte Carlo leaves out as degenerate (0 when they
    are kept) and the note that says so; an error when every sample would be left out."""
    if not model.reasons:
        return 0, ()
    counts = model.combination_counts(seed, samples)
    found = int(counts[model.degenerate].sum())
    if found == samples and not keep:
        raise MethodError(f"every one of the {samples:,} samples is of a degenerate model ({why(model)}): nothing "
                          "is left to analyse; give other alternatives, or keep them with --keep-degenerate "
                          "(keep_degenerate=True)")
    return (0 if keep else found), (degenerate_note(model, counts, samples, keep),)


def why(model: Model) -> str:
    """The degenerate combinations and their reasons, for an error."""
    return "; ".join(f"{model.combination(*c)}: {r}" for c, r in sorted(model.reasons.items()))


def chunk_bounds(total: int, size: int):
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def task_groups(chunks, samples_per_group: int = BLOCK):
    """Consecutive chunks gathered into groups of about ``samples_per_group`` samples."""
    groups, current, size = [], [], 0
    for bounds in chunks:
        current.append(bounds)
        size += bounds[1] - bounds[0]
        if size >= samples_per_group:
            groups.append(current)
            current, size = [], 0
    return groups + ([current] if current else [])


def check_arguments(samples, chunk_size, workers, seed=0, top=0.1, cities=None):
    workers = default_workers(cities) if workers is None else workers
    if not isinstance(samples, int) or samples < 1:
        raise MethodError(f"the number of samples must be a positive whole number, got {samples!r}")
    if not isinstance(seed, int) or seed < 0:
        raise MethodError(f"the seed must be a non-negative whole number, got {seed!r}")
    if not 0 < top <= 1:
        raise MethodError(f"the top share must be in (0, 1], got {top}")
    if chunk_size is not None and chunk_size < 1:
        raise MethodError(f"the chunk size must be positive, got {chunk_size}")
    if workers < 1:
        raise MethodError(f"the number of workers must be positive, got {workers}")
    return workers


def prepare(target, registry, assumptions, data, samples, chunk_size, workers, seed=0, top=0.1):
    """The checked worker count and the evaluation model every analysis starts from."""
    edition = target.edition if isinstance(target, Result) else target
    workers = check_arguments(samples, chunk_size, workers, seed, top, len(edition.cities))
    assumptions = assumptions or Assumptions.for_edition(edition)
    return Model(edition, registry, assumptions, data), workers


#: samples × cities of one chunk: its (B, N) arrays (scores, keys, ranks) then stay in a core's
#: cache (measured at N = 138 and 1,000: chunks of 2¹⁵–2¹⁸ values ran fastest, of 2¹⁹ 1.6× slower)
CHUNK_VALUES = 2**16
#: multiply-adds of one chunk's product (B × N × K) below this: OpenBLAS, numpy's BLAS, runs
#: such a product on one thread. On two, every call waits for a second core, and the Monte
#: Carlo already keeps the cores busy: at N = 10,000, K = 11 on a busy 2-core machine, chunks
#: of 8 samples (2 BLAS threads) took 4.2 s for S = 2,000, chunks of 4 (one) 1.1 s.
ONE_THREAD_PRODUCT = 2**19


def default_chunk(n: int, k: int) -> int:
    """Samples per chunk: as many as keep a chunk's (B, N) arrays in cache and its product on
    one BLAS thread (at least one sample, at most one draw block), and its (B, N, K) arrays
    under 32 MB."""
    n, k = max(n, 1), max(k, 1)
    return max(1, min(BLOCK, CHUNK_VALUES // n, (ONE_THREAD_PRODUCT - 1) // (n * k), (32 * 2**20) // (8 * n * k)))


# --- jobs: what one chunk of samples computes, sent as is to a cluster's workers ---------


@attrs.frozen(eq=False)
class UncertaintyJob:
    """Ranks ``(B, N)`` of the samples ``[start, stop)``, their random choices drawn by block;
    a degenerate sample (unless kept) is not evaluated and ranks no city (its row is 0), so
    that no count includes it."""

    edition: Spec
    assumptions: Assumptions
    data: Dataset | None
    seed: int
    top: float = 0.1
    samples: int = 1
    keep_degenerate: bool = False

    def in_top(self, ranks: np.ndarray) -> np.ndarray:
        """Per city, the samples of ``ranks`` ``(B, N)`` in which it is in the top tier
        (floor(top·n) of the n cities ranked in that sample)."""
        ranked = (ranks > 0).sum(axis=1, keepdims=True)
        return ((ranks > 0) & (ranks <= np.floor(self.top * ranked + 1e-9))).sum(axis=0, dtype=np.int64)

    def tally(self, model: Model, chunks) -> tuple[np.ndarray, np.ndarray]:
        """Rank counts and top-tier counts of the samples of ``chunks``."""
        counts = RankCounts(model.n, self.samples)
        in_top = np.zeros(model.n, dtype=np.int64)
        for bounds in chunks:
            ranks = self(model, bounds)
            counts.add(ranks)
            in_top += self.in_top(ranks)
        size = sum(b - a for a, b in chunks)
        return (counts.counts.astype(np.uint16) if size < 2**16 else counts.counts), in_top  # half the bytes to send

    def draws(self, model: Model, bounds) -> dict:
        """The random choices of the samples ``[start, stop)`` (drawn by block; a block is
        drawn once for all the chunks that share it)."""
        start, stop = bounds
        blocks = model.__dict__.setdefault("_blocks", _Blocks())  # one per model: each cluster worker has its own
        parts = []
        for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
            lo, hi = max(start, block * BLOCK) - block * BLOCK, min(stop, (block + 1) * BLOCK) - block * BLOCK
            parts.append(_slice(blocks.get(model, self.seed, block), lo, hi))
        return _concat(parts)

    def __call__(self, model: Model, bounds) -> np.ndarray:
        d = self.draws(model, bounds)
        if self.keep_degenerate or not model.degenerate.any():
            return model.evaluate(d["imputation"], d["normaliser"], d["aggregator"], d["weights"])
        # all drawn, then masked: the draws of the samples kept are those of a run that keeps all
        keep = ~model.is_degenerate(d["imputation"], d["normaliser"], d["aggregator"])
        ranks = np.zeros((len(keep), model.n), dtype=np.int32)
        if keep.any():
            ranks[keep] = model.evaluate(d["imputation"][keep], d["normaliser"][keep], d["aggregator"][keep],
                                         {node: w[keep] for node, w in d["weights"].items()})
        return ranks


@attrs.frozen(eq=False)
class SensitivityJob:
    """The mean absolute rank shift of the design's runs ``[lo, hi)``."""

    edition: Spec
    assumptions: Assumptions
    data: Dataset | None
    seed: int
    choice: dict
    bank: dict
    factors: tuple
    nominal: np.ndarray
    panel_bank: dict = attrs.field(factory=dict)
    #: ``(runs,)`` True for the runs left out (not evaluated: NaN), None for none
    skip: np.ndarray | None = None

    def __call__(self, model: Model, bounds) -> np.ndarray:
        lo, hi = bounds
        c = self.choice
        rows = np.arange(lo, hi) if self.skip is None else lo + np.flatnonzero(~self.skip[lo:hi])
        out = np.full(hi - lo, np.nan)
        if not len(rows):
            return out
        w = {node: self.bank[node][c["weights"][rows]] for node in self.bank} if "weights" in self.factors else {}
        if "panel" in self.factors:
            w |= {node: self.panel_bank[node][c["panel"][rows]] for node in self.panel_bank}
        ranks = model.evaluate(c["imputation"][rows], c["normaliser"][rows], c["aggregator"][rows], w)
        ranks = ranks.astype(np.float64)
        ranks[ranks == 0] = np.nan
        with np.errstate(invalid="ignore"):
            out[rows - lo] = np.nanmean(np.abs(ranks - self.nominal), axis=1)
        return out


class _Blocks:
    """The last few draw blocks of a model, so that the chunks within one block (and the
    threads running them) share its draw instead of each drawing it again."""

    KEEP = 8  # blocks kept: more than the chunks in flight can span

    def __init__(self):
        self._lock = threading.Lock()
        self._kept: dict = {}

    def get(self, model, seed: int, block: int) -> dict:
        with self._lock:  # a block being drawn is waited for, not drawn twice
            key = (seed, block)
            if key not in self._kept:
                if len(self._kept) >= self.KEEP:
                    del self._kept[next(iter(self._kept))]  # the oldest
                draw = model.draw(seed, block)
                for v in (*draw.values(), *draw["weights"].values()):
                    if isinstance(v, np.ndarray):
                        v.flags.writeable = False  # shared by chunks: none may change it
                self._kept[key] = draw
            return self._kept[key]


def run_chunks(job, model, chunks, workers: int, progress: Callable[[int], None] | None = None):
    """``(bounds, job(model, bounds))`` for every chunk, in order, in this process (threads);
    :func:`cityrank.analysis.cluster.run_on_cluster` does the same on a Dask cluster."""
    with _pool(workers) as pool:
        for bounds, result in zip(chunks, pool.map(lambda b: job(model, b), chunks), strict=True):
            yield bounds, result
            if progress:
                progress(bounds[1] - bounds[0])


class _Serial:
    """The executor interface, run in the calling thread (one worker: no thread needed)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def map(func, iterable):
        return map(func, iterable)


class _Threads(ThreadPoolExecutor):
    """Threads (numpy releases the GIL in sorting and matrix products), with at most two chunks
    per worker in flight so that finished chunks never pile up in memory."""

    def map(self, func, iterable):
        pending: deque = deque()
        for item in iterable:
            pending.append(self.submit(func, item))
            if len(pending) >= 2 * self._max_workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _pool(workers: int):
    return _Serial() if workers == 1 else _Threads(max_workers=workers)


#: below this many cities one thread is faster: a sample is too little work to share (measured
#: by benchmarks/run.py: at N = 1,000 two threads take 1.2× one thread's time, at 3,000 0.8×)
THREADED_FROM = 2000


def default_workers(cities: int | None = None) -> int:
    """Threads to use when not told: one for fewer than :data:`THREADED_FROM` cities, else the
    machine's cores, at most 4. Results do not depend on it."""
    if cities is not None and cities < THREADED_FROM:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _slice(d, lo, hi):
    return {k: ({n: w[lo:hi] for n, w in v.items()} if isinstance(v, dict) else v[lo:hi]) for k, v in d.items()}


def _concat(parts):
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return {k: ({n: np.concatenate([p[k][n] for p in parts]) for n in v} if isinstance(v, dict)
                else np.concatenate([p[k] for p in parts])) for k, v in first.items()}


