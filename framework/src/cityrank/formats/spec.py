"""The edition spec: ``edition.toml`` read, checked and turned into a :class:`cityrank.model.Spec`
with its cities (:mod:`.cities`), data (:mod:`.datafile`), weights (:mod:`.weightsfile`) and
expert panels (:mod:`.experts`).

Every error names the file and, where there is one, the row and column or the TOML table.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MethodError, SpecError
from ..model import (
    AHP_PRIORITISATIONS,
    ROOT_ID,
    Framework,
    Indicator,
    MethodChoice,
    Methods,
    Node,
    Spec,
    WeightNoise,
    Weights,
)
from .cities import read_cities
from .csvfile import MISSING, nfc, parse_ratio
from .datafile import read_data
from .experts import read_expert_files
from .text import CONTROL, as_path, read_bounded
from .weightsfile import apply_weights_file, check_weights

INDEX_KEYS = {"id", "name", "aggregator"}
METHOD_KEYS = {"imputation", "outliers", "normaliser", "aggregator", "tiers", "screen"}
DOMAIN_KEYS = {"id", "name", "parent", "weight", "aggregator", "description", "source", "notes"}
INDICATOR_KEYS = {
    "id", "name", "domain", "direction", "weight", "unit", "source", "provider", "transform",
    "normaliser", "levels", "notes", "description", "denominator", "level",
}
TRANSFORMS = ("log", "log10", "log1p", "sqrt")


#: the largest edition.toml read (bytes): a device such as /dev/zero would otherwise fill memory
TOML_LIMIT = 1 << 24


def read_toml(path) -> dict[str, Any]:
    """A TOML file (UTF-8; a leading byte-order mark, as some editors write, is allowed), every
    string in Unicode NFC; a control character in any string or key is an error naming the key."""
    path = as_path(path)
    try:
        data = read_bounded(path, TOML_LIMIT, "an edition.toml", SpecError)
        text = data.decode("utf-8")
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except FileNotFoundError:
        raise SpecError("file not found", file=path) from None
    except IsADirectoryError:
        raise SpecError("is a folder, not a TOML file", file=path) from None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpecError(f"not UTF-8 text (byte {data[exc.start]:#04x} on line {line})", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"malformed TOML: {exc}", file=path) from None
    except RecursionError:
        raise SpecError("malformed TOML: nested too deeply", file=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read file: {exc.strerror or exc}", file=path) from None
    return _clean(doc, (), path)


def _clean(value, where: tuple, path):
    """Every string of a parsed TOML document (keys too) in Unicode NFC, as CSV cells are; a
    control character (a line break, a tab, an escape that would drive the terminal) in any
    of them is an error: names, titles and notes reach terminals, tables and reports."""
    if isinstance(value, str):
        if CONTROL.search(value):
            raise SpecError(f"{_key_path(where)}: a control character (line break, tab, escape …) in {value!r}; "
                            "a long text spans lines in TOML with a backslash at each line end", file=path)
        return nfc(value)
    if isinstance(value, dict):
        for key in value:
            if CONTROL.search(key):
                raise SpecError(f"{_key_path(where)}: a control character (line break, tab, escape …) in the key "
                                f"{key!r}", file=path)
        return {nfc(k): _clean(v, (*where, k), path) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, (*where, n), path) for n, v in enumerate(value, start=1)]
    return value


def _key_path(where: tuple) -> str:
    """``[indicators] #2 name`` for the keys (and array positions, from 1) leading to a value."""
    if not where:
        return "the top level"
    head, *rest = where
    return " ".join([f"[{head}]", *(f"#{k}" if isinstance(k, int) else str(k) for k in rest)])


_EDITION_TABLE = re.compile(r"^[ \t]*\[[ \t]*edition[ \t]*\][ \t]*(#.*)?$", re.MULTILINE)
_NEXT_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


