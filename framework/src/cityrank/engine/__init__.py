"""The ranking pipeline: check data → transform → impute → treat outliers → normalise →
aggregate up the tree → rank → tiers.

Every stage is a registered method chosen by the edition (defaults in ``[methods]``,
per-node aggregators, per-indicator normalisers) or by the caller. A caller's choice replaces
the edition's default; a node's or indicator's own choice (a ladder, goalposts) stands.
The normalise and aggregate stages are batched so that analysis can evaluate many variants
in one call (see :func:`aggregate_tree`).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from ..errors import DataError, MethodError, SpecError
from ..formats.spec import expert_judgments
from ..formats.weightsfile import apply_weights_file, apply_weights_mapping
from ..model import Dataset, Framework, MethodChoice, Result, Spec, Weights, hand_over, plain_text, thaw
from ..plugins import Method, Registry, call
from ..ranking import min_ranks, tiers
from . import cache as provider_cache
from . import notes as run_notes
from .notes import counted  # noqa: F401 - the analyses count cities in words as the notes do


@attrs.frozen
class Choices:
    """Method overrides from the caller (``None`` keeps the edition's default)."""

    imputation: MethodChoice | None = None
    outliers: MethodChoice | None = None
    normaliser: MethodChoice | None = None
    aggregator: MethodChoice | None = None


def resolve(registry: Registry, kind: str, choice: MethodChoice, what: str = "") -> tuple[Method, dict]:
    """Look a method up and check the parameters against its signature."""
    method = registry.get(kind, choice.name)
    params = choice.kwargs()
    try:
        sig = inspect.signature(method.function)
    except (TypeError, ValueError):
        return method, params
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    positional = {"x", "direction", "scores", "weights", "items", "cities", "groups"}
    names = [n for n in sig.parameters if n not in positional and sig.parameters[n].kind is not inspect.Parameter.VAR_KEYWORD]
    where = f" ({what})" if what else ""
    if not accepts_any:
        for key in params:
            if key not in names:
                raise MethodError(f"{kind} {choice.name!r}{where} has no parameter {key!r} "
                                  f"(parameters: {', '.join(names) or 'none'})")
    for key, value in params.items():  # a parameter whose default is a number or true/false takes one
        default = sig.parameters[key].default if key in sig.parameters else inspect.Parameter.empty
        if isinstance(default, bool) and not isinstance(value, bool):
            raise MethodError(f"{kind} {choice.name!r}{where}: {key} must be true or false, not {plain_text(value)!r}")
        if (isinstance(default, int | float) and not isinstance(default, bool)
                and isinstance(value, bool | str | Mapping)):
            raise MethodError(f"{kind} {choice.name!r}{where}: {key} must be a number, not {plain_text(value)!r}")
    return method, params


def _accepts(method: Method, name: str) -> bool:
    try:
        return name in inspect.signature(method.function).parameters
    except (TypeError, ValueError):
        return False


def _record(stage: str, target: str, method: Method, params: Mapping) -> dict[str, Any]:
    """What was run, with every parameter in effect (defaults included)."""
    effective = {k: v for k, v in thaw(method.params).items() if v is not None and k != "levels"}
    effective.update(thaw(params))
    return {"stage": stage, "target": target, "method": method.id, "params": effective,
            "plugin": method.plugin, "version": method.version}


# --- weights -----------------------------------------------------------------------------


def resolve_weights(edition: Spec, registry: Registry, weights_file=None) -> tuple[Weights, list[dict]]:
    """The edition's weights, with expert judgments turned into weights and the overrides of
    ``weights_file`` (a CSV path, or a mapping ``{id: weight}``)."""
    values = dict(edition.weights.values)
    source = edition.weights.source
    diagnostics = []
    for kind, node, items, params in expert_judgments(edition):
        method, _ = resolve(registry, "weighting", MethodChoice(kind))
        try:
            result = call(method, tuple(items), _what=f"the expert judgments for {node!r}", **params)
        except MethodError as exc:  # point at the table in the edition's file
            raise SpecError(f"[[experts.{kind}]] for node {node!r}: {exc.message}", file=edition.path) from None
        values.update(zip(items, map(float, result.weights), strict=True))
        diagnostics.append({"node": node, **result.diagnostics})
        source = "expert panel"
    return override_weights(Weights(values, source), edition.framework, weights_file), diagnostics


def override_weights(weights: Weights, framework: Framework, given=None, dropped=()) -> Weights:
    """``weights`` with the overrides of ``given``: a CSV path, a mapping ``{id: weight}`` or None;
    the weights it gives indicators ``dropped`` from the edition are not used."""
    if isinstance(given, Mapping):
        return apply_weights_mapping(weights, framework, given, ignore=dropped)
    if given is not None:
        return apply_weights_file(weights, framework, given, ignore=dropped)
    return weights


def data_weights(edition: Spec, registry: Registry, scores: np.ndarray, weights: Weights, aggregators):
    """Weights from the data for the nodes the edition names in ``weighting`` (``"*"``: all),
    bottom-up: a node's children are its indicators' normalised scores or its sub-nodes'
    scores under the weights found below. Returns the weights and the method records."""
    fw = edition.framework
    if not edition.weighting:
        return weights, []
    values, records = dict(weights.values), []
    for node in fw.postorder():
        choice = edition.weighting.get(node.id) or edition.weighting.get("*")
        if choice is None:
            continue
        kids = [c.id for c in fw.children(node.id)]
        if len(kids) < 2:
            continue  # one child: its weight is 1 whatever the data
        current = Weights(values, weights.source)
        node_scores = aggregate_tree(scores, fw, local_weights(fw, current), aggregators)
        column = {i.id: scores[:, j] for j, i in enumerate(fw.indicators)} | \
                 {n.id: node_scores[:, k] for k, n in enumerate(fw.nodes)}
        method, params = resolve(registry, "weighting", choice, f"node {node.id!r}")
        result = call(method, tuple(kids), _what=f"node {node.id!r}",
                      data=np.column_stack([column[k] for k in kids]), **params)
        values.update(zip(kids, map(float, result.weights), strict=True))
        records.append(_record("weighting", node.id, method, params))
    return Weights(values, "from the data: " + ", ".join(sorted({str(c) for c in edition.weighting.values()}))), records


def without(edition: Spec, dropped) -> Spec:
    """The edition without the indicators ``dropped`` (a what-if, as COINr's ``change_ind``):
    out of the framework, the weights and the data. A domain left with nothing is an error."""
    dropped = list(dict.fromkeys(dropped))
    fw = edition.framework
    unknown = [d for d in dropped if d not in fw.indicator_ids]
    if unknown:
        raise MethodError(f"cannot drop {', '.join(map(repr, unknown))}: no such indicator "
                          f"(the edition has: {', '.join(fw.indicator_ids)})")
    if not dropped:
        return edition
    for table in (*edition.experts.get("ahp", ()), *edition.experts.get("budget", ())):
        parents = {i.parent for i in fw.indicators if i.id in dropped}
        if table["node"] in parents:
            raise MethodError(f"cannot drop an indicator of {table['node']!r}: the expert panel weighs its children "
                              "as a whole; give weights instead")
    keep = [i for i in fw.indicators if i.id not in dropped]
    try:
        framework = Framework(fw.nodes, keep)
    except SpecError as exc:
        raise MethodError(f"cannot drop {', '.join(dropped)}: {exc.message}") from None
    weights = Weights({k: v for k, v in edition.weights.values.items() if k not in dropped}, edition.weights.source)
    return attrs.evolve(edition, framework=framework, data=drop_columns(edition.data, dropped), weights=weights)


def drop_columns(data: Dataset | None, dropped) -> Dataset | None:
    """A data set without the columns of the indicators ``dropped``."""
    if data is None:
        return None
    cols = [k for k, ident in enumerate(data.indicator_ids) if ident not in set(dropped)]
    return attrs.evolve(data, indicator_ids=[data.indicator_ids[k] for k in cols], values=data.values[:, cols],
                        sources=[data.sources[k] for k in cols])


def local_weights(framework: Framework, weights: Weights) -> dict[str, np.ndarray]:
    """Each node's children's weights, in :meth:`Framework.children` order, divided by the
    largest (aggregators renormalise; this keeps sums of weights near 1e308 finite)."""
    out = {}
    for n in framework.nodes:
        w = weights.local([c.id for c in framework.children(n.id)])
        top = w.max(initial=0.0)
        out[n.id] = w / top if top > 0 else w
    return out


# --- data --------------------------------------------------------------------------------


def with_providers(edition: Spec, registry: Registry) -> tuple[Spec, list[str]]:
    """The edition with each provider-computed indicator's direction, unit, level and source
    taken from its provider where the edition gives none, and a note for each indicator whose
    own direction contradicts its provider's (the edition's stands). A provider that is not
    installed is left for the run to report."""
    indicators, notes = [], []
    for ind in edition.framework.indicators:
        method = None if ind.provider is None else registry.find("indicator", ind.provider.name)
        if method is None:
            indicators.append(ind)
            continue
        extra, updates = method.extra, {}
        theirs = extra.get("direction")
        if theirs in (1, -1) and theirs != ind.direction:
            if ind.direction_given:
                notes.append(f"indicator {ind.id!r} is ranked {_better(ind.direction)}, as the edition says, "
                             f"but its provider {method.id} measures what is {_better(theirs)}")
            else:
                updates["direction"] = theirs
        for field in ("unit", "level", "source"):
            if not getattr(ind, field) and extra.get(field):
                updates[field] = str(extra[field])
        indicators.append(attrs.evolve(ind, **updates) if updates else ind)
    if all(a is b for a, b in zip(indicators, edition.framework.indicators, strict=True)):
        return edition, notes
    return attrs.evolve(edition, framework=Framework(edition.framework.nodes, indicators)), notes


def _better(direction: int) -> str:
    return "more is better" if direction > 0 else "less is better"



def collect_data(edition: Spec, registry: Registry, data: Dataset | None = None):
    """The raw matrix ``(N, K)`` in framework order, each column's source, and the method records.

    Precedence per indicator: a user's data file, then the edition's data, then the
    indicator's provider; an indicator with none of these has no data (all NaN). A provider
    that declares its data is read from the cache when these exact inputs ran before
    (:mod:`cityrank.engine.cache`).
    """
    fw = edition.framework
    n, ids = len(edition.cities), fw.indicator_ids
    raw = np.full((n, len(ids)), np.nan)
    sources = dict.fromkeys(ids, "")
    records = []
    cities_digest = functools.cache(lambda: _cities_digest(edition.cities))  # once, if a provider is cached
    supplied = {ident for dataset in (edition.data, data) if dataset is not None
                for k, ident in enumerate(dataset.indicator_ids) if not np.all(np.isnan(dataset.values[:, k]))}
    for j, ind in enumerate(fw.indicators):
        if ind.provider is None or ind.id in supplied:  # a data file's column wins: don't compute it
            continue
        method, params = resolve(registry, "indicator", ind.provider, f"indicator {ind.id!r}")
        compute = functools.partial(call, method, edition.cities, _what=f"indicator {ind.id!r}", **params)
        raw[:, j] = provider_cache.provider_values(method, params, edition.cities, cities_digest, compute)
        sources[ind.id] = f"provider {method.id}: {method.extra.get('source', '')}".rstrip(": ")
        records.append(_record("indicator", ind.id, method, params))
    city_ids = edition.city_ids
    position = None
    for dataset in (edition.data, data):
        if dataset is None:
            continue
        if tuple(dataset.city_ids) == city_ids:
            rows = slice(None)
        else:
            position = position or {c: i for i, c in enumerate(city_ids)}
            rows = [position[c] for c in dataset.city_ids]
        for k, ind_id in enumerate(dataset.indicator_ids):
            column = dataset.values[:, k]
            if np.all(np.isnan(column)):
                continue
            j = ids.index(ind_id)
            raw[:, j] = np.nan
            raw[rows, j] = column
            sources[ind_id] = dataset.sources[k]
    return raw, sources, records


def screen(edition: Spec, raw: np.ndarray, min_coverage: float):
    """The edition and raw data without the cities that have data for under ``min_coverage``
    of the indicators with any data (COINr's ``Screen`` by data availability), and the
    cities left out with their coverage."""
    if not min_coverage:
        return edition, raw, ()
    with_data = ~np.isnan(raw).all(axis=0)
    share = (~np.isnan(raw[:, with_data])).mean(axis=1) if with_data.any() else np.zeros(len(raw))
    keep = share >= min_coverage - 1e-12
    if keep.all():
        return edition, raw, ()
    if not keep.any():
        raise MethodError(f"screening (min_coverage {min_coverage:g}) leaves no city")
    dropped = tuple((c.id, float(s)) for c, s, k in zip(edition.cities, share, keep, strict=True) if not k)
    cities = [c for c, k in zip(edition.cities, keep, strict=True) if k]
    ids = [c.id for c in cities]
    data = edition.data
    if data is not None:
        position = {c: k for k, c in enumerate(data.city_ids)}
        data = attrs.evolve(data, city_ids=ids, values=data.values[[position[c] for c in ids]])
    return attrs.evolve(edition, cities=cities, data=data), raw[keep], dropped


def coverage(framework: Framework, raw: np.ndarray) -> dict[str, float]:
    """Each indicator's share of cities with a value."""
    return {i.id: float(np.mean(~np.isnan(raw[:, j]))) for j, i in enumerate(framework.indicators)}


def denominate(raw: np.ndarray, framework: Framework) -> np.ndarray:
    """Each indicator with a ``denominator`` divided by that indicator's raw value (COINr's
    ``Denominate``: per capita, per GDP…); a zero or missing denominator gives a missing value."""
    out = raw.copy()
    ids = framework.indicator_ids
    for j, ind in enumerate(framework.indicators):
        if ind.denominator is not None:
            d = raw[:, ids.index(ind.denominator)]
            out[:, j] = np.divide(raw[:, j], d, out=np.full(len(d), np.nan), where=~np.isnan(d) & (d != 0))
    return out


def transform(raw: np.ndarray, edition: Spec, sources: Mapping[str, str] | None = None) -> np.ndarray:
    """Apply each indicator's transform (log, sqrt, …) to the raw matrix ``(N, K)``;
    ``sources`` (from :func:`collect_data`) names where a value out of range came from."""
    sources = sources or {}
    out = raw.copy()
    for j, ind in enumerate(edition.framework.indicators):
        if ind.transform is None:
            continue
        col = out[:, j]
        bad = ~np.isnan(col) & ((col < 0) if ind.transform in ("sqrt", "log1p") else (col <= 0))
        if ind.transform == "log1p":
            bad = ~np.isnan(col) & (col <= -1)
        if np.any(bad):  # data files are checked as they are read: this value is a provider's
            city = edition.cities[int(np.flatnonzero(bad)[0])]
            raise DataError(f"indicator {ind.id!r} ({sources[ind.id] or 'no source'}): cannot apply {ind.transform} "
                            f"to {col[bad][0]:g} (city {city.id!r})")
        out[:, j] = {"log": np.log, "log10": np.log10, "log1p": np.log1p, "sqrt": np.sqrt}[ind.transform](col)
    return out


# --- normalise and aggregate (batched) ----------------------------------------------------


def normalise(x: np.ndarray, edition: Spec, registry: Registry, default: MethodChoice,
              shifted: frozenset[str] = frozenset()):
    """Normalise ``(…, N, K)``; indicators sharing a method and parameters go in one call.
    Indicators in ``shifted`` (see :func:`zero_absorbed`) get the default with lower end 1."""
    fw = edition.framework
    direction = np.array([i.direction for i in fw.indicators], dtype=np.float64)
    groups: dict[str, tuple[MethodChoice, list[int]]] = {}
    for j, ind in enumerate(fw.indicators):
        choice = ind.normaliser or default
        if ind.id in shifted:
            choice = MethodChoice(default.name, {**default.kwargs(), "lower": POSITIVE_LOWER})
        if choice.name == "ladder" and "levels" not in choice.params:
            choice = MethodChoice("ladder", {**choice.kwargs(), "levels": list(ind.levels)})
        key = json.dumps(choice.as_dict(), sort_keys=True)
        groups.setdefault(key, (choice, []))[1].append(j)
    out = np.full(np.shape(x), np.nan)
    records = []
    for choice, cols in groups.values():
        names = ", ".join(fw.indicators[j].id for j in cols)
        method, params = resolve(registry, "normaliser", choice, f"indicators {names}")
        if _accepts(method, "cities"):  # a normaliser may name a reference city by its id
            params = {**params, "cities": edition.city_ids}
        out[..., cols] = call(method, x[..., cols], direction[cols], _what=f"indicator(s) {names}", **params)
        params.pop("cities", None)
        shown = {k: v for k, v in params.items() if k != "levels"}
        records.extend(_record("normaliser", fw.indicators[j].id, method, shown) for j in cols)
    return out, records


def aggregate_tree(
    scores: np.ndarray,
    framework: Framework,
    weights: Mapping[str, np.ndarray],
    aggregators: Mapping[str, tuple[Method, dict]],
    *,
    root_only: bool = False,
) -> np.ndarray:
    """Aggregate indicator scores ``(…, N, K)`` up the tree; returns ``(…, N, M)`` over
    ``framework.nodes`` (index first), or only the index ``(…, N)`` with ``root_only``.
    ``weights[node]`` is ``(…, k)`` for its k children; batch axes broadcast."""
    col = {i.id: scores[..., j] for j, i in enumerate(framework.indicators)}
    for node in framework.postorder():
        kids = [c.id for c in framework.children(node.id)]
        method, params = aggregators[node.id]
        if kids:
            child = np.stack(np.broadcast_arrays(*[col[k] for k in kids]), axis=-1)
        else:
            child = np.full((*scores.shape[:-1], 0), np.nan)
        col[node.id] = call(method, child, weights[node.id], _what=f"node {node.id!r}", **params)
    if root_only:
        return col[framework.root.id]
    return np.stack(np.broadcast_arrays(*[col[n.id] for n in framework.nodes]), axis=-1)


def effective_weights(framework: Framework, weights: Mapping[str, np.ndarray], present=None) -> np.ndarray:
    """Each indicator's weight in the index ``(…, K)``: the product, down its path, of its
    and its ancestors' weights normalised among present siblings. ``present`` ``(K,)`` marks
    indicators with data (default: all); a node with no present indicator below it is left out,
    as the aggregators leave out a missing child. With arithmetic means at every node and no
    missing value, the index is exactly ``scores @ effective_weights``."""
    k = len(framework.indicators)
    present = np.ones(k, dtype=bool) if present is None else np.asarray(present, dtype=bool)
    has_data = {i.id: bool(present[j]) for j, i in enumerate(framework.indicators)}
    for node in framework.postorder():
        has_data[node.id] = any(has_data[c.id] for c in framework.children(node.id))
    share: dict[str, np.ndarray] = {}
    for node in framework.nodes:
        kids = [c.id for c in framework.children(node.id)]
        if not kids:
            continue
        w = np.asarray(weights[node.id], dtype=np.float64) * np.array([has_data[c] for c in kids], dtype=float)
        total = w.sum(axis=-1, keepdims=True)
        w = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
        for j, kid in enumerate(kids):
            share[kid] = w[..., j]
    parent = {n.id: n.parent for n in framework.nodes} | {i.id: i.parent for i in framework.indicators}
    out = []
    for ind in framework.indicators:
        value, cur = share[ind.id], parent[ind.id]
        while parent.get(cur) is not None:
            value = value * share[cur]
            cur = parent[cur]
        out.append(value)
    return np.stack(np.broadcast_arrays(*out), axis=-1)


def node_aggregators(framework: Framework, registry: Registry, default: MethodChoice):
    chosen = {}
    for node in framework.nodes:
        chosen[node.id] = resolve(registry, "aggregator", node.aggregator or default, f"node {node.id!r}")
    return chosen


def absorbs_zero(method: Method, params: Mapping) -> bool:
    """Whether a zero score absorbs this aggregator's result (registered ``positive``)."""
    positive = method.extra.get("positive", False)
    if not callable(positive):
        return bool(positive)
    try:
        return bool(positive(**params))
    except (ValueError, TypeError) as exc:  # a parameter it cannot read, e.g. power:p=abc
        detail = f"could not read its parameters {plain_text(params)}: {exc}"
        raise MethodError(f"aggregator {method.id!r} {detail}") from None


#: the default scale's lower end when some aggregator is absorbed by zeros: min-max to
#: [1, 100], as COINr's aggregation vignette normalises before a geometric mean
#: (https://rdrr.io/cran/COINr/src/inst/doc/aggregate.R)
POSITIVE_LOWER = run_notes.POSITIVE_LOWER


def zero_absorbed(framework: Framework, default: MethodChoice, aggregators) -> frozenset[str]:
    """Indicators whose default normaliser (min-max with no lower end given) is shifted to
    start at :data:`POSITIVE_LOWER`: those whose parent's aggregator a zero would absorb
    (geometric, harmonic, power with p ≤ 0)."""
    if default.name != "minmax" or "lower" in default.params:
        return frozenset()
    return frozenset(i.id for i in framework.indicators
                     if i.normaliser is None and absorbs_zero(*aggregators[i.parent]))


# --- the whole pipeline ------------------------------------------------------------------


@attrs.frozen
class Treated:
    """The data after imputation and after outlier treatment ``(N, K)``, what the treatment
    did per indicator (the method's details), and the method records."""

    imputed: np.ndarray
    treated: np.ndarray
    details: list
    records: list


def impute_and_treat(x: np.ndarray, edition: Spec, registry: Registry,
                     imputation: MethodChoice, outliers: MethodChoice) -> Treated:
    """Fill missing values, then treat outliers; ``x`` is ``(N, K)``."""
    cities = edition.cities
    method, params = resolve(registry, "imputation", imputation)
    if "groups" in params:
        raise MethodError(f"imputation {method.id!r}: 'groups' is not a parameter one can give (the engine passes "
                          "the cities' groups; group by a cities.csv column with by=COLUMN where the method has it)")
    imputed = call(method, x, groups=lambda by: np.array([c.group(by) for c in cities]), _what="the data", **params)
    records = [_record("imputation", "all", method, params)]
    method, params = resolve(registry, "outliers", outliers)
    treated, details = call(method, imputed, _what="the data", **params)
    records.append(_record("outliers", "all", method, params))
    return Treated(imputed, treated, list(details) if isinstance(details, list | tuple) else [], records)


def run(
    edition: Spec,
    registry: Registry,
    *,
    data: Dataset | None = None,
    choices: Choices = Choices(),
    weights_file=None,
    collected=None,
    dropped=(),
) -> Result:
    """Rank an edition. ``data`` adds or replaces indicator columns (a user's data file);
    ``collected`` is :func:`collect_data`'s output when the caller already has it; ``dropped``
    names the indicators :func:`without` took out (``weights_file``'s weights and ``data``'s
    columns for them are not used)."""
    unused_columns = [d for d in dropped if data is not None and d in data.indicator_ids]
    data = drop_columns(data, dropped) if dropped else data
    edition, provider_notes = with_providers(edition, registry)
    fw = edition.framework
    m = edition.methods
    imputation = choices.imputation or m.imputation
    outliers = choices.outliers or m.outliers
    normaliser = choices.normaliser or m.normaliser
    aggregator = choices.aggregator or m.aggregator

    raw, sources, records = collected or collect_data(edition, registry, data)
    records = list(records)
    unscreened = edition.cities
    edition, raw, screened = screen(edition, raw, m.screen)
    shares = coverage(fw, raw)
    denominated = denominate(raw, fw)
    x = transform(denominated, edition, sources)
    records += [{"stage": "denominate", "target": i.id, "method": "divide", "params": {"by": i.denominator},
                 "plugin": "builtins", "version": _version()} for i in fw.indicators if i.denominator]
    records += [{"stage": "transform", "target": i.id, "method": i.transform, "params": {},
                 "plugin": "builtins", "version": _version()} for i in fw.indicators if i.transform]

    treatment = impute_and_treat(x, edition, registry, imputation, outliers)
    records += treatment.records
    cities = edition.cities

    aggs = node_aggregators(fw, registry, aggregator)
    shifted = zero_absorbed(fw, normaliser, aggs)
    scores, norm_records = normalise(treatment.treated, edition, registry, normaliser, shifted)
    records += norm_records

    weights, _diag = resolve_weights(edition, registry)
    weights, weighting_records = data_weights(edition, registry, scores, weights, aggs)
    weights = override_weights(weights, fw, weights_file, dropped)  # a caller's weights have the last word
    records += weighting_records
    records += [_record("aggregator", node, meth, p) for node, (meth, p) in aggs.items()]
    local = local_weights(fw, weights)
    node_scores = aggregate_tree(scores, fw, local, aggs)
    ranks = min_ranks(node_scores, axis=-2)

    for j, node in enumerate(fw.nodes):
        if node.parent is None and np.all(np.isnan(node_scores[:, j])):
            raise MethodError(f"no city can be scored: {node.id!r} has no data for any city")
    absorbing = {node: method.id for node, (method, params) in aggs.items() if absorbs_zero(method, params)}
    notes = run_notes.for_run(
        provider_notes=provider_notes, edition=edition, unscreened=unscreened, screened=screened, data=data,
        unused_weights=_weights_for(weights_file, dropped), unused_columns=unused_columns,
        providers_ran=any(r["stage"] == "indicator" for r in records), shifted=shifted, absorbing=absorbing,
        scores=scores, node_scores=node_scores, local=local, coverage=shares, ranks=ranks[:, 0])
    city_tiers = tiers(ranks[:, 0], m.tiers)

    digest = _inputs_digest(edition, raw, weights, records)
    for arr in (raw, denominated, x, treatment.imputed, treatment.treated, scores, node_scores, ranks):
        hand_over(arr)  # the engine is done with them: the result keeps them without copies
    return Result(
        edition=edition,
        cities=cities,
        nodes=[n.id for n in fw.nodes],
        scores=node_scores,
        ranks=ranks,
        indicator_scores=scores,
        tiers=city_tiers,
        methods=records,
        coverage=shares,
        data_sources=sources,
        weights=weights,
        inputs_sha256=digest,
        notes=notes,
        stages={"raw": raw, "denominated": denominated, "transformed": x, "imputed": treatment.imputed, "treated": treatment.treated,
                "normalised": scores},
        treatment=treatment.details,
        screened=screened,
    )


def _weights_for(given, dropped) -> list[str]:
    """The dropped indicators a weights mapping or file gives a weight."""
    if not dropped or given is None:
        return []
    if isinstance(given, Mapping):
        return [d for d in dropped if d in given]
    from ..formats.csvfile import read_rows

    _, rows = read_rows(given, required=("id",))
    named = {row["id"] for _, row in rows}
    return [d for d in dropped if d in named]
def _version() -> str:
    from ..installed import version

    return version("cityrank")


def _inputs_digest(edition: Spec, raw: np.ndarray, weights: Weights, records) -> str:
    """SHA-256 of everything a result depends on, in a canonical form (not file paths)."""
    fw = edition.framework
    canonical = {
        "edition": edition.id,
        "cities": _cities_digest(edition.cities),
        "nodes": [attrs.asdict(n, value_serializer=lambda _i, _a, v: _plain(v)) for n in fw.nodes],
        "indicators": [attrs.asdict(i, value_serializer=lambda _i, _a, v: _plain(v)) for i in fw.indicators],
        "weights": dict(sorted(weights.values.items())),
        "methods": [{k: r[k] for k in ("stage", "target", "method", "params")} for r in thaw(records)],
        "tiers": list(edition.methods.tiers),
    }
    h = hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode())
    h.update(np.ascontiguousarray(raw, dtype="<f8").tobytes())
    return h.hexdigest()


def _cities_digest(cities) -> str:
    """SHA-256 of every city's fields, a column at a time (JSON lists of the text fields and
    the attributes, float64 bytes of the coordinates): canonical, and fast for 100,000 cities."""
    columns = {"id": [c.id for c in cities], "name": [c.name for c in cities],
               "country": [c.country for c in cities], "geonameid": [c.geonameid for c in cities]}
    for key in sorted({k for c in cities for k in c.attributes}):
        columns[f"attribute {key}"] = [c.attributes.get(key) for c in cities]
    h = hashlib.sha256(json.dumps(columns, ensure_ascii=False).encode())
    for values in ([c.latitude for c in cities], [c.longitude for c in cities]):
        h.update(np.array([np.nan if v is None else v for v in values], dtype="<f8").tobytes())
    return h.hexdigest()


def _plain(value):
    if isinstance(value, MethodChoice):
        return value.as_dict()
    return thaw(value)
