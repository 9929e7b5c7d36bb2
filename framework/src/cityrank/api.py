"""The Python API: load an edition, run it with other choices, look at every stage, compare.

::

    import cityrank
    ed = cityrank.load("path/to/edition.toml")     # or an installed edition's id
    res = ed.run(normaliser="rank", weights={"a_domain": 2})
    res.table()                                      # city, country, score, rank, tier, domains
    res.stage("normalised")                          # cities × indicators at any stage
    res.stats()                                      # per indicator, before and after treatment
    ed.uncertainty(samples=1000, seed=1).table()
    cityrank.compare(res, ed.run(drop=["an_indicator"]))

Tables are pandas DataFrames when pandas is installed (``pip install 'cityrank[pandas]'``),
else :class:`Table` (numpy columns with labels; ``.to_pandas()`` says what to install). The
API never prints: what a run has to say comes as :class:`CityrankWarning`, which a notebook
can filter; errors are :class:`cityrank.errors.CityrankError`. The CLI is a user of this
module, so the same inputs give the same numbers here and there.
"""

from __future__ import annotations

import html
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import engine
from .errors import CityrankError, SpecError
from .model import Dataset, MethodChoice, plain_text
from .model import Edition as Spec
from .model import Result as RunResult
from .plugins import Registry, get_registry

STAGES = ("raw", "denominated", "transformed", "imputed", "treated", "normalised")


class CityrankWarning(UserWarning):
    """Something a result should be read with (a domain without data, a tie across a cut…)."""


# --- tables --------------------------------------------------------------------------------


class Table:
    """Named columns of equal length (numpy arrays), with row labels: what a table method
    returns when pandas is not installed."""

    def __init__(self, columns: Mapping[str, Any], index: Iterable[str], index_name: str = "id"):
        self.columns = {k: np.asarray(v) for k, v in columns.items()}
        self.index = list(index)
        self.index_name = index_name

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    def __len__(self) -> int:
        return len(self.index)

    def to_numpy(self) -> np.ndarray:
        """The numeric columns as one float array ``(rows, columns)``."""
        return np.column_stack([v.astype(np.float64) for v in self.columns.values() if v.dtype.kind in "biuf"])

    def to_pandas(self):
        try:
            import pandas as pd
        except ImportError:
            raise CityrankError("this needs pandas: pip install 'cityrank[pandas]'") from None
        return pd.DataFrame(self.columns, index=pd.Index(self.index, name=self.index_name))

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
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None else str(value)


def _table(columns: Mapping[str, Any], index, index_name="id"):
    """A DataFrame when pandas is installed, else a :class:`Table`."""
    table = Table(columns, index, index_name)
    try:
        import pandas  # noqa: F401
    except ImportError:
        return table
    return table.to_pandas()


# --- editions ------------------------------------------------------------------------------


def edition_path(name: str | os.PathLike, registry: Registry) -> Path:
    """An installed edition's id, or the path of an edition.toml (or of its folder).

    A bare name (no ``/``, no ``.toml``) is an installed edition's id first, so that a folder
    of the same name (``cityrank new edition sco-2025`` writes one) does not shadow it."""
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
            known = ", ".join(m.id for m in editions) or "none installed"
            raise CityrankError(f"unknown edition {text!r} (installed: {known}; or give the path of an edition.toml)")
    if not candidate.exists():
        raise SpecError("file not found", file=candidate)
    if candidate.is_dir() and not (candidate / "edition.toml").is_file():
        raise SpecError("this folder has no edition.toml", file=candidate)
    return candidate