def peek_edition_id(path) -> str:
    """The ``[edition] id`` of an edition.toml, read without loading the rest: the
    ``[edition]`` table alone is parsed when it can be cut out (TOML cannot define the key
    twice, so the whole document either gives the same id or fails to load); otherwise,
    or when that part has no id, the whole file."""
    path = as_path(path)
    try:
        text = read_bounded(path, TOML_LIMIT, "an edition.toml", SpecError).decode("utf-8")
    except (OSError, UnicodeDecodeError, SpecError):
        text = ""  # read_toml below says what is wrong
    head = _EDITION_TABLE.search(text)
    if head:
        end = _NEXT_TABLE.search(text, head.end())
        try:
            ident = tomllib.loads(text[head.end():end.start() if end else len(text)]).get("id")
        except tomllib.TOMLDecodeError:
            ident = None
        if isinstance(ident, str) and ident and not CONTROL.search(ident):
            return nfc(ident)
    doc = read_toml(path)
    ident = doc.get("edition", {}).get("id")
    if not isinstance(ident, str) or not ident:
        raise SpecError("[edition] needs an 'id' string", file=path)
    return ident


#: [edition] keys that outputs show, by the type they must have (other keys are free metadata)
EDITION_TEXT = ("title", "subtitle", "released", "venue", "author", "status", "notes", "framing", "bloc_source",
                "cities", "data")
EDITION_TEXT_LISTS = ("sources", "publishers", "bloc")


def _check_edition_meta(meta: Mapping, path) -> None:
    """The [edition] keys the outputs read: text, lists of text, a whole-number year and the
    facts (``{ fact, value, source }`` tables)."""
    for key in EDITION_TEXT:
        if key in meta and not isinstance(meta[key], str):
            raise SpecError(f"[edition] {key} must be a string, not {_toml_kind(meta[key])}", file=path)
    for key in EDITION_TEXT_LISTS:
        if key in meta and not _list_of(meta[key], str):
            raise SpecError(f"[edition] {key} must be a list of strings", file=path)
    for key, value in meta.items():  # free-form metadata, but a misspelt file key would read the default file
        if key in EDITION_TEXT or not (isinstance(value, str) and value.lower().endswith(".csv")):
            continue
        near = difflib.get_close_matches(key, [k for k in ("cities", "data") if k not in meta], n=1, cutoff=0.6)
        if near:
            raise SpecError(f"[edition] {key}: did you mean {near[0]!r}? (the {near[0]} file; without it "
                            f"{near[0]}.csv beside the edition is read)", file=path)
    year = meta.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise SpecError(f"[edition] year must be a whole number, not {_toml_kind(year)}", file=path)
    for where, fact in _tables(meta.get("facts", []), "[edition] facts ({ fact, value, source } tables)",
                               "[edition] facts", path):
        for key in ("fact", "source"):
            _str(fact, key, where, path, required=True)
        if isinstance(fact.get("value"), bool) or not isinstance(fact.get("value"), str | int | float):
            raise SpecError(f"{where}: value must be text or a number", file=path)


def _tables(value, what: str, item: str, path):
    """``(where, table)`` for each table of an array of tables; an error naming the array, or
    the item by its number, when it is not one."""
    if not isinstance(value, list):
        raise SpecError(f"{what} must be an array of tables, not {_toml_kind(value)}", file=path)
    for n, table in enumerate(value, start=1):
        if not isinstance(table, dict):
            raise SpecError(f"{item} #{n} must be a table, not {_toml_kind(table)}", file=path)
        yield f"{item} #{n}", table


