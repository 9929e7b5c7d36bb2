"""Immutable value objects: cities, indicators, the framework tree, weights, editions, data, results.

Arrays are stored read-only float64 and compared with ``numpy.array_equal``; mappings are
read-only views. Variants are made with ``attrs.evolve``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np

from .errors import MethodError, SpecError

ROOT_ID = "index"


_EMPTY = MappingProxyType({})


def freeze(value: Any) -> Any:
    """Deep-freeze parsed TOML/JSON: dicts become read-only mappings, lists tuples."""
    if not value and isinstance(value, dict | MappingProxyType):
        return _EMPTY
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Inverse of :func:`freeze`, for JSON output."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


def plain_text(value: Any) -> str:
    """A parameter or metadata value as a reader would write it, never a Python repr:
    lists as ``a, b``, tables as ``key=value; …``, numbers with ``g``, None as ``none``."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={plain_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


def readonly_array(value: Any) -> np.ndarray:
    """A read-only float64 copy of ``value``; an array that is read-only all the way down
    (see :func:`hand_over`) is taken as it is, without a copy."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64 and _read_only(value):
        return value
    arr = np.array(value, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _read_only(arr: np.ndarray) -> bool:
    """No one can write the data: the array and every array it is a view of are read-only."""
    while isinstance(arr, np.ndarray):
        if arr.flags.writeable:
            return False
        arr = arr.base
    return arr is None


def hand_over(arr: np.ndarray) -> np.ndarray:
    """Make an array its maker no longer writes read-only, so that a result can keep it
    without a copy (an array that does not own its data is left as it is, and copied)."""
    if isinstance(arr, np.ndarray) and arr.base is None:
        arr.setflags(write=False)
    return arr


_array_eq = attrs.cmp_using(eq=lambda a, b: a.shape == b.shape and np.array_equal(a, b, equal_nan=True))


def _parse_scalar(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if "_" in text:  # Python's int() and float() read 2_00 as 200: text, for the method to refuse
        return text.strip()
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip()


@attrs.frozen
class MethodChoice:
    """A method name and its parameters, e.g. ``goalposts`` with ``lower=20, upper=85``."""

    name: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze)

    @classmethod
    def parse(cls, value: Any, *, what: str = "method") -> MethodChoice:
        """Accept ``"name"``, ``"name:key=value,key=value"`` or ``{name = ..., key = ...}``."""
        if isinstance(value, MethodChoice):
            return value
        if isinstance(value, str):
            name, _, rest = value.partition(":")
            params = {}
            for part in filter(None, (p.strip() for p in rest.split(","))):
                key, eq, val = part.partition("=")
                if not eq or not key.strip():
                    raise MethodError(f"{what} {value!r}: expected name:key=value,...")
                if key.strip() in params:  # the last would win without a word
                    raise MethodError(f"{what} {value!r}: parameter {key.strip()!r} is given twice")
                params[key.strip()] = _parse_scalar(val)
            if not name.strip():
                raise MethodError(f"{what} {value!r}: empty method name")
            return cls(name.strip(), params)._finite(what)
        if isinstance(value, Mapping) and isinstance(value.get("name"), str):
            params = {k: thaw(v) for k, v in value.items() if k != "name"}
            return cls(value["name"], params)._finite(what)
        raise MethodError(f"{what}: expected a method name or a table with 'name', got {value!r}")

    def _finite(self, what: str) -> MethodChoice:
        """Parameters are finite numbers, text, true/false, or lists and tables of them (a
        TOML date, NaN or infinity is none), at any depth."""
        def check(key, v):
            if isinstance(v, float) and not math.isfinite(v):
                raise MethodError(f"{what} {self.name!r}: parameter {key!r} must be a finite number, got {v}")
            if isinstance(v, Mapping):
                for inner in v.values():
                    check(key, inner)
            elif isinstance(v, list | tuple):
                for inner in v:
                    check(key, inner)
            elif not (v is None or isinstance(v, str | int | float)):
                raise MethodError(f"{what} {self.name!r}: parameter {key!r} must be a number, text, true/false, "
                                  f"a list or a table, not a {type(v).__name__}")

        for key, v in self.params.items():
            check(key, v)
        return self

    def kwargs(self) -> dict[str, Any]:
        return thaw(self.params)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        return self.name + ":" + ",".join(f"{k}={plain_text(v)}" for k, v in self.params.items())

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": thaw(self.params)}


@attrs.frozen
class City:
    """A ranked unit. ``country`` is ISO 3166-1 alpha-3."""

    id: str
    name: str
    country: str = ""
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=freeze)

    def group(self, by: str) -> str:
        """The value of a grouping attribute (``country`` or any extra cities.csv column)."""
        if by == "country":
            return self.country
        if by not in self.attributes:
            raise MethodError(f"cities have no attribute {by!r} to group by "
                              f"(they have: {', '.join(['country', *self.attributes])})")
        return self.attributes[by]


@attrs.frozen
class Indicator:
    """A leaf of the framework tree. ``direction`` is +1 (more is better) or -1.

    An indicator computed by a ``provider`` takes the provider's direction, unit, level and
    source where the edition gives none (``direction_given`` says whether it gave a direction,
    since +1 is also the default); see :func:`cityrank.engine.with_providers`."""

    id: str
    name: str
    parent: str
    direction: int = 1
    weight: float = 1.0
    unit: str = ""
    source: str = ""
    provider: MethodChoice | None = None
    transform: str | None = None
    normaliser: MethodChoice | None = None
    levels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    notes: str = ""
    #: another indicator's id: this one's raw values are divided by it (COINr's ``Denominate``)
    denominator: str | None = None
    #: ``"city"``, or ``"country"`` for a country's value given to each of its cities
    level: str = ""
    direction_given: bool = True


@attrs.frozen
class Node:
    """An aggregate: the index itself (no parent) or a domain / sub-domain of any depth."""

    id: str
    name: str
    parent: str | None = None
    weight: float = 1.0
    aggregator: MethodChoice | None = None


@attrs.frozen
class Framework:
    """The tree index → domains (any depth) → indicators; checked on construction."""

    nodes: tuple[Node, ...] = attrs.field(converter=tuple)
    indicators: tuple[Indicator, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self):
        roots = [n for n in self.nodes if n.parent is None]
        if len(roots) != 1:
            raise SpecError(f"the framework needs exactly one root node, found {len(roots)}")
        ids = [n.id for n in self.nodes] + [i.id for i in self.indicators]
        seen = set()
        for i in ids:
            if i in seen:
                raise SpecError(f"duplicate id {i!r} in the framework")
            seen.add(i)
        node_ids = {n.id for n in self.nodes}
        for n in self.nodes:
            if n.parent is not None and n.parent not in node_ids:
                raise SpecError(f"domain {n.id!r}: unknown parent {n.parent!r}")
        for ind in self.indicators:
            if ind.parent not in node_ids:
                raise SpecError(f"indicator {ind.id!r}: unknown domain {ind.parent!r}")
        parent = {n.id: n.parent for n in self.nodes}
        for n in self.nodes:
            path, cur = [n.id], n.parent
            while cur is not None:
                if cur in path:
                    raise SpecError("cycle in the framework tree: " + " -> ".join([*path, cur]))
                path.append(cur)
                cur = parent[cur]
        ids_ = {i.id for i in self.indicators}
        for ind in self.indicators:
            if ind.denominator is not None and (ind.denominator not in ids_ or ind.denominator == ind.id):
                raise SpecError(f"indicator {ind.id!r}: denominator {ind.denominator!r} must be another indicator's id")
        has_child = {n.parent for n in self.nodes} | {i.parent for i in self.indicators}
        for n in self.nodes:
            if n.id not in has_child:
                raise SpecError(f"domain {n.id!r} has no indicators or sub-domains: it could never be scored")

    @property
    def root(self) -> Node:
        return next(n for n in self.nodes if n.parent is None)

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def children(self, node_id: str) -> list[Node | Indicator]:
        """Direct children (sub-nodes first, then indicators), in spec order."""
        return [n for n in self.nodes if n.parent == node_id] + [
            i for i in self.indicators if i.parent == node_id
        ]

    def postorder(self) -> list[Node]:
        """Aggregates, children before parents (so aggregation can run bottom-up)."""
        out: list[Node] = []

        def visit(node: Node):
            for child in self.children(node.id):
                if isinstance(child, Node):
                    visit(child)
            out.append(node)

        visit(self.root)
        return out

    def preorder(self) -> list[tuple[int, Node | Indicator]]:
        """(depth, element) for every node and indicator, parents first."""
        out: list[tuple[int, Node | Indicator]] = []

        def visit(el, depth):
            out.append((depth, el))
            if isinstance(el, Node):
                for child in self.children(el.id):
                    visit(child, depth + 1)

        visit(self.root, 0)
        return out

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def domains(self) -> tuple[Node, ...]:
        """Every aggregate below the root, in spec order."""
        return tuple(n for n in self.nodes if n.parent is not None)


@attrs.frozen
class Weights:
    """Local weights: each node's or indicator's weight among its siblings (not normalised).

    ``source`` says where they came from (spec, a weights file, an expert panel, …).
    """

    values: Mapping[str, float] = attrs.field(converter=freeze)
    source: str = "edition"

    def local(self, ids: list[str]) -> np.ndarray:
        return np.array([self.values[i] for i in ids], dtype=np.float64)


@attrs.frozen
class Methods:
    """Default methods of an edition; nodes and indicators may override them."""

    imputation: MethodChoice = MethodChoice("none")
    outliers: MethodChoice = MethodChoice("none")
    normaliser: MethodChoice = MethodChoice("minmax")
    aggregator: MethodChoice = MethodChoice("arithmetic")
    tiers: tuple[float, ...] = attrs.field(default=(0.1, 0.3, 0.6, 1.0), converter=tuple)
    #: screening: a city is ranked only with data for at least this share of the indicators
    #: that have data (COINr's ``Screen``); 0 keeps every city
    screen: float = 0.0


@attrs.frozen
class Dataset:
    """Indicator values: cities × indicators, float64, NaN = missing, a source per column."""

    city_ids: tuple[str, ...] = attrs.field(converter=tuple)
    indicator_ids: tuple[str, ...] = attrs.field(converter=tuple)
    values: np.ndarray = attrs.field(converter=readonly_array, eq=_array_eq)
    sources: tuple[str, ...] = attrs.field(converter=tuple)
    origin: str = ""

    def __attrs_post_init__(self):
        shape = (len(self.city_ids), len(self.indicator_ids))
        if self.values.shape != shape:
            raise ValueError(f"values have shape {self.values.shape}, expected {shape}")
        if len(self.sources) != shape[1]:
            raise ValueError("one source per indicator column is required")


@attrs.frozen
class Spec:
    """A ranking edition as its files give it (a spec): metadata, cities, framework, weights,
    default methods, data; :class:`cityrank.api.Edition` is one ready to run (a spec and a registry)."""

    id: str
    title: str
    cities: tuple[City, ...] = attrs.field(converter=tuple)
    framework: Framework
    weights: Weights
    methods: Methods = Methods()
    meta: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze)
    experts: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze)
    #: weightings from the data, by node id (``"*"``: every node), e.g. {"*": pca}
    weighting: Mapping[str, MethodChoice] = attrs.field(factory=dict, converter=freeze)
    published: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze)
    uncertainty: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze)
    data: Dataset | None = None
    path: Path | None = None

    @property
    def city_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cities)


@attrs.frozen
class Result:
    """Scores and ranks of every aggregate for every city, with a record of how they were made.

    ``scores`` and ``ranks`` are ``(N, M)`` over ``cities`` × ``nodes`` (the index first,
    then the domains in spec order); ``indicator_scores`` is ``(N, K)`` normalised values;
    ``stages`` holds the indicator data at every stage of the pipeline.
    Rank 1 is best; tied scores share the best rank of the tie ('min'); NaN = not ranked.
    """

    edition: Spec
    cities: tuple[City, ...] = attrs.field(converter=tuple)
    nodes: tuple[str, ...] = attrs.field(converter=tuple)
    scores: np.ndarray = attrs.field(converter=readonly_array, eq=_array_eq)
    ranks: np.ndarray = attrs.field(converter=readonly_array, eq=_array_eq)
    indicator_scores: np.ndarray = attrs.field(converter=readonly_array, eq=_array_eq)
    tiers: tuple[str | None, ...] = attrs.field(converter=tuple)
    methods: tuple[Mapping[str, Any], ...] = attrs.field(converter=freeze)
    coverage: Mapping[str, float] = attrs.field(converter=freeze)
    data_sources: Mapping[str, str] = attrs.field(converter=freeze)
    weights: Weights
    inputs_sha256: str
    notes: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    #: the indicator data ``(N, K)`` at each stage: raw, transformed, imputed, treated, normalised
    #: cities left out by screening, each with its coverage: ((id, share), …)
    screened: tuple = attrs.field(default=(), converter=freeze, eq=False)
    stages: Mapping[str, np.ndarray] = attrs.field(
        factory=dict, converter=lambda d: MappingProxyType({k: readonly_array(v) for k, v in d.items()}), eq=False)
    #: what the outlier treatment did, per indicator (the method's details)
    treatment: tuple = attrs.field(default=(), converter=freeze, eq=False)

    def score(self, node_id: str | None = None) -> np.ndarray:
        """Scores of one aggregate (the index by default), ``(N,)``."""
        return self.scores[:, 0 if node_id is None else self.nodes.index(node_id)]

    def rank(self, node_id: str | None = None) -> np.ndarray:
        """Ranks of one aggregate (the index by default), ``(N,)``."""
        return self.ranks[:, 0 if node_id is None else self.nodes.index(node_id)]

    def order(self) -> np.ndarray:
        """City positions sorted by overall rank (unranked last), ties by city id."""
        r = self.ranks[:, 0]
        key = np.where(np.isnan(r), math.inf, r)
        order = np.argsort(key, kind="stable")
        ranked = key[order]
        tied = np.flatnonzero(ranked[1:] == ranked[:-1])  # position k ties with k + 1
        if tied.size:  # each run of equal ranks sorted by city id (a string sort only there)
            starts = tied[np.r_[True, np.diff(tied) > 1]]
            ends = tied[np.r_[np.diff(tied) > 1, True]] + 2
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                order[a:b] = sorted(order[a:b].tolist(), key=lambda i: self.cities[i].id)
        return order.astype(int)


#: AHP: how priorities are derived from a pairwise-comparison matrix (see methods.panel), and
#: when two judgments count as reciprocal (:func:`ahp_reciprocal`). Here, below both the reader
#: of expert files and the methods, so that each takes them from one place.
AHP_PRIORITISATIONS = ("eigenvector", "llsm")
AHP_RECIPROCAL_TOLERANCE = 0.005  # half a unit in the second decimal


def ahp_reciprocal(a, b):
    """Whether AHP judgments a_ij = ``a`` and a_ji = ``b`` (positive numbers, or arrays of them)
    are reciprocal: the smaller is the reciprocal of the larger, or that rounded to two
    decimals as experts type it in a spreadsheet (0.33 for 1/3, 0.14 for 1/7, 0.13 or 0.12 for
    1/8). With L the larger and s the smaller, |s − 1/L| ≤ 0.005 is |a·b − 1| ≤ 0.005·L: at
    most 0.045 on Saaty's scale (L ≤ 9), where a real disagreement (3 against 0.5, or 0.34,
    or 0.3) is refused; 1e-9 absorbs binary floating point."""
    return np.abs(np.multiply(a, b) - 1.0) <= AHP_RECIPROCAL_TOLERANCE * np.maximum(a, b) + 1e-9


@attrs.frozen
class WeightNoise:
    """How weights vary around their nominal values, node by node.

    ``dirichlet``: Dirichlet with mean the nominal weights and total concentration
    ``concentration`` (larger = tighter); ``uniform``: each weight × U(1 − spread, 1 + spread),
    renormalised; ``none``: fixed.
    """

    kind: str = "dirichlet"
    concentration: float = 50.0
    spread: float = 0.25

    def __attrs_post_init__(self):
        if self.kind not in ("dirichlet", "uniform", "none"):
            raise MethodError(f"weight noise must be dirichlet, uniform or none, got {self.kind!r}")
        if not (self.concentration > 0 and math.isfinite(self.concentration)):
            raise MethodError(f"the Dirichlet concentration must be a positive number, got {self.concentration}")
        if not 0 <= self.spread < 1:
            raise MethodError(f"the uniform spread must be in [0, 1), got {self.spread}")

    @classmethod
    def parse(cls, choice: MethodChoice) -> WeightNoise:
        """Weight noise from ``dirichlet:concentration=50`` or ``uniform:spread=0.25``."""
        params = choice.kwargs()
        allowed = {"dirichlet": ("concentration",), "uniform": ("spread",), "none": ()}.get(choice.name)
        if allowed is None:
            raise MethodError(f"weight noise must be dirichlet, uniform or none, got {choice.name!r}")
        for key, value in params.items():
            if key not in allowed:
                raise MethodError(f"weight noise {choice.name!r} has no parameter {key!r} "
                                  f"(parameters: {', '.join(allowed) or 'none'})")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise MethodError(f"weight noise {choice.name!r}: {key} must be a number, got {value!r}")
        return cls(choice.name, **params)
