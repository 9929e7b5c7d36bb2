"""The Python API: load an edition, run it with other choices, look at every stage, compare.

::

    import cityrank
    ed = cityrank.load("path/to/edition.toml")     # or an installed edition's id
    res = ed.run(normaliser="rank", weights={"a_domain": 2})
    res.table()                                      # city, country, score, rank, tier, domains
    res.stage("normalised")                          # cities × indicators at any stage
    res.stats()                                      # per indicator, as given and as the normaliser gets it
    ed.uncertainty(seed=1).table()                   # 1000 samples unless told; .sensitivity(), .acceptability()
    cityrank.compare(res, ed.run(drop=["an_indicator"]))

Tables are pandas DataFrames when pandas is installed (``pip install 'cityrank[pandas]'``),
else :class:`Table` (numpy columns with labels; ``.to_pandas()`` says what to install); ranks
in them are whole numbers, missing for a city without one (pandas ``Int64``, or a masked
``int64`` array in a :class:`Table`). The API never prints: what a run has to say comes as :class:`CityrankWarning`, which a notebook
can filter; errors are :class:`cityrank.errors.CityrankError`. The CLI is a user of this
module, so the same inputs give the same numbers here and there.
"""

from __future__ import annotations

import html
import math
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from . import engine
from .analysis.compare import matched
from .errors import CityrankError, SpecError
from .formats.atomic import write_atomic  # noqa: F401 - a helper for plugins: write a file whole or not at all
from .model import Dataset, Indicator, MethodChoice, Spec, plain_text, thaw
from .model import Result as RunResult
from .plugins import Registry, call, get_registry

STAGES = ("raw", "denominated", "transformed", "imputed", "treated", "normalised")

#: samples of uncertainty, acceptability (and base samples of sensitivity) when none are
#: given: a share of samples (in the top 10 %, at a rank) is then known to within ±3.1
#: percentage points at 95 % confidence whatever its value (1.96 × √(0.25 / 1000))
SAMPLES = 1000


class CityrankWarning(UserWarning):
    """Something a result should be read with (a domain without data, a tie across a cut…)."""


# --- tables --------------------------------------------------------------------------------


class Table:
    """Named columns of equal length (numpy arrays), with row labels: what a table method
    returns when pandas is not installed.

    Ranks are whole numbers: a rank column is a :class:`numpy.ma.MaskedArray` of ``int64``
    whose masked rows are the cities without a rank (``table["rank"].compressed()`` gives the
    ranks there are, ``.filled(0)`` a plain array with 0 for none, since no rank is 0);
    :meth:`to_pandas` makes it a nullable ``Int64`` column (``<NA>`` for none), as the tables
    are when pandas is installed. Other numbers are ``float64`` with NaN for none."""

    def __init__(self, columns: Mapping[str, Any], index: Iterable[str], index_name: str = "id"):
        self.columns = {k: v if isinstance(v, np.ma.MaskedArray) else np.asarray(v) for k, v in columns.items()}
        self.index = list(index)
        self.index_name = index_name

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    def __len__(self) -> int:
        return len(self.index)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.index), len(self.columns)

    def to_numpy(self) -> np.ndarray:
        """The numeric columns as one float array ``(rows, columns)``; a missing rank is NaN."""
        return np.column_stack([np.ma.filled(v.astype(np.float64), np.nan) for v in self.columns.values()
                                if v.dtype.kind in "biuf"])

    def to_pandas(self):
        """A pandas DataFrame: rank columns as nullable ``Int64``, the index named as here."""
        try:
            import pandas as pd
        except ImportError:
            raise CityrankError("this needs pandas: pip install 'cityrank[pandas]'") from None
        columns = {k: pd.arrays.IntegerArray(np.ma.getdata(v).astype(np.int64), np.ma.getmaskarray(v).copy())
                   if isinstance(v, np.ma.MaskedArray) else v for k, v in self.columns.items()}
        return pd.DataFrame(columns, index=pd.Index(self.index, name=self.index_name))

    def __repr__(self) -> str:
        head = [self.index_name, *self.columns]
        rows = [[str(i), *(_cell(v[n]) for v in self.columns.values())] for n, i in enumerate(self.index[:20])]
        widths = [max(len(r[j]) for r in [head, *rows]) for j in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *rows]]
        more = [f"… {len(self.index) - 20} more rows"] if len(self.index) > 20 else []
        return "\n".join(lines + more)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in [self.index_name, *self.columns])
        body = "".join("<tr>" + f"<th>{html.escape(str(i))}</th>" + "".join(
            f"<td>{html.escape(_cell(v[n]))}</td>" for v in self.columns.values()) + "</tr>"
            for n, i in enumerate(self.index))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value) -> str:
    if value is np.ma.masked or value is None:
        return ""
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _ranks(values) -> np.ma.MaskedArray:
    """Ranks as whole numbers: ``int64``, masked where there is none (NaN or None)."""
    floats = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    missing = np.isnan(floats)
    return np.ma.masked_array(np.where(missing, 0, floats).astype(np.int64), mask=missing, fill_value=0)