def _toml_kind(value) -> str:
    """What a TOML value is, in the words of the TOML spec."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array" if not all(isinstance(v, dict) for v in value) or not value else "an array of tables"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _check_keys(table: Mapping, allowed: set[str], where: str, path):
    if not isinstance(table, Mapping):
        raise SpecError(f"{where} must be a table, not {_toml_kind(table)}", file=path)
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})", file=path)


def _str(table, key, where, path, default=None, required=False) -> str | None:
    value = table.get(key, default)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise SpecError(f"{where}: '{key}' must be a non-empty string", file=path)
    return value


def _num(table, key, where, path, default) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError(f"{where}: '{key}' must be a finite number, got {value!r}", file=path)
    if key == "weight" and value < 0:
        raise SpecError(f"{where}: weight must be non-negative, got {value}", file=path)
    return float(value)


def _choice(value, where, path) -> MethodChoice | None:
    if value is None:
        return None
    try:
        return MethodChoice.parse(value, what=where)
    except MethodError as exc:
        raise SpecError(exc.message, file=path) from None


def parse_framework(doc: Mapping, path) -> Framework:
    index = doc.get("index", {})
    _check_keys(index, INDEX_KEYS, "[index]", path)
    root = Node(
        id=_str(index, "id", "[index]", path, ROOT_ID),
        name=_str(index, "name", "[index]", path, "Index"),
        aggregator=_choice(index.get("aggregator"), "[index] aggregator", path),
    )
    nodes = [root]
    domains = doc.get("domains", [])
    if not isinstance(domains, list):
        raise SpecError("'domains' must be an array of tables ([[domains]])", file=path)
    for n, d in enumerate(domains, start=1):
        where = f"[[domains]] #{n}"
        if not isinstance(d, dict):
            raise SpecError(f"{where}: expected a table", file=path)
        _check_keys(d, DOMAIN_KEYS, where, path)
        ident = _str(d, "id", where, path, required=True)
        where = f"domain {ident!r}"
        nodes.append(Node(
            id=ident,
            name=_str(d, "name", where, path, ident),
            parent=_str(d, "parent", where, path, root.id),
            weight=_num(d, "weight", where, path, 1.0),
            aggregator=_choice(d.get("aggregator"), f"{where} aggregator", path),
        ))
    indicators = []
    items = doc.get("indicators", [])
    if not isinstance(items, list) or not items:
        raise SpecError("the edition needs at least one [[indicators]] table", file=path)
    for n, d in enumerate(items, start=1):
        where = f"[[indicators]] #{n}"
        if not isinstance(d, dict):
            raise SpecError(f"{where}: expected a table", file=path)
        _check_keys(d, INDICATOR_KEYS, where, path)
        ident = _str(d, "id", where, path, required=True)
        where = f"indicator {ident!r}"
        direction = d.get("direction", 1)
        if direction not in (1, -1) or isinstance(direction, bool):
            raise SpecError(f"{where}: direction must be 1 or -1, got {direction!r}", file=path)
        transform = _str(d, "transform", where, path)
        if transform is not None and transform not in TRANSFORMS:
            raise SpecError(f"{where}: unknown transform {transform!r} (known: {', '.join(TRANSFORMS)})", file=path)
        levels = d.get("levels", [])
        if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
            raise SpecError(f"{where}: levels must be a list of strings", file=path)
        if "levels" in d and not levels:  # else the ladder's labels in data.csv read as bad numbers
            raise SpecError(f"{where}: levels is empty: list the ladder's levels, lowest first, or leave it out",
                            file=path)
        labels = [v.strip().lower() for v in levels]  # data cells name a level case-insensitively
        for k, label in enumerate(labels):
            if not label or label in MISSING:
                raise SpecError(f"{where}: level {k + 1} needs a label (not empty or {levels[k]!r}, which data files "
                                "read as missing)", file=path)
            if label in labels[:k]:
                raise SpecError(f"{where}: the level {levels[k]!r} is listed twice in levels (levels {labels.index(label) + 1} "
                                f"and {k + 1}; labels are matched case-insensitively)", file=path)
        normaliser = _choice(d.get("normaliser"), f"{where} normaliser", path)
        if levels and normaliser is None:
            normaliser = MethodChoice("ladder")
        indicators.append(Indicator(
            id=ident,
            name=_str(d, "name", where, path, ident),
            parent=_str(d, "domain", where, path, root.id),
            direction=int(direction),
            weight=_num(d, "weight", where, path, 1.0),
            unit=_str(d, "unit", where, path, "") or "",
            source=_str(d, "source", where, path, "") or "",
            provider=_choice(d.get("provider"), f"{where} provider", path),
            transform=transform,
            normaliser=normaliser,
            levels=tuple(levels),
            notes=_str(d, "notes", where, path, "") or "",
            denominator=_str(d, "denominator", where, path),
            level=_str(d, "level", where, path, "") or "",
            direction_given="direction" in d,
        ))
    try:
        return Framework(nodes, indicators)
    except SpecError as exc:
        raise SpecError(exc.message, file=path) from None


def parse_methods(doc: Mapping, path) -> Methods:
    table = doc.get("methods", {})
    _check_keys(table, METHOD_KEYS, "[methods]", path)
    kwargs = {k: _choice(table[k], f"[methods] {k}", path) for k in METHOD_KEYS - {"tiers", "screen"} if k in table}
    if "screen" in table:
        screen = table["screen"]
        share = screen.get("min_coverage") if isinstance(screen, dict) else None
        if (not isinstance(screen, dict) or set(screen) != {"min_coverage"} or isinstance(share, bool)
                or not isinstance(share, int | float) or not 0 <= share <= 1):
            raise SpecError("[methods] screen must be { min_coverage = SHARE } with a share from 0 to 1", file=path)
        kwargs["screen"] = float(share)
    if "tiers" in table:
        tiers = table["tiers"]
        if (not isinstance(tiers, list) or not tiers or not all(isinstance(t, int | float) for t in tiers)
                or any(isinstance(t, bool) or not 0 < t <= 1 for t in tiers)
                or any(b <= a for a, b in itertools.pairwise(tiers)) or tiers[-1] != 1):
            raise SpecError("[methods] tiers must be strictly increasing shares in (0, 1] ending with 1", file=path)
        kwargs["tiers"] = tuple(float(t) for t in tiers)
    return Methods(**kwargs)


def spec_weights(framework: Framework) -> Weights:
    values = {n.id: n.weight for n in framework.nodes}
    values.update({i.id: i.weight for i in framework.indicators})
    return Weights(values, "edition")


#: set to 1 to let an edition name files outside its folder (an edition from elsewhere cannot)
ENV_OUTSIDE = "CITYRANK_OUTSIDE_FILES"


def edition_file(folder: Path, name: str, key: str, spec) -> Path:
    """The file an edition's ``key`` names: a relative path that stays inside the edition's
    folder once links are followed (an edition from elsewhere may not read the files of the
    machine it runs on); an absolute path or one leading out is an error naming the key,
    unless the environment variable CITYRANK_OUTSIDE_FILES is 1. Nothing is read here."""
    given = Path(name)
    target = folder / given
    if os.environ.get(ENV_OUTSIDE, "") not in ("", "0"):
        return target
    allow = f"files inside the edition's folder, relative to it ({ENV_OUTSIDE}=1 allows others)"
    if given.is_absolute() or given.drive:
        raise SpecError(f"{key}: {name!r} is an absolute path; an edition names {allow}", file=spec)
    home = os.path.realpath(folder)
    if os.path.commonpath([home, os.path.realpath(target)]) != home:
        raise SpecError(f"{key}: {name!r} leads outside the edition's folder (through '..' or a link); an edition "
                        f"names {allow}", file=spec)
    return target


def load_edition(path, *, with_data: bool = True) -> Spec:
    """Load an edition.toml and the cities.csv / data.csv it names (defaults beside it)."""
    path = as_path(path)
    if path.is_dir():
        path = path / "edition.toml"
    doc = read_toml(path)
    meta = doc.get("edition")
    if not isinstance(meta, dict):
        raise SpecError("missing [edition] table", file=path)
    known_tables = {"edition", "index", "methods", "domains", "indicators", "weights", "experts", "published",
                    "uncertainty"}
    unknown = sorted(set(doc) - known_tables)
    if unknown:
        raise SpecError(f"unknown table(s) {', '.join(unknown)} (allowed: {', '.join(sorted(known_tables))})", file=path)
    for name in ("index", "methods", "weights", "experts", "published", "uncertainty"):
        if name in doc and not isinstance(doc[name], dict):
            raise SpecError(f"[{name}] must be a table, not {_toml_kind(doc[name])}", file=path)
    for name in ("domains", "indicators"):
        if name in doc and not (isinstance(doc[name], list) and all(isinstance(t, dict) for t in doc[name])):
            raise SpecError(f"{name} must be an array of tables ([[{name}]]), not {_toml_kind(doc[name])}", file=path)
    ident = _str(meta, "id", "[edition]", path, required=True)
    _check_edition_meta(meta, path)
    framework = parse_framework(doc, path)
    methods = parse_methods(doc, path)
    folder = path.parent
    cities = read_cities(edition_file(folder, _str(meta, "cities", "[edition]", path, "cities.csv"),
                                      "[edition] cities", path))
    data = None
    data_path = edition_file(folder, _str(meta, "data", "[edition]", path, "data.csv"), "[edition] data", path)
    if with_data and data_path.exists():
        data = read_data(data_path, cities, framework)
    weights_table = doc.get("weights", {})
    if not isinstance(weights_table, dict):
        raise SpecError("[weights] must be a table", file=path)
    _check_keys(weights_table, {"method", "file", "notes", "nodes"}, "[weights]", path)
    weights = spec_weights(framework)
    method = weights_table.get("method", "edition")
    weighting = {}
    if method == "equal":
        weights = Weights({k: 1.0 for k in weights.values}, "equal")
    elif method != "edition":  # a weighting from the data (pca, fa, entropy, critic, a plugin's) at every node
        weighting["*"] = _choice(method, "[weights] method", path)
    nodes = weights_table.get("nodes", {})
    if not isinstance(nodes, dict):
        raise SpecError("[weights.nodes] must be a table: node id = weighting method", file=path)
    for node, choice in nodes.items():
        try:
            framework.node(node)
        except KeyError:
            raise SpecError(f"[weights.nodes]: unknown node {node!r}", file=path) from None
        weighting[node] = _choice(choice, f"[weights.nodes] {node}", path)
    if "file" in weights_table:
        name = _str(weights_table, "file", "[weights]", path, required=True)
        weights = apply_weights_file(weights, framework, edition_file(folder, name, "[weights] file", path))
    check_weights(weights.values, framework, path)
    experts = doc.get("experts", {})
    _check_experts(experts, framework, path)
    _check_published(doc.get("published", {}), framework, cities, path)
    uncertainty = doc.get("uncertainty", {})
    _check_keys(uncertainty, {"normalisers", "aggregators", "imputations", "weights", "notes"}, "[uncertainty]", path)
    for key in ("normalisers", "aggregators", "imputations"):
        if not isinstance(uncertainty.get(key, []), list):
            raise SpecError(f"[uncertainty] {key} must be an array of methods, not {_toml_kind(uncertainty[key])}",
                            file=path)
        for value in uncertainty.get(key, []):
            _choice(value, f"[uncertainty] {key}", path)
    if "weights" in uncertainty:  # the weight noise: dirichlet:concentration=…, uniform:spread=… or none
        try:
            WeightNoise.parse(MethodChoice.parse(uncertainty["weights"], what="[uncertainty] weights"))
        except MethodError as exc:
            raise SpecError(f"[uncertainty] weights: {exc.message}", file=path) from None
    return Spec(
        id=ident,
        title=_str(meta, "title", "[edition]", path, ident),
        cities=cities,
        framework=framework,
        weights=weights,
        methods=methods,
        meta=meta,
        experts=experts,
        weighting=weighting,
        published=doc.get("published", {}),
        uncertainty=uncertainty,
        data=data,
        path=path,
    )


# --- weights and expert judgments ----------------------------------------------------------


def _check_experts(experts: Mapping, framework: Framework, path):
    """[experts] holds ``[[experts.ahp]]`` and ``[[experts.budget]]`` tables, one per node."""
    _check_keys(experts, {"ahp", "budget", "notes", "source"}, "[experts]", path)
    tabled: dict[str, str] = {}  # node: the table that gives its weights
    for kind in ("ahp", "budget"):
        tables = experts.get(kind, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise SpecError(f"[experts] {kind} must be an array of tables ([[experts.{kind}]])", file=path)
        for n, table in enumerate(tables, start=1):
            where = f"[[experts.{kind}]] #{n}"
            allowed = {"node", "items", "matrices", "files", "labels", "expert_weights", "aggregation",
                       "prioritisation"} if kind == "ahp" else {"node", "items", "allocations", "file", "files", "labels", "total"}
            _check_keys(table, allowed, where, path)
            node = _str(table, "node", where, path, required=True)
            try:
                framework.node(node)
            except KeyError:
                raise SpecError(f"{where}: unknown node {node!r}", file=path) from None
            if node in tabled:  # the second would replace the first without a word
                raise SpecError(f"{where}: node {node!r} already has {tabled[node]}: one expert table per node "
                                "(put every expert of the node in one table)", file=path)
            tabled[node] = where
            kids = [c.id for c in framework.children(node)]
            items = table.get("items", kids)
            if not _list_of(items, str) or sorted(items) != sorted(kids):
                raise SpecError(f"{where}: items must be the children of {node!r}: {', '.join(kids)}", file=path)
            _check_expert_types(table, kind, len(items), where, path)
            for key in ("file", "files"):
                for name in ([table[key]] if key == "file" else table[key]) if key in table else ():
                    edition_file(as_path(path).parent, name, f"{where} {key}", path)


def _list_of(value, kinds) -> bool:
    return isinstance(value, list) and all(isinstance(v, kinds) and not isinstance(v, bool) for v in value)


def _check_expert_types(table: Mapping, kind: str, k: int, where: str, path) -> None:
    """The shapes and types of an expert table, so that a wrong one is named before any use."""
    number = int | float
    if "labels" in table and not _list_of(table["labels"], str):
        raise SpecError(f"{where}: labels must be a list of strings", file=path)
    if kind == "ahp":
        if "files" in table and not (_list_of(table["files"], str) and table["files"]):
            raise SpecError(f"{where}: files must be a non-empty list of file names", file=path)
        if not isinstance(table.get("matrices", []), list):
            raise SpecError(f"{where}: matrices must be a list of matrices (one per expert), not "
                            f"{_toml_kind(table['matrices'])}", file=path)
        for e, m in enumerate(table.get("matrices", []), start=1):
            if not (isinstance(m, list) and len(m) == k and all(_list_of(r, number | str) and len(r) == k for r in m)):
                raise SpecError(f"{where}: matrix {e} must be {k} rows of {k} numbers or ratios such as \"1/3\"",
                                file=path)
        if "files" not in table and not table.get("matrices"):
            raise SpecError(f"{where}: give matrices = [...] or files = [...]", file=path)
        if table.get("aggregation", "aij") not in ("aij", "aip"):
            raise SpecError(f"{where}: aggregation must be \"aij\" (of judgments) or \"aip\" (of priorities)", file=path)
        if table.get("prioritisation", "eigenvector") not in AHP_PRIORITISATIONS:
            raise SpecError(f"{where}: prioritisation must be \"eigenvector\" or \"llsm\" (logarithmic least squares)",
                            file=path)
        if "expert_weights" in table:
            given = table["expert_weights"]
            experts = len(table["files"]) if "files" in table else len(table.get("matrices", []))
            if not (_list_of(given, number) and len(given) == experts and all(math.isfinite(v) and v >= 0 for v in given)
                    and sum(given) > 0):
                raise SpecError(f"{where}: expert_weights must be one non-negative number per expert "
                                f"({experts} experts), not all zero", file=path)
    else:
        if "file" in table and not isinstance(table["file"], str):
            raise SpecError(f"{where}: file must be a file name", file=path)
        if "files" in table and not (_list_of(table["files"], str) and table["files"]):
            raise SpecError(f"{where}: files must be a non-empty list of file names", file=path)
        if "file" in table and "files" in table:
            raise SpecError(f"{where}: give file or files, not both", file=path)
        rows = table.get("allocations", [])
        if not isinstance(rows, list) or not all(_list_of(r, number) and len(r) == k for r in rows):
            raise SpecError(f"{where}: allocations must be rows of {k} numbers, one row per expert", file=path)
        if "file" not in table and "files" not in table and not rows:
            raise SpecError(f"{where}: give allocations = [...], file = \"...\" or files = [...]", file=path)
        total = table.get("total", 100)
        if isinstance(total, bool) or not isinstance(total, number) or not (math.isfinite(total) and total > 0):
            raise SpecError(f"{where}: total must be a positive number", file=path)


def expert_judgments(edition: Spec) -> list[tuple[str, str, list[str], dict[str, Any]]]:
    """(kind, node, items, params) for every expert table, reading referenced files."""
    out = []
    path = edition.path
    folder = path.parent if path else Path(".")
    for kind in ("ahp", "budget"):
        for table in edition.experts.get(kind, ()):
            node = table["node"]
            items = list(table.get("items", [c.id for c in edition.framework.children(node)]))
            params: dict[str, Any] = {}
            where = f"[[experts.{kind}]] for node {node!r}"
            if kind == "ahp":
                if "files" in table:
                    mats = []
                    files = [edition_file(folder, f, f"{where} files", path) for f in table["files"]]
                    for f, (file_kind, (file_items, m)) in zip(files, read_expert_files(files), strict=True):
                        if file_kind != "ahp":
                            raise SpecError("a budget sheet (first column 'expert'), not pairwise comparisons", file=f)
                        if file_items != items:
                            raise SpecError(f"items {file_items} differ from {items} for node {node!r}", file=f)
                        mats.append(m)
                else:
                    mats = [
                        [[_toml_ratio(v, path) for v in row] for row in m] for m in table.get("matrices", ())
                    ]
                params["matrices"] = mats
                for key in ("expert_weights", "aggregation", "prioritisation"):
                    if key in table:
                        params[key] = table[key]
            else:
                if "file" in table or "files" in table:  # one file of all experts, or one per expert
                    labels, blocks = [], []
                    files = [edition_file(folder, f, f"{where} file", path) for f in table.get("files") or [table["file"]]]
                    for f, (file_kind, parsed) in zip(files, read_expert_files(files), strict=True):
                        if file_kind != "budget":
                            raise SpecError("missing column 'expert': not a budget sheet", file=f)
                        file_items, file_labels, alloc = parsed
                        if sorted(file_items) != sorted(items):
                            raise SpecError(f"items {file_items} differ from {items} for node {node!r}", file=f)
                        blocks.append(alloc[:, [file_items.index(i) for i in items]])
                        labels += file_labels
                    params.update(allocations=np.vstack(blocks), labels=labels)
                else:
                    params["allocations"] = [list(map(float, r)) for r in table.get("allocations", ())]
                if "total" in table:
                    params["total"] = float(table["total"])
            if "labels" in table:
                params["labels"] = list(table["labels"])
            out.append((kind, node, items, params))
    return out


def _check_published(published: Mapping, framework: Framework, cities, path):
    """``[[published.top]]``: node, share, cities (ids of cities.csv), source, complete."""
    ids = {c.id for c in cities}
    nodes = {n.id for n in framework.nodes}
    _check_keys(published, {"top", "notes"}, "[published]", path)
    for where, table in _tables(published.get("top", []), "[published] top ([[published.top]])", "[[published.top]]",
                                path):
        _check_keys(table, {"node", "share", "cities", "source", "complete"}, where, path)
        node = table.get("node")
        if not isinstance(node, str) or node not in nodes:
            raise SpecError(f"{where}: unknown node {node!r} (nodes: {', '.join(sorted(nodes))})", file=path)
        share = table.get("share")
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise SpecError(f"{where}: share must be in (0, 1]", file=path)
        if not (_list_of(table.get("cities"), str) and table["cities"]):
            raise SpecError(f"{where}: cities must be a non-empty list of city ids", file=path)
        listed = set()
        for city in table.get("cities", []):
            if city not in ids:
                raise SpecError(f"{where}: unknown city id {city!r} (not in the cities file)", file=path)
            if city in listed:
                raise SpecError(f"{where}: city {city!r} is listed twice", file=path)
            listed.add(city)
        _str(table, "source", where, path, required=True)
        if "complete" in table and not isinstance(table["complete"], str | bool):
            raise SpecError(f"{where}: complete must be a note (a string) or true/false", file=path)
    if "notes" in published and not isinstance(published["notes"], str):
        raise SpecError("[published] notes must be a string", file=path)


def _toml_ratio(value, path) -> float:
    if isinstance(value, str):
        return parse_ratio(value, file=path, row=None, column=None, error=SpecError)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"[experts] judgment {value!r} is not a number", file=path)
    return float(value)