def load(edition: str | os.PathLike, *, registry: Registry | None = None) -> Edition:
    """An edition by its installed id or the path of its edition.toml (or folder)."""
    from .formats.spec import load_edition

    if not isinstance(edition, str | os.PathLike):
        raise CityrankError(f"load: expected an edition id or the path of an edition.toml, not {_kind(edition)}")
    reg = registry or get_registry()
    return Edition(load_edition(edition_path(edition, reg)), reg)


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
    """An edition ready to run: its spec (:attr:`spec`, a :class:`cityrank.model.Edition`)
    and the registry of methods it runs with."""

    def __init__(self, spec: Spec, registry: Registry | None = None):
        self.spec = spec
        self.registry = registry or get_registry()

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
        from .formats.spec import read_data

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

    def uncertainty(self, samples: int, *, seed: int = 0, normalisers=None, aggregators=None, imputations=None,
                    weight_noise: str | None = None, concentration: float = 50.0, spread: float = 0.25,
                    top: float = 0.1, data=None, workers: int | None = None) -> Uncertainty:
        """Monte Carlo over weights and method alternatives (see ``cityrank uncertainty``)."""
        from .analysis import uncertainty

        assumptions = self._assumptions(normalisers, aggregators, imputations, weight_noise, concentration, spread)
        dataset = self._dataset(data)
        result = uncertainty(self.spec, self.registry, samples=samples, seed=seed, assumptions=assumptions,
                             data=dataset, top=top, workers=workers)
        for note in result.notes:
            warnings.warn(note, CityrankWarning, stacklevel=2)
        return Uncertainty(result)

    def acceptability(self, samples: int, *, seed: int = 0, normalisers=None, aggregators=None, imputations=None,
                      weight_noise: str | None = None, concentration: float = 50.0, spread: float = 0.25,
                      top: float = 0.1, data=None, ranks: int = 10):
        """SMAA-2 (see ``cityrank acceptability``): per city the rank acceptability of ranks 1 …
        ``ranks``, the share of samples first and in the top, the confidence factor and the
        central weights of its firsts, as a table."""
        from .analysis import acceptability

        assumptions = self._assumptions(normalisers, aggregators, imputations, weight_noise, concentration, spread)
        dataset = self._dataset(data)
        rows = acceptability(self.spec, self.registry, samples=samples, seed=seed, assumptions=assumptions,
                             data=dataset, top=top).rows(ranks)
        keys = [k for k in rows[0] if k != "id"]
        return _table({k: [math.nan if r[k] is None else r[k] for r in rows] for k in keys}, [r["id"] for r in rows],
                      "city")

    def _assumptions(self, normalisers, aggregators, imputations, weight_noise, concentration, spread):
        from .analysis import Assumptions, WeightNoise

        noise = None if weight_noise is None else WeightNoise(weight_noise, concentration, spread)
        return Assumptions.for_edition(self.spec, normalisers=_alternatives(normalisers, "normalisers"),
                                       aggregators=_alternatives(aggregators, "aggregators"),
                                       imputations=_alternatives(imputations, "imputations"), weights=noise)

    def framework(self):
        """The tree: one row per node and indicator, with its depth, parent, kind and local
        weight: as the edition gives it, expert panels turned into weights, and the weights an
        edition computes from its data (``[weights] method``, ``[weights.nodes]``) as a run with
        the edition's defaults computes them (so the data must allow a run)."""
        fw = self.spec.framework
        if self.spec.weighting:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CityrankWarning)
                w = self.run().result.weights.values
        else:
            w = engine.resolve_weights(self.spec, self.registry)[0].values
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
        """Per city, in rank order: name, country, score, rank, tier, each domain's score and rank."""
        r = self.result
        order = r.order()
        columns: dict[str, Any] = {
            "name": [r.cities[i].name for i in order], "country": [r.cities[i].country for i in order],
            "score": r.scores[order, 0], "rank": r.ranks[order, 0], "tier": [r.tiers[i] for i in order],
        }
        for k, node in enumerate(r.nodes[1:], start=1):
            columns[f"{node}_score"] = r.scores[order, k]
            columns[f"{node}_rank"] = r.ranks[order, k]
        return _table(columns, [r.cities[i].id for i in order], "city")

    def stage(self, name: str = "normalised"):
        """The indicator data, cities × indicators, at one stage: raw, denominated, transformed,
        imputed, treated (after outlier treatment) or normalised."""
        if name not in self.result.stages:
            raise CityrankError(f"unknown stage {name!r} (stages: {', '.join(STAGES)})")
        values = self.result.stages[name]
        ids = self.edition.framework.indicator_ids
        return _table({ind: values[:, j] for j, ind in enumerate(ids)}, [c.id for c in self.result.cities], "city")

    def stats(self):
        """Per indicator: coverage, then min, max, mean, sd, skewness and kurtosis before
        (imputed data) and after outlier treatment, and what the treatment did."""
        return _table(*indicator_stats(self.result), "indicator")

    def __repr__(self) -> str:
        ranked = sum(1 for t in self.result.tiers if t)
        return f"<cityrank result {self.edition.id}: {ranked} {'city' if ranked == 1 else 'cities'} ranked>"

    def _repr_html_(self) -> str:
        t = self.table()
        table = t if isinstance(t, Table) else Table({c: t[c].to_numpy() for c in t.columns}, t.index, "city")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return table._repr_html_() + (f"<ul>{notes}</ul>" if notes else "")


def indicator_stats(result: RunResult) -> tuple[dict[str, list], list[str]]:
    """The columns and row labels of :meth:`Result.stats`."""
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
        for when, stage in (("before", "imputed"), ("after", "treated")):
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
        columns["treatment"].append(treatment_text(details[j]))
    return columns, list(fw.indicator_ids)


def treatment_text(detail: Mapping) -> str:
    """What an outlier treatment did to one indicator, in words."""
    detail = dict(detail or {})
    if not detail:
        return "none"
    if detail.get("passed"):
        return "passed (no treatment)"
    if detail.get("logged"):
        return "log-transformed"
    if detail.get("winsorised"):
        return f"winsorised {detail['winsorised']} point(s)"
    return plain_text(detail)


class Uncertainty:
    """A Monte Carlo's rank statistics; the analysis record is :attr:`result`."""

    def __init__(self, result):
        self.result = result

    def table(self):
        """Per city: nominal, median, 5 % and 95 % ranks, mean rank, share of samples in the top."""
        rows = self.result.rows()
        keys = [k for k in rows[0] if k != "id"] if rows else []
        return _table({k: [r[k] if r[k] is not None else math.nan for r in rows] for k in keys},
                      [r["id"] for r in rows], "city")

    def _repr_html_(self) -> str:
        t = self.table()
        return (t if isinstance(t, Table) else Table({c: t[c].to_numpy() for c in t.columns}, t.index, "city"))._repr_html_()


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


def matched(cities_a, cities_b) -> dict[int, int]:
    """Which city of ``cities_b`` each city of ``cities_a`` is (position → position): the same
    GeoNames id, or for a city without one the same name (case aside) and country. Editions
    name a city by different ids; a run and its what-if by the same."""
    def key(city):
        return ("geonameid", city.geonameid) if city.geonameid else ("name", city.name.casefold(), city.country)

    index_b = {key(c): j for j, c in enumerate(cities_b)}
    return {i: index_b[key(c)] for i, c in enumerate(cities_a) if key(c) in index_b}


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
    return _table(columns, ids, "city")