def _frame(table: Table):
    """A DataFrame when pandas is installed, else the :class:`Table` itself."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        return table
    return table.to_pandas()


def _table(columns: Mapping[str, Any], index, index_name="id"):
    """A DataFrame when pandas is installed, else a :class:`Table`."""
    return _frame(Table(columns, index, index_name))


# --- editions ------------------------------------------------------------------------------


def edition_path(name: str | os.PathLike, registry: Registry) -> Path:
    """An installed edition's id, or the path of an edition.toml (or of its folder).

    A bare name (no ``/``, no ``.toml``) is an installed edition's id first, so that a folder
    of the same name (``cityrank new edition sco-2025`` writes one) does not shadow it; then a
    folder; then an id that differs only in case (``SCO-2025``). A name that is none of these
    is an error that suggests the closest ids (``sco2025``: did you mean sco-2025?)."""
    text = os.fspath(name)
    candidate = Path(text)
    looks_like_path = not isinstance(name, str) or text.endswith(".toml") or "/" in text or os.sep in text \
        or text in (".", "..")
    if not looks_like_path:
        editions = registry.methods("edition")
        for method in editions:
            if method.id == text:
                return Path(str(method.function))
        if not candidate.exists():
            import difflib

            folded = {m.id.casefold(): m for m in editions}
            if text.casefold() in folded:  # SCO-2025 for sco-2025: one edition either way, no need to refuse
                return Path(str(folded[text.casefold()].function))
            close = difflib.get_close_matches(text.casefold(), sorted(folded), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(folded[c].id) for c in close)}?" if close else ""
            known = ", ".join(m.id for m in editions) or "none installed"
            raise CityrankError(f"unknown edition {text!r}{hint} (installed: {known}; or give the path of an "
                                "edition.toml)")
    if not candidate.exists():
        raise SpecError("file not found", file=candidate)
    if candidate.is_dir() and not (candidate / "edition.toml").is_file():
        inside = sorted(candidate.glob("src/*/edition.toml"))  # a distribution `cityrank new edition` wrote
        if len(inside) == 1:
            return inside[0]
        raise SpecError("this folder has no edition.toml" + (f" (it is in {inside[0].parent}/ and others)" if inside
                                                              else ""), file=candidate)
    return candidate


def load(edition: str | os.PathLike, *, registry: Registry | None = None, with_data: bool = True) -> Edition:
    """An edition by its installed id or the path of its edition.toml (or folder);
    ``with_data=False`` reads its cities and framework but not its data file."""
    from .formats.spec import load_edition

    if not isinstance(edition, str | os.PathLike):
        raise CityrankError(f"load: expected an edition id or the path of an edition.toml, not {_kind(edition)}")
    reg = registry or get_registry()
    return Edition(load_edition(edition_path(edition, reg), with_data=with_data), reg)


def _still_missing(spec: Spec) -> list[str]:
    """Placeholders left in an edition (TODO), and facts without a source."""
    from .model import thaw

    todo = [f"[edition] {k}" for k, v in spec.meta.items() if "TODO" in str(thaw(v))]
    todo += [f"indicator {i.id!r}" for i in spec.framework.indicators if "TODO" in f"{i.id} {i.name} {i.unit} {i.source}"]
    if not spec.meta.get("sources"):
        todo.append("[edition] sources is empty: give a URL for every fact")
    if not spec.published:
        todo.append("no [published] results: verify will have nothing to compare")
    return todo


def _kind(value) -> str:
    return f"a {type(value).__name__}"


class Edition:
    """An edition ready to run: its spec (:attr:`spec`, a :class:`cityrank.model.Spec`)
    and the registry of methods it runs with."""

    def __init__(self, spec: Spec, registry: Registry | None = None):
        self.registry = registry or get_registry()
        self.spec = engine.with_providers(spec, self.registry)[0]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def cities(self) -> tuple:
        return self.spec.cities

    @property
    def indicators(self) -> tuple[str, ...]:
        return self.spec.framework.indicator_ids

    def read_data(self, path) -> Dataset:
        """A user's data file (``city_id`` + indicator columns) for this edition's cities."""
        from .formats.datafile import read_data

        return read_data(path, self.spec.cities, self.spec.framework)

    def _dataset(self, data) -> Dataset | None:
        """``data=`` as a Dataset: a CSV path is read; anything else but a Dataset is an error."""
        if data is None or isinstance(data, Dataset):
            return data
        if isinstance(data, str | os.PathLike):
            return self.read_data(data)
        raise CityrankError(f"data: expected the path of a CSV file or a cityrank Dataset, not {_kind(data)}")

    def run(self, *, normaliser=None, aggregator=None, imputation=None, outliers=None,
            weights: Mapping[str, float] | str | os.PathLike | None = None,
            data: Dataset | str | os.PathLike | None = None, drop: Iterable[str] = ()) -> Result:
        """Rank the edition. A method is a name, ``"name:key=value,…"`` or a dict with ``name``
        and replaces the edition's default; ``weights`` overrides local weights (``{id: w}`` or
        a CSV ``id,weight``); ``data`` adds or replaces indicator columns (a CSV path or a
        :class:`~cityrank.model.Dataset`); ``drop`` leaves indicators out (a what-if)."""
        choices = engine.Choices(**{k: None if v is None else MethodChoice.parse(v, what=k) for k, v in
                                    (("normaliser", normaliser), ("aggregator", aggregator),
                                     ("imputation", imputation), ("outliers", outliers))})
        dataset = self._dataset(data)
        if weights is not None and not isinstance(weights, Mapping | str | os.PathLike):
            raise CityrankError(f"weights: expected {{id: weight}} or the path of a CSV file, not {_kind(weights)}")
        if isinstance(drop, str):
            drop = [drop]
        if not isinstance(drop, Iterable) or not all(isinstance(d, str) for d in drop):
            raise CityrankError("drop: expected indicator ids (strings)")
        dropped = list(drop)
        spec = engine.without(self.spec, dropped)
        result = engine.run(spec, self.registry, data=dataset, choices=choices, weights_file=weights,
                            dropped=tuple(dropped))
        for note in result.notes:
            warnings.warn(note, CityrankWarning, stacklevel=2)
        return Result(result)

    def check(self, *, data: Dataset | str | os.PathLike | None = None) -> dict[str, Any]:
        """Everything a run checks, without a ranking (what ``cityrank validate`` reports): the
        counts of cities, domains and indicators, the indicators without data, what is still
        to do in the edition, every warning (experts' consistency ratios above 0.10, the
        run's notes) and the error that stops a run (``None`` when it runs; ``ok``). A data
        file that cannot be read raises, as for :meth:`run`."""
        spec, registry = self.spec, self.registry
        dataset = self._dataset(data)
        _, diagnostics = engine.resolve_weights(spec, registry)
        collected = engine.collect_data(spec, registry, dataset)
        warnings_ = [f"{d['node']}: {e['expert']} has consistency ratio {e['cr']:.3f} > 0.10"
                     for d in diagnostics for e in (d.get("experts") if isinstance(d.get("experts"), list) else [])
                     if not e["consistent"]]
        try:
            result, error = engine.run(spec, registry, data=dataset, collected=collected), None
        except CityrankError as exc:
            result, error = None, exc
        return {
            "edition": spec.id, "cities": len(spec.cities), "domains": len(spec.framework.domains),
            "indicators": len(spec.framework.indicators),
            "without_data": [i for i, share in engine.coverage(spec.framework, collected[0]).items() if share == 0],
            "to_do": _still_missing(spec),
            "warnings": warnings_ + (list(result.notes) if result else []),
            "error": str(error) if error else None, "ok": error is None,
        }

    def uncertainty(self, samples: int = SAMPLES, *, seed: int = 0, normalisers=None, aggregators=None, imputations=None,
                    weights: Mapping[str, float] | str | os.PathLike | None = None, weight_noise: str | None = None,
                    concentration: float | None = None, spread: float | None = None, panel: str = "none",
                    top: float = 0.1, data: Dataset | str | os.PathLike | None = None, chunk_size: int | None = None,
                    workers: int | None = None, cluster: str | None = None, client=None, progress=None,
                    keep_degenerate: bool = False) -> Uncertainty:
        """Monte Carlo over weights and method alternatives: per city the nominal, median, 5 %
        and 95 % ranks, the mean rank and the share of samples in the top (``cityrank
        uncertainty``, keyword for option).

        ``normalisers``, ``aggregators``, ``imputations``: alternatives to sample among (a list,
        or one string ``"a;b"``); None keeps the edition's ``[uncertainty]`` table or its
        defaults. ``weights``: nominal weights (``{id: w}`` or a CSV ``id,weight``, as for
        :meth:`run`). ``weight_noise`` (``dirichlet``, ``uniform``, ``none``), ``concentration``
        and ``spread``: how weights vary; each one not given keeps the edition's or the default
        (Dirichlet, concentration 50, spread 0.25). ``panel="bootstrap"`` resamples the experts
        of every AHP table. ``cluster``: ``"local"`` or a Dask scheduler's address (or give a
        ``client``); ``progress(n, total)`` is called as ``n`` more of ``total`` samples are done.
        Results do not depend on ``chunk_size``, ``workers`` or the cluster. Samples of a
        degenerate model (most cities tied, a domain that scores every city alike, no city
        scored) are left out of every statistic, with a note saying which and how many, unless
        ``keep_degenerate``."""
        from .analysis import uncertainty

        spec, assumptions, dataset = self._sampling(samples, normalisers, aggregators, imputations, weights,
                                                    weight_noise, concentration, spread, panel, data)
        with _client(cluster, client, workers) as dask_client:
            result = uncertainty(spec, self.registry, samples=samples, seed=seed, assumptions=assumptions,
                                 data=dataset, top=top, chunk_size=chunk_size, workers=workers,
                                 progress=_of(progress, samples), client=dask_client,
                                 keep_degenerate=_flag(keep_degenerate, "keep_degenerate"))
        for note in result.notes:
            warnings.warn(note, CityrankWarning, stacklevel=2)
        return Uncertainty(result)

    def sensitivity(self, samples: int = SAMPLES, *, seed: int = 0, normalisers=None, aggregators=None, imputations=None,
                    weights: Mapping[str, float] | str | os.PathLike | None = None, weight_noise: str | None = None,
                    concentration: float | None = None, spread: float | None = None, panel: str = "none",
                    bootstrap: int = 1000, data: Dataset | str | os.PathLike | None = None,
                    chunk_size: int | None = None, workers: int | None = None, cluster: str | None = None,
                    client=None, progress=None, keep_degenerate: bool = False) -> Sensitivity:
        """First-order and total sensitivity indices of the mean absolute rank shift for each
        varying assumption, with ``bootstrap`` resamples for their intervals (``cityrank
        sensitivity``); ``samples`` are base samples (the runs are ``samples × (factors + 2)``,
        and ``progress(n, total)`` counts runs). The other keywords are those of :meth:`uncertainty`;
        a base sample with a run of a degenerate model is left out whole (with a note) unless
        ``keep_degenerate``."""
        from .analysis import sensitivity

        spec, assumptions, dataset = self._sampling(samples, normalisers, aggregators, imputations, weights,
                                                    weight_noise, concentration, spread, panel, data)
        _count(bootstrap, "bootstrap", 0)
        with _client(cluster, client, workers) as dask_client:
            result = sensitivity(spec, self.registry, samples=samples, seed=seed, assumptions=assumptions,
                                 data=dataset, bootstrap=bootstrap, chunk_size=chunk_size, workers=workers,
                                 progress=_of(progress, samples * (len(assumptions.factors()) + 2)),
                                 client=dask_client, keep_degenerate=_flag(keep_degenerate, "keep_degenerate"))
        for note in result.notes:
            warnings.warn(note, CityrankWarning, stacklevel=2)
        return Sensitivity(result, assumptions)

    def acceptability(self, samples: int = SAMPLES, *, seed: int = 0, normalisers=None, aggregators=None, imputations=None,
                      weights: Mapping[str, float] | str | os.PathLike | None = None, weight_noise: str | None = None,
                      concentration: float | None = None, spread: float | None = None, panel: str = "none",
                      top: float = 0.1, data: Dataset | str | os.PathLike | None = None,
                      chunk_size: int | None = None, workers: int | None = None, progress=None,
                      keep_degenerate: bool = False) -> Acceptability:
        """SMAA-2 (``cityrank acceptability``): per city the rank acceptability of each rank, the
        share of samples first and in the top, the confidence factor and the central weights of
        its firsts. The keywords are those of :meth:`uncertainty` (it runs in this process)."""
        from .analysis import acceptability

        spec, assumptions, dataset = self._sampling(samples, normalisers, aggregators, imputations, weights,
                                                    weight_noise, concentration, spread, panel, data)
        result = acceptability(spec, self.registry, samples=samples, seed=seed, assumptions=assumptions,
                               data=dataset, top=top, chunk_size=chunk_size, workers=workers,
                               progress=_of(progress, samples),
                               keep_degenerate=_flag(keep_degenerate, "keep_degenerate"))
        for note in result.notes:
            warnings.warn(note, CityrankWarning, stacklevel=2)
        return Acceptability(result)

    def _sampling(self, samples, normalisers, aggregators, imputations, weights, weight_noise, concentration,
                  spread, panel, data):
        """The spec (with ``weights`` as its nominal weights), the assumptions and the data of a
        Monte Carlo, each argument checked as the command line checks its option."""
        from .analysis import Assumptions

        _count(samples, "samples", 1)
        spec = self.spec
        if weights is not None:  # nominal weights (after any expert panel), as run takes them
            if not isinstance(weights, Mapping | str | os.PathLike):
                raise CityrankError(f"weights: expected {{id: weight}} or the path of a CSV file, not {_kind(weights)}")
            nominal, _ = engine.resolve_weights(spec, self.registry, weights)
            spec = attrs.evolve(spec, weights=nominal, experts={})
        assumptions = Assumptions.for_edition(
            spec, normalisers=_alternatives(normalisers, "normalisers"),
            aggregators=_alternatives(aggregators, "aggregators"), imputations=_alternatives(imputations, "imputations"),
            panel=panel, noise={"kind": weight_noise, "concentration": concentration, "spread": spread})
        return spec, assumptions, self._dataset(data)

    def weights(self, method: str | None = None, *, node: str | None = None,
                data: Dataset | str | os.PathLike | None = None) -> Weighting:
        """Weights and how they were found. Without ``method``: the weights a run uses (the
        edition's, its expert panels' and those it computes from its data, as a run with its
        defaults computes them). With a data weighting (``"pca"``, ``"fa"``, ``"entropy"``,
        ``"critic"``, ``"optimal"`` or any registered, as ``"name:key=value"``): the weights it
        gives the children of ``node`` (default: the index) from a run's scores, with its
        diagnostics (what ``cityrank weights METHOD EDITION`` prints)."""
        dataset = self._dataset(data)
        if method is None:
            if node is not None:
                raise CityrankError("weights: node= goes with a method (the weights of a node's children)")
            weights, diagnostics = engine.resolve_weights(self.spec, self.registry)
            if self.spec.weighting or dataset is not None:
                weights = self._quiet_run(dataset).weights
            return Weighting(weights.values, weights.source, {"expert_diagnostics": diagnostics})
        choice = MethodChoice.parse(method, what="weighting")
        target = self._node(node)
        kids, scores, _ = Result(self._quiet_run(dataset)).children(target)
        weighting, params = engine.resolve(self.registry, "weighting", choice, f"node {target!r}")
        found = call(weighting, tuple(kids), _what=f"node {target!r}", data=scores, **params)
        return Weighting(dict(zip(kids, map(float, found.weights), strict=True)), f"{choice} from the data",
                         dict(found.diagnostics), node=target)

    def show(self) -> dict[str, Any]:
        """What ``cityrank show`` prints (``--format json``): metadata, methods, the weights a
        run uses with their source, the framework tree with each indicator's direction, unit,
        level, source, data coverage and provider, the published results and the cities."""
        spec, registry = self.spec, self.registry
        as_of = spec.meta.get("released") or spec.meta.get("year")
        weighting = self.weights()
        raw, sources, _ = engine.collect_data(spec, registry)
        shares = engine.coverage(spec.framework, raw)
        tree = []
        for depth, el in spec.framework.preorder():
            entry = {"depth": depth, "id": el.id, "name": el.name, "weight": weighting.values[el.id]}
            if isinstance(el, Indicator):
                provider = self._provider(el)
                entry.update(kind="indicator", direction=el.direction, unit=el.unit, source=el.source,
                             coverage=shares[el.id], data_source=sources[el.id] or None,
                             provider=el.provider.name if el.provider else None,
                             measures=provider.description if provider else None,
                             level=el.level or None,
                             year=provider.extra.get("year") if provider else None,
                             later_than_edition=_later(provider.extra.get("year") if provider else None, as_of),
                             levels=list(el.levels), normaliser=str(el.normaliser) if el.normaliser else None,
                             notes=el.notes)
            else:
                entry.update(kind="node", aggregator=str(el.aggregator) if el.aggregator else None)
            tree.append(entry)
        m = spec.methods
        return {
            "id": spec.id, "title": spec.title, "meta": thaw(spec.meta),
            "methods": {k: str(getattr(m, k)) for k in ("imputation", "outliers", "normaliser", "aggregator")}
            | {"tiers": list(m.tiers)},
            "weights_source": weighting.source, "expert_diagnostics": weighting.diagnostics["expert_diagnostics"],
            "framework": tree, "published": thaw(spec.published),
            "cities": [{"id": c.id, "name": c.name, "country": c.country, "geonameid": c.geonameid,
                        "latitude": c.latitude, "longitude": c.longitude} for c in spec.cities],
        }

    def verify(self, *, data: Dataset | str | os.PathLike | None = None, bound: bool = False,
               time_limit: float = 60.0) -> dict[str, Any]:
        """The run compared with the edition's published results (``cityrank verify``): per
        published list, its cities with our rank and whether they are in our corresponding top
        tier, and beside that agreement the baselines on the same list (chance, population
        alone, the best single indicator, each with its hypergeometric p-value); with ``bound``, the most of its cities any non-negative weighting of the
        indicators could put there (each programme given ``time_limit`` seconds)."""
        from .analysis.bound import bound as best_reachable
        from .analysis.published import compare as compare_published

        if not isinstance(bound, bool):
            raise CityrankError(f"bound: expected true or false, not {bound!r}")
        result = self._quiet_run(self._dataset(data))
        facts = compare_published(result)
        if bound:
            for fact, table in zip(facts, self.spec.published.get("top", ()), strict=True):
                fact["bound"] = best_reachable(result, table, time_limit=time_limit)
        return {"edition": self.id, "notes": list(result.notes), "published": thaw(self.spec.published).get("notes"),
                "facts": facts}

    def report(self, *, uncertainty: Uncertainty | str | os.PathLike | None = None, samples: int | None = None,
               seed: int = 0, data: Dataset | str | os.PathLike | None = None) -> str:
        """The self-contained HTML report of a run (``cityrank report``), as text. Rank
        intervals come from ``uncertainty`` (an :class:`Uncertainty` or the path of ``cityrank
        uncertainty --format json``) or from a Monte Carlo of ``samples`` samples run here."""
        from .analysis.compare import profile
        from .analysis.published import compare as compare_published
        from .formats.report import render

        if uncertainty is not None and samples is not None:
            raise CityrankError("give the rank intervals one way: uncertainty (a file) or samples, not both")
        result = self._quiet_run(self._dataset(data))
        rows = self._interval_rows(uncertainty, samples, seed)
        return render(result, uncertainty_rows=rows, profiles=[profile(result, i) for i in result.order()],
                      facts=compare_published(result))

    def plot(self, kind: str, *, top: int = 20, uncertainty: Uncertainty | str | os.PathLike | None = None,
             samples: int = SAMPLES, seed: int = 0):
        """A matplotlib figure (``cityrank plot``): ``bar`` (the ``top`` cities), ``heatmap`` (their
        domain scores), ``map`` or ``intervals`` (rank intervals from ``uncertainty``, else a
        Monte Carlo of ``samples``)."""
        from .formats import charts

        kinds = ("bar", "heatmap", "map", "intervals")
        if kind not in kinds:
            raise CityrankError(f"plot: unknown kind {kind!r} (kinds: {', '.join(kinds)})")
        _count(top, "top", 1)
        if kind == "intervals":
            return charts.intervals(self._interval_rows(uncertainty, samples, seed), top=top)
        result = self._quiet_run()
        return {"bar": lambda: charts.bar(result, top), "heatmap": lambda: charts.heatmap(result, top),
                "map": lambda: charts.scatter_map(result)}[kind]()

    def _interval_rows(self, uncertainty, samples, seed) -> list[dict] | None:
        """Rank-interval rows from an Uncertainty, an uncertainty JSON file, or ``samples``."""
        from .formats import uncertainty_json

        if isinstance(uncertainty, Uncertainty):
            if uncertainty.result.edition.id != self.id:
                raise CityrankError(f"uncertainty: it is for edition {uncertainty.result.edition.id!r}, not {self.id!r}")
            return uncertainty.rows()
        if uncertainty is not None:
            if not isinstance(uncertainty, str | os.PathLike):
                raise CityrankError(f"uncertainty: expected an Uncertainty or the path of its JSON, not {_kind(uncertainty)}")
            return uncertainty_json.read(uncertainty, self.spec)
        if samples is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CityrankWarning)
                return self.uncertainty(samples, seed=seed).rows()
        return None

    def questionnaires(self, *, node: str | None = None, experts: int = 1, kind: str = "ahp") -> dict[str, str | bytes]:
        """One questionnaire per expert on the children of ``node`` (default: the index), as
        files (name → content, a CSV and an XLSX each): every pair on Saaty's 1–9 scale
        (``kind="ahp"``) or a budget-allocation sheet (``"budget"``); ``cityrank experts
        questionnaire`` writes them into a folder."""
        from .formats.questionnaire import questionnaires

        if kind not in ("ahp", "budget"):
            raise CityrankError(f"kind: expected ahp or budget, not {kind!r}")
        _count(experts, "experts", 1)
        target = self._node(node)
        kids = self.spec.framework.children(target)
        if len(kids) < 2:
            raise CityrankError(f"node {target!r} has fewer than two children: nothing to compare")
        return questionnaires(self.title, target, kids, experts, kind)

    def _node(self, node: str | None) -> str:
        """The node ``node`` names (the index when None), or one error listing the nodes."""
        fw = self.spec.framework
        target = node or fw.root.id
        if not isinstance(target, str) or target not in {n.id for n in fw.nodes}:
            raise CityrankError(f"node: unknown node {target!r} (nodes: {', '.join(n.id for n in fw.nodes)})")
        return target

    def _provider(self, indicator: Indicator):
        """The registered provider of an indicator, or None (none named, or not installed)."""
        return None if indicator.provider is None else self.registry.find("indicator", indicator.provider.name)

    def _quiet_run(self, data: Dataset | None = None) -> RunResult:
        """A run with the edition's defaults whose notes are not warned (the caller says what it needs)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CityrankWarning)
            return self.run(data=data).result

    def framework(self):
        """The tree: one row per node and indicator, with its depth, parent, kind and local
        weight: as the edition gives it, expert panels turned into weights, and the weights an
        edition computes from its data (``[weights] method``, ``[weights.nodes]``) as a run with
        the edition's defaults computes them (so the data must allow a run)."""
        fw = self.spec.framework
        w = self.weights().values
        rows = fw.preorder()
        return _table({"name": [e.name for _, e in rows], "depth": [d for d, _ in rows],
                       "parent": [e.parent or "" for _, e in rows],
                       "kind": ["indicator" if hasattr(e, "direction") else "node" for _, e in rows],
                       "weight": [w.get(e.id, math.nan) for _, e in rows]}, [e.id for _, e in rows])

    def __repr__(self) -> str:
        return f"<cityrank edition {self.id}: {len(self.cities)} cities, {len(self.indicators)} indicators>"

    def _repr_html_(self) -> str:
        fw = self.spec.framework
        items = "".join(f"<li style='margin-left:{d}em'>{html.escape(e.name)} <code>{html.escape(e.id)}</code></li>"
                        for d, e in fw.preorder())
        return (f"<p><b>{html.escape(self.title)}</b> (<code>{html.escape(self.id)}</code>): "
                f"{len(self.cities)} cities, {len(self.indicators)} indicators</p><ul>{items}</ul>")


# --- results -------------------------------------------------------------------------------


class Weighting:
    """Weights (``values``: id → local weight), where they come from (``source``), what the
    method found (``diagnostics``: eigenvalues, loadings, experts' consistency…) and, for a
    data weighting, the ``node`` whose children it weighs."""

    def __init__(self, values: Mapping[str, float], source: str, diagnostics: Mapping[str, Any],
                 node: str | None = None):
        self.values = dict(values)
        self.source = source
        self.diagnostics = dict(diagnostics)
        self.node = node

    def table(self):
        """One row per id: its weight."""
        return _table({"weight": list(self.values.values())}, list(self.values), "id")

    def __repr__(self) -> str:
        shown = ", ".join(f"{k} {v:.3g}" for k, v in list(self.values.items())[:6])
        more = f", … {len(self.values) - 6} more" if len(self.values) > 6 else ""
        return f"<cityrank weights ({self.source}): {shown}{more}>"

    def _repr_html_(self) -> str:
        caption = f"<p>weights: {html.escape(self.source)}" + \
            (f" (children of <code>{html.escape(self.node)}</code>)" if self.node else "") + "</p>"
        return caption + Table({"weight": list(self.values.values())}, list(self.values), "id")._repr_html_()



class Result:
    """One run: :meth:`table`, :meth:`stage`, :meth:`stats`; the engine's record is :attr:`result`."""

    def __init__(self, result: RunResult):
        self.result = result

    @property
    def edition(self) -> Spec:
        return self.result.edition

    @property
    def notes(self) -> tuple[str, ...]:
        return self.result.notes

    def table(self):
        """Per city, in rank order: name, country, score, rank, tier, each domain's score and
        rank; ranks are whole numbers, missing for a city without one (see :class:`Table`)."""
        return _frame(self._as_table())

    def _as_table(self) -> Table:
        r = self.result
        order = r.order()
        columns: dict[str, Any] = {
            "name": [r.cities[i].name for i in order], "country": [r.cities[i].country for i in order],
            "score": r.scores[order, 0], "rank": _ranks(r.ranks[order, 0]), "tier": [r.tiers[i] for i in order],
        }
        for k, node in enumerate(r.nodes[1:], start=1):
            columns[f"{node}_score"] = r.scores[order, k]
            columns[f"{node}_rank"] = _ranks(r.ranks[order, k])
        return Table(columns, [r.cities[i].id for i in order], "city")

    def stage(self, name: str = "normalised"):
        """The indicator data, cities × indicators, at one stage: raw, denominated, transformed,
        imputed, treated (after outlier treatment) or normalised."""
        if name not in self.result.stages:
            raise CityrankError(f"unknown stage {name!r} (stages: {', '.join(STAGES)})")
        values = self.result.stages[name]
        ids = self.edition.framework.indicator_ids
        return _table({ind: values[:, j] for j, ind in enumerate(ids)}, [c.id for c in self.result.cities], "city")

    def children(self, node: str | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The children of ``node`` (default: the index): their ids, their scores ``(N, k)`` in
        the run's city order (normalised indicators, or aggregated sub-domains) and their local
        weights ``(k,)``: what a method that ranks a node's cities on its children works on."""
        r = self.result
        fw = r.edition.framework
        target = node or fw.root.id
        if target not in r.nodes:
            raise CityrankError(f"node: unknown node {target!r} (nodes: {', '.join(r.nodes)})")
        kids = [c.id for c in fw.children(target)]
        columns = {i.id: r.indicator_scores[:, j] for j, i in enumerate(fw.indicators)} | \
                  {n: r.scores[:, k] for k, n in enumerate(r.nodes)}
        return kids, np.column_stack([columns[k] for k in kids]), np.array([r.weights.values[k] for k in kids])

    def audit(self):
        """The statistical audit (``cityrank audit``): correlations of each child with its
        aggregate, Cronbach's alpha and the first principal component's share per aggregate,
        coverage, and flags, each explained (:class:`cityrank.analysis.audit.Audit`)."""
        from .analysis.audit import audit

        return audit(self.result)

    def stats(self):
        """Per indicator: coverage, then min, max, mean, sd, skewness and kurtosis before (the
        data as given: raw, or divided by its ``denominator``; missing values left out) and
        after (what the normaliser receives: transformed, imputed and outlier-treated), and
        what happened in between (``treatment``)."""
        return _table(*indicator_stats(self.result), "indicator")

    def __repr__(self) -> str:
        r = self.result
        ranked = int(np.count_nonzero(~np.isnan(r.ranks[:, 0])))
        text = f"<cityrank result {self.edition.id}: {ranked} of {len(r.cities)} cities ranked"
        if ranked:
            best = r.order()[0]
            text += f", first {r.cities[best].name} ({r.scores[best, 0]:.4g})"
        notes = len(self.notes)
        return text + (f", {notes} {'note' if notes == 1 else 'notes'}>" if notes else ">")

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return self._as_table()._repr_html_() + (f"<ul>{notes}</ul>" if notes else "")


def indicator_stats(result: RunResult) -> tuple[dict[str, list], list[str]]:
    """The columns and row labels of :meth:`Result.stats`.

    "Before" is the data as the user gave it (the ``denominated`` stage: raw, or divided by
    the denominator), not the log-transformed data the outlier method sees: as in COINr, where
    a log is one of the treatments, so what "before" shows is the indicator a user knows, and
    ``treatment`` names every step between it and "after" (the ``treated`` stage)."""
    from .methods.outliers import skew_kurt

    fw = result.edition.framework
    columns: dict[str, list] = {"coverage": []}
    for when in ("before", "after"):
        for stat in ("min", "max", "mean", "sd", "skew", "kurt"):
            columns[f"{stat}_{when}"] = []
    columns["treatment"] = []
    details = list(result.treatment) + [{}] * (len(fw.indicators) - len(result.treatment))
    for j, ind in enumerate(fw.indicators):
        columns["coverage"].append(result.coverage[ind.id])
        for when, stage in (("before", "denominated"), ("after", "treated")):
            col = result.stages[stage][:, j]
            present = col[~np.isnan(col)]
            skew, kurt = skew_kurt(col)
            sd = math.nan
            if len(present) > 1:  # scaled: ±1e300 cannot overflow
                scale = float(np.abs(present).max())
                sd = scale * float((present / scale).std(ddof=1)) if scale > 0 else 0.0
            values = (present.min(), present.max(), present.mean(), sd, skew, kurt) if len(present) else (math.nan,) * 6
            for stat, v in zip(("min", "max", "mean", "sd", "skew", "kurt"), values, strict=True):
                columns[f"{stat}_{when}"].append(float(v))
        imputed = int(np.count_nonzero(np.isnan(result.stages["transformed"][:, j])
                                       & ~np.isnan(result.stages["imputed"][:, j])))
        columns["treatment"].append(treatment_text(details[j], transform=ind.transform, imputed=imputed))
    return columns, list(fw.indicator_ids)


def treatment_text(detail: Mapping, *, transform: str | None = None, imputed: int = 0) -> str:
    """What happened to one indicator between its data and its normalisation, in words: the
    edition's transform, how many values were imputed, what the outlier treatment did."""
    detail = dict(detail or {})
    steps = [f"transform {transform}"] if transform else []
    if imputed:
        steps.append(f"{imputed} imputed")
    if not detail:
        pass
    elif detail.get("passed"):
        steps.append("outliers: passed (no treatment)")
    elif detail.get("logged"):
        steps.append("outliers: log-transformed")
    elif detail.get("winsorised"):
        steps.append(f"outliers: winsorised {detail['winsorised']} point(s)")
    else:
        steps.append(f"outliers: {plain_text(detail)}")
    return "; ".join(steps) or "none"


class _Sampled:
    """What the Monte Carlo analyses' results share: the analysis record (:attr:`result`),
    its notes, and an HTML view of the notes above the table."""

    def __init__(self, result):
        self.result = result

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(self.result.notes)

    def _counted_notes(self) -> str:
        n = len(self.result.notes)
        return f", {n} {'note' if n == 1 else 'notes'}" if n else ""

    def _as_table(self) -> Table:
        raise NotImplementedError

    def table(self):
        return _frame(self._as_table())

    def _repr_html_(self) -> str:
        return _notes_html(self.notes) + self._as_table()._repr_html_()


class Uncertainty(_Sampled):
    """A Monte Carlo's rank statistics (:meth:`Edition.uncertainty`): per city the nominal rank
    (a whole number, missing for a city without one), median, 5 % and 95 % ranks and mean rank
    (statistics of ranks: interpolated, so not always whole), share of samples in the top."""

    def rows(self) -> list[dict]:
        """Per city, in nominal rank order: what ``cityrank uncertainty --format json`` lists."""
        return self.result.rows()

    def info(self) -> dict[str, Any]:
        """What was sampled: edition, samples, seed, top share, the assumptions that vary, the
        rank resolution (1: exact quantiles) and the notes."""
        r = self.result
        return {"edition": r.edition.id, "samples": r.samples, "seed": r.seed, "top": r.top,
                "assumptions": r.assumptions.describe(), "rank_resolution": r.resolution, "notes": list(r.notes)}

    def _as_table(self) -> Table:
        return _rows_table(self.rows(), ranks=("nominal_rank",))

    def __repr__(self) -> str:
        r = self.result
        return (f"<cityrank uncertainty {r.edition.id}: {len(r.nominal)} cities, {r.samples} samples, seed {r.seed}, "
                f"varying {_varying(r.assumptions)}{self._counted_notes()}>")


class Sensitivity(_Sampled):
    """Sensitivity indices (:meth:`Edition.sensitivity`): per varying assumption, first-order
    and total index with the bounds of their intervals."""

    def __init__(self, result, assumptions):
        super().__init__(result)
        self.assumptions = assumptions

    def rows(self) -> list[dict]:
        """Per varying assumption: first-order and total index with their intervals."""
        return self.result.rows()

    def info(self) -> dict[str, Any]:
        r = self.result
        return {"edition": r.edition.id, "base_samples": r.base_samples, "runs": r.runs, "seed": r.seed,
                "confidence": r.confidence, "assumptions": self.assumptions.describe()}

    def _as_table(self) -> Table:
        rows = [{"id": r["assumption"], "first_order": r["first_order"], "first_order_lo": r["first_order_ci"][0],
                 "first_order_hi": r["first_order_ci"][1], "total": r["total"], "total_lo": r["total_ci"][0],
                 "total_hi": r["total_ci"][1]} for r in self.rows()]
        return _rows_table(rows, "assumption")

    def __repr__(self) -> str:
        r = self.result
        return (f"<cityrank sensitivity {r.edition.id}: {', '.join(r.factors) or 'nothing'} varying, "
                f"{r.base_samples} base samples, {r.runs} runs, seed {r.seed}{self._counted_notes()}>")


class Acceptability(_Sampled):
    """SMAA-2 rank acceptability (:meth:`Edition.acceptability`): per city the acceptability of
    the first ranks, the shares first and in the top, the confidence factor and the central
    weights of its firsts; the nominal rank is a whole number (missing for none)."""

    def rows(self, ranks: int = 10) -> list[dict]:
        """Per city, in nominal rank order: the acceptability of ranks 1 … ``ranks``, the shares
        first and in the top, the confidence factor and the central weights of its firsts."""
        return self.result.rows(ranks)

    def info(self) -> dict[str, Any]:
        r = self.result
        return {"edition": r.edition.id, "samples": r.samples, "seed": r.seed, "top": r.top,
                "assumptions": r.assumptions.describe(), "rank_resolution": r.resolution, "notes": list(r.notes)}

    def table(self, ranks: int = 10):
        """Per city, as :meth:`rows`."""
        return _frame(self._as_table(ranks))

    def _as_table(self, ranks: int = 10) -> Table:
        return _rows_table(self.rows(ranks), ranks=("nominal_rank",))

    def __repr__(self) -> str:
        r = self.result
        return (f"<cityrank acceptability {r.edition.id}: {len(r.nominal)} cities, {r.samples} samples, seed {r.seed}, "
                f"varying {_varying(r.assumptions)}{self._counted_notes()}>")


def _rows_table(rows: list[dict], index_name: str = "city", ranks: Iterable[str] = ()) -> Table:
    """A table of rows (dicts with an ``id``); None is NaN, or a missing rank in ``ranks``."""
    keys = [k for k in rows[0] if k != "id"] if rows else []
    ranks = set(ranks)
    return Table({k: _ranks([r[k] for r in rows]) if k in ranks else [math.nan if r[k] is None else r[k] for r in rows]
                  for k in keys}, [r["id"] for r in rows], index_name)


def _varying(assumptions) -> str:
    """What a Monte Carlo varies, in a few words: "weights, normaliser"."""
    return ", ".join(assumptions.factors()) or "nothing"


def _notes_html(notes) -> str:
    return f"<ul>{''.join(f'<li>{html.escape(n)}</li>' for n in notes)}</ul>" if notes else ""


def _of(progress, total: int):
    """``progress(n, total)`` as the analyses call it, ``progress(n)``; None stays None."""
    if progress is None:
        return None
    if not callable(progress):
        raise CityrankError(f"progress: expected a function progress(n, total), not {_kind(progress)}")
    return lambda n: progress(n, total)


def json_text(data: Any) -> str:
    """Data as the commands write JSON: always valid (NaN and infinities are null), UTF-8 text
    with a final newline, the first two levels one item a line. For plugins' commands."""
    from .formats.output import to_json_text

    return to_json_text(data)


def _later(data_date, edition_date) -> bool | None:
    """Whether data dated ``data_date`` (a provider's year or ISO date) are of a later date than
    the edition (its release date or year); None when either is not a date."""
    a, b = str(data_date or ""), str(edition_date or "")
    if not (re.match(r"\d{4}", a) and re.match(r"\d{4}", b)):
        return None
    return a[:4] > b[:4] or (a[:4] == b[:4] and len(a) >= 7 and len(b) >= 7 and a[:10] > b[:10])


def _count(value, what: str, least: int) -> None:
    """A whole number of at least ``least`` (True is not one sample)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise CityrankError(f"{what}: expected a whole number of at least {least}, not {value!r}")


def _flag(value, what: str) -> bool:
    """A yes or no (True or False, not a string that would read as yes)."""
    if not isinstance(value, bool | np.bool_):
        raise CityrankError(f"{what}: expected True or False, not {value!r}")
    return bool(value)


def _client(cluster: str | None, client, workers: int | None):
    """The Dask client to run samples on: ``client`` as given, or one connected to ``cluster``
    (``"local"`` or a scheduler's address) for the duration; none for this process."""
    from contextlib import nullcontext

    if cluster is None:
        return nullcontext(client)
    if client is not None:
        raise CityrankError("give cluster= or client=, not both")
    if not isinstance(cluster, str) or not cluster.strip():
        raise CityrankError(f"cluster: expected 'local' or a scheduler address such as tcp://host:8786, not {cluster!r}")
    from .analysis.cluster import connect

    return connect(cluster, workers)


def _alternatives(value, what: str):
    """Methods to sample among: a list (names, ``"name:key=value"`` or tables) or one string
    of them separated by ``;`` (as on the command line); None keeps the edition's."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise CityrankError(f"{what}: expected a list of methods or one string 'a;b', not {_kind(value)}")
    return list(value)


def comparison(a: Result, b: Result) -> dict[str, Any]:
    """What ``cityrank compare`` writes: the cities of both runs (paired as :func:`matched`
    says) with rank and score in each, their changes (B − A) and each shared domain's ranks,
    and how many cities are in only one."""
    from .analysis.compare import compare_results

    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, Result):
            raise CityrankError(f"comparison: {name} must be the Result of Edition.run(), not {_kind(value)}")
    return compare_results(a.result, b.result)


def compare(a: Result, b: Result):
    """Cities of both runs (matched as :func:`matched` says): rank and score in each, and the
    change from ``a`` to ``b`` (a positive rank change is a move up); a warning when they
    have no city in common. ``cityrank compare`` gives the same pairs."""
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, Result):
            raise CityrankError(f"compare: {name} must be the Result of Edition.run(), not {_kind(value)}")
    pairs = matched(a.result.cities, b.result.cities)
    ids, columns = [], {"name": [], "rank_a": [], "rank_b": [], "rank_change": [], "score_a": [], "score_b": []}
    for i in a.result.order():
        if i not in pairs:
            continue
        city, j = a.result.cities[i], pairs[i]
        ra, sa = a.result.ranks[i, 0], a.result.scores[i, 0]
        rb, sb = b.result.ranks[j, 0], b.result.scores[j, 0]
        ids.append(city.id)
        for key, value in (("name", city.name), ("rank_a", ra), ("rank_b", rb), ("rank_change", ra - rb),
                           ("score_a", sa), ("score_b", sb)):
            columns[key].append(value)
    if not ids:
        warnings.warn(f"{a.edition.id} and {b.edition.id} have no city in common: nothing to compare",
                      CityrankWarning, stacklevel=2)
    for key in ("rank_a", "rank_b", "rank_change"):  # whole numbers, missing where a run ranks it not
        columns[key] = _ranks(columns[key])
    return _table(columns, ids, "city")



# --- a city across the installed editions ----------------------------------------------------

#: the region an edition adds to tell same-named cities apart, "Suzhou (Jiangsu)"
_REGION = re.compile(r"\s*\([^()]*\)$")


def _folded(text: str) -> str:
    """A name as a reader may type it: case and accents aside (São Paulo = sao paulo)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def city(name: str, *, registry: Registry | None = None) -> list[dict]:
    """The city called ``name`` (or with that id) in every installed edition, as ``cityrank
    city`` shows it: rank overall and per domain, tier, strongest and weakest indicators. A name
    matches the cities an edition tells apart by their region too (Suzhou: Suzhou (Jiangsu) and
    Suzhou (Anhui)), case and accents aside. An edition that cannot load or rank is skipped
    with a warning."""
    from .analysis.compare import profile

    reg = registry or get_registry()
    wanted = _folded(name)

    def names(c):
        full = _folded(c.name)
        return full, _REGION.sub("", full), _folded(c.id)

    out = []
    for method in reg.methods("edition"):
        try:  # one installed edition that cannot load or rank does not hide the others
            ed = load(method.id, registry=reg)
            hits = [i for i, c in enumerate(ed.cities) if wanted in names(c)]
            if not hits:
                continue
            result = ed._quiet_run()
        except CityrankError as exc:
            warnings.warn(f"edition {method.id!r} (plugin {method.plugin!r}) skipped: {exc}", CityrankWarning,
                          stacklevel=2)
            continue
        out += [profile(result, i) for i in hits]
    return out


def close_city_names(name: str, most: int = 5, *, registry: Registry | None = None) -> list[str]:
    """The installed editions' city names closest to ``name`` (for a name that matched none)."""
    import difflib

    reg = registry or get_registry()
    names = {}
    for method in reg.methods("edition"):
        try:
            names.update((_folded(c.name), c.name) for c in load(method.id, registry=reg, with_data=False).cities)
        except CityrankError:
            continue
    return [names[k] for k in difflib.get_close_matches(_folded(name), sorted(names), n=most, cutoff=0.75)]


def cache_info() -> dict[str, Any]:
    """The cache of provider results and parsed data, as ``cityrank cache`` shows it: its folder
    (``place``), whether results are cached (``enabled``: not under ``CITYRANK_CACHE=0``), and
    its ``files`` and ``bytes`` in all and per part (``parts``: provider results, parsed data)."""
    from . import derived

    return derived.cache_usage()


def clear_cache() -> dict[str, Any]:
    """Remove every file cityrank wrote in the cache folder (nothing else there); the ``place``
    and the ``files`` and ``bytes`` removed. A file that cannot be removed is a
    :class:`CityrankError` naming it."""
    from . import derived

    try:
        return derived.clear_cache()
    except OSError as exc:
        raise CityrankError(f"cannot clear the cache: {exc.filename}: {exc.strerror}") from None
