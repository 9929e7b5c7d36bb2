"""The edition spec: ``edition.toml`` + ``cities.csv`` + ``data.csv`` (see the README for the format).

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

from ..errors import DataError, MethodError, SpecError
from ..model import (
    AHP_PRIORITISATIONS,
    ROOT_ID,
    City,
    Dataset,
    Framework,
    Indicator,
    MethodChoice,
    Methods,
    Node,
    Spec,
    WeightNoise,
    Weights,
    ahp_reciprocal,
)
from .csvfile import MISSING, nfc, parse_number, parse_ratio, read_batches, read_rows
from .sheets import read_tables
from .sheets import where as _sheet_place

INDEX_KEYS = {"id", "name", "aggregator"}
METHOD_KEYS = {"imputation", "outliers", "normaliser", "aggregator", "tiers", "screen"}
DOMAIN_KEYS = {"id", "name", "parent", "weight", "aggregator", "description", "source", "notes"}
INDICATOR_KEYS = {
    "id", "name", "domain", "direction", "weight", "unit", "source", "provider", "transform",
    "normaliser", "levels", "notes", "description", "denominator", "level",
}
TRANSFORMS = ("log", "log10", "log1p", "sqrt")
CITY_COLUMNS = ("id", "name", "country")


def _path(p) -> Path:
    return p if isinstance(p, Path) else Path(os.fspath(p))


#: the largest edition.toml read (bytes): a device such as /dev/zero would otherwise fill memory
TOML_LIMIT = 1 << 24


def _read_bounded(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a file; a larger one is an error naming it."""
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise SpecError(f"larger than {limit >> 20} MiB: not an edition.toml", file=path)
    return data


def read_toml(path) -> dict[str, Any]:
    """A TOML file (UTF-8; a leading byte-order mark, as some editors write, is allowed), every
    string in Unicode NFC; a control character in any string or key is an error naming the key."""
    path = _path(path)
    try:
        data = _read_bounded(path, TOML_LIMIT)
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
        if _CONTROL.search(value):
            raise SpecError(f"{_key_path(where)}: a control character (line break, tab, escape …) in {value!r}; "
                            "a long text spans lines in TOML with a backslash at each line end", file=path)
        return nfc(value)
    if isinstance(value, dict):
        for key in value:
            if _CONTROL.search(key):
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
    path = _path(path)
    try:
        text = _read_bounded(path, TOML_LIMIT).decode("utf-8")
    except (OSError, UnicodeDecodeError, SpecError):
        text = ""  # read_toml below says what is wrong
    head = _EDITION_TABLE.search(text)
    if head:
        end = _NEXT_TABLE.search(text, head.end())
        try:
            ident = tomllib.loads(text[head.end():end.start() if end else len(text)]).get("id")
        except tomllib.TOMLDecodeError:
            ident = None
        if isinstance(ident, str) and ident and not _CONTROL.search(ident):
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


def read_cities(path) -> tuple[City, ...]:
    """cities.csv: id, name, country (ISO3), optional geonameid, latitude, longitude, extra columns.

    Read a batch of rows at a time, a column at once; the first bad row of a batch is the one
    reported, whichever column it is in."""
    path = _path(path)
    header, batches = read_batches(path, required=CITY_COLUMNS)
    extra = [h for h in header if h not in (*CITY_COLUMNS, "geonameid", "latitude", "longitude")]
    where = {h: j for j, h in enumerate(header)}
    cities: list[City] = []
    seen: dict[str, int] = {}
    seen_geonames: dict[int, int] = {}  # GeoNames id: its row (filled as the batches are read)
    for numbers, columns in batches:
        col = {h: columns[j] for h, j in where.items()}
        ids, names = col["id"], col["name"]
        errors = []  # (position in the batch, order of the check, error): the first is raised
        if "" in ids:
            errors.append((ids.index(""), 0, DataError("empty city id", file=path, row=numbers[ids.index("")], column="id")))
        if len(set(ids)) < len(ids) or not seen.keys().isdisjoint(ids):
            mine: dict[str, int] = {}
            for k, ident in enumerate(ids):
                first = seen.get(ident, mine.get(ident))
                if ident and first is not None:
                    errors.append((k, 1, DataError(f"duplicate city id {ident!r} (first on row {first})", file=path,
                                                   row=numbers[k], column="id")))
                    break
                mine.setdefault(ident, numbers[k])
        if "" in names:
            k = names.index("")
            errors.append((k, 2, DataError("empty city name", file=path, row=numbers[k], column="name")))
        for column in header:  # a line break or tab would break every output's lines, an escape drive a terminal
            texts = col[column]
            control = _CONTROL if column in CITY_COLUMNS else _CONTROL_BUT_LINE_BREAKS  # a note may span lines
            if control.search("".join(texts)):
                k = next(k for k, t in enumerate(texts) if control.search(t))
                errors.append((k, 2, DataError(f"a control character (line break, tab …) in {texts[k]!r}", file=path,
                                               row=numbers[k], column=column)))
        geonameids = [None] * len(ids)
        if "geonameid" in col:
            try:
                geonameids = [_whole(t) if t else None for t in col["geonameid"]]
            except ValueError:
                for k, text in enumerate(col["geonameid"]):
                    try:
                        _whole(text or "0")
                    except ValueError:
                        errors.append((k, 3, DataError(f"not a whole number: {text!r}", file=path, row=numbers[k],
                                                       column="geonameid")))
                        break
            else:
                errors += _geonameid_errors(geonameids, numbers, seen_geonames, path)
        coords = {}
        for order, (key, bound) in enumerate((("latitude", 90), ("longitude", 180)), start=4):
            coords[key] = [None] * len(ids)
            if key not in col:
                continue
            values = _floats(col[key])
            if values is not None and not (np.abs(values) > bound).any():
                coords[key] = [None if v != v else v for v in values.tolist()]
                continue
            for k, text in enumerate(col[key]):
                try:
                    value = parse_number(text, file=path, row=numbers[k], column=key)
                    if abs(value) > bound:
                        raise DataError(f"{key} out of range: {value}", file=path, row=numbers[k], column=key)
                except DataError as exc:
                    errors.append((k, order, exc))
                    break
        if errors:
            raise min(errors, key=lambda e: e[:2])[2]
        seen.update(zip(ids, numbers, strict=True))
        attributes = ([dict(zip(extra, row, strict=True)) for row in zip(*(col[h] for h in extra), strict=True)] if extra
                      else itertools.repeat({}))
        cities += map(City, ids, names, col["country"], geonameids, coords["latitude"], coords["longitude"], attributes)
    if not cities:
        raise DataError("no cities", file=path)
    return tuple(cities)


#: characters that break a line or a table's columns (a no-break space or an accent does not)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _whole(text: str) -> int:
    """A whole number as a file writes it (Python's int() also takes 2_759_794)."""
    if "_" in text:
        raise ValueError(text)
    return int(text)


def _named(ident: str, cities) -> str:
    """`` (the name of city 'ams': …)`` when an unknown id is a city's name (an error path)."""
    wanted = ident.casefold()
    ids = [c.id for c in cities if c.name.casefold() == wanted]
    return f" (the name of city {ids[0]!r}: the city_id column takes the cities file's ids)" if ids else ""


def _did_you_mean(name: str, known) -> str:
    """`` (did you mean 'speed'?)`` for a name close to a known one (case aside), else ``""``."""
    folded = {k.casefold(): k for k in known}
    near = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.8)
    return f" (did you mean {folded[near[0]]!r}?)" if near else ""


def _geonameid_errors(geonameids, numbers, seen: dict[int, int], path) -> list:
    """The batch's first GeoNames id that is not positive or that another row has (one place
    listed twice would be ranked twice), as ``(position, 3, error)``; ``seen`` gets the batch."""
    given = [g for g in geonameids if g is not None]
    if not given or (min(given) > 0 and len(set(given)) == len(given) and seen.keys().isdisjoint(given)):
        seen.update((g, n) for g, n in zip(geonameids, numbers, strict=True) if g is not None)
        return []
    for k, (gid, number) in enumerate(zip(geonameids, numbers, strict=True)):
        if gid is None:
            continue
        if gid <= 0:
            return [(k, 3, DataError(f"a GeoNames id is a positive whole number, not {gid}", file=path, row=number,
                                     column="geonameid"))]
        if gid in seen:
            return [(k, 3, DataError(f"GeoNames id {gid} is also on row {seen[gid]}: one place listed twice",
                                     file=path, row=number, column="geonameid"))]
        seen[gid] = number
    return []


def _floats(texts: list[str]) -> np.ndarray | None:
    """A column of cells as finite floats (NaN for missing); None when a cell is not a finite
    number (the caller then finds and reports it)."""
    if "_" in "".join(texts):  # numpy, as Python, reads 2_00 as 200: the caller reports it
        return None
    try:
        out = np.array(texts, dtype=np.float64)
    except ValueError:
        out = None
    if out is not None and np.isfinite(out).all():
        return out
    # missing cells (numpy reads "nan" but not "", "na" or "null"), or a bad one
    missing = np.array([t.lower() in MISSING for t in texts], dtype=bool)
    out = np.full(len(texts), np.nan)
    try:
        out[~missing] = np.array([t for t, m in zip(texts, missing, strict=True) if not m], dtype=np.float64)
    except ValueError:
        return None
    return out if np.isfinite(out[~missing]).all() else None


def read_data(path, cities: tuple[City, ...], framework: Framework, *, source: str | None = None) -> Dataset:
    """data.csv: a ``city_id`` column, then one column per indicator id; empty or NA = missing.

    A ladder-scored indicator accepts the level's label as well as its number (1 … L). Read a
    batch of rows at a time, a column at once; the first bad row of a batch is the one reported.
    """
    path = _path(path)
    header, batches = read_batches(path, required=("city_id",))
    known = {i.id: i for i in framework.indicators}
    columns = [h for h in header if h != "city_id"]
    for col in columns:
        if col not in known:
            raise DataError(f"unknown indicator{_did_you_mean(col, known)} (the edition has: {', '.join(known)})",
                            file=path, row=1, column=col)
    index = {c.id: n for n, c in enumerate(cities)}
    values = np.full((len(cities), len(columns)), np.nan)
    seen: dict[str, int] = {}
    at = header.index("city_id")
    for numbers, cells in batches:
        _read_batch(numbers, cells[at], {h: cells[j] for j, h in enumerate(header) if h != "city_id"},
                    path, known, index, seen, values, columns, cities)
    label = source or str(path)
    # an indicator's own source names where its data comes from, unless a provider computes it
    # (then the source is the provider's, and this file's values are the file's)
    sources = [known[c].source if source is None and known[c].source and known[c].provider is None else label
               for c in columns]
    return Dataset([c.id for c in cities], columns, values, sources, origin=str(path))


def _read_batch(numbers, ids, texts_of, path, known, index, seen, values, columns, cities=()) -> None:
    """Parse a batch of data rows into ``values``: ids one by one, each column at once. The
    first bad row of the batch is reported (a cell numpy cannot read or out of its
    indicator's range is located by the per-cell reader), whichever column it is in."""
    id_error = None
    distinct = set(ids)
    if len(distinct) == len(ids) and index.keys() >= distinct and seen.keys().isdisjoint(ids):
        positions = [index[i] for i in ids]
    else:
        positions = []
        for number, ident in zip(numbers, ids, strict=True):
            if ident not in index:
                id_error = DataError(f"unknown city id {ident!r}{_named(ident, cities)}", file=path, row=number,
                                     column="city_id")
            elif ident in seen:
                id_error = DataError(f"duplicate city id {ident!r} (first on row {seen[ident]})", file=path, row=number,
                                     column="city_id")
            if id_error is not None:
                break
            seen[ident] = number
            positions.append(index[ident])
    n = len(positions)  # the rows before a bad id: their cells may hold an earlier error
    parsed, first_bad = [], None
    for col in columns:
        ind = known[col]
        texts = texts_of[col][:n]
        column = _numbers(texts, ind) if not ind.levels else None
        if column is None:
            column = np.full(len(texts), np.nan)
            for k, (text, number) in enumerate(zip(texts, numbers, strict=False)):
                try:
                    column[k] = _cell(text, ind, path, number, col)
                except DataError as exc:
                    if first_bad is None or k < first_bad[0]:
                        first_bad = (k, exc)
                    break
        parsed.append(column)
    if first_bad is not None:
        raise first_bad[1]
    if id_error is not None:
        raise id_error
    seen.update(zip(ids, numbers, strict=True))
    rows = np.array(positions, dtype=np.int64)
    for j, column in enumerate(parsed):
        values[rows, j] = column


def _numbers(texts: list[str], indicator: Indicator) -> np.ndarray | None:
    """The column as floats (NaN for missing) when every cell is a finite number in the
    indicator's range; None otherwise (the caller then finds and reports the first bad cell)."""
    out = _floats(texts)
    if out is None:
        return None
    present = out[~np.isnan(out)]
    if indicator.transform and not TRANSFORM_DOMAIN[indicator.transform][0](present).all():
        return None
    return out


def _cell(text: str, indicator: Indicator, path, number: int, column: str) -> float:
    """One data cell: a number (NaN for missing) or a ladder level's label, checked."""
    ladder = [v.lower() for v in indicator.levels]
    if ladder and text.lower() in ladder and text.lower() not in MISSING:
        return float(ladder.index(text.lower()) + 1)
    value = parse_number(text, file=path, row=number, column=column)
    _check_value(value, indicator, file=path, row=number, column=column)
    return value


#: the values each transform accepts, and how to say so
TRANSFORM_DOMAIN = {"log": (lambda v: v > 0, "positive"), "log10": (lambda v: v > 0, "positive"),
                    "sqrt": (lambda v: v >= 0, "non-negative"), "log1p": (lambda v: v > -1, "above -1")}


def _check_value(value: float, indicator: Indicator, **where) -> None:
    """A data value the indicator's ladder or transform can take (NaN = missing passes)."""
    if math.isnan(value):
        return
    if indicator.levels and not (value == int(value) and 0 <= value <= len(indicator.levels)):
        raise DataError(f"ladder level must be a whole number from 0 to {len(indicator.levels)} "
                        f"or a level's label, got {value:g}", **where)
    if indicator.transform:
        ok, wanted = TRANSFORM_DOMAIN[indicator.transform]
        if not ok(value):
            raise DataError(f"cannot apply {indicator.transform} to {value:g}: values must be {wanted}", **where)


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
    path = _path(path)
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


def apply_weights_file(weights: Weights, framework: Framework, path, ignore=()) -> Weights:
    """Override local weights from a CSV with columns ``id,weight`` (nodes or indicators);
    rows for the ids ``ignore`` (indicators dropped from the edition) are skipped."""
    path = _path(path)
    _, rows = read_rows(path, error=SpecError, required=("id", "weight"))
    known = set(weights.values)
    values = dict(weights.values)
    seen: dict[str, int] = {}
    for number, row in rows:
        if row["id"] in ignore:
            continue
        if row["id"] not in known:
            raise SpecError(f"unknown indicator or domain id {row['id']!r}{_did_you_mean(row['id'], known)}", file=path,
                            row=number, column="id")
        if row["id"] in seen:
            raise SpecError(f"{row['id']!r} is given twice (first on row {seen[row['id']]})", file=path, row=number,
                            column="id")
        seen[row["id"]] = number
        w = parse_number(row["weight"], file=path, row=number, column="weight", error=SpecError, allow_missing=False)
        if w < 0:
            raise SpecError(f"negative weight {w:g}", file=path, row=number, column="weight")
        values[row["id"]] = w
    check_weights(values, framework, path)
    return Weights(values, f"file {path}")


def apply_weights_mapping(weights: Weights, framework: Framework, given: Mapping[str, float], ignore=()) -> Weights:
    """Override local weights from ``{id: weight}`` (nodes or indicators), as a weights file does."""
    values = dict(weights.values)
    for ident, w in given.items():
        if ident in ignore:
            continue
        if ident not in values:
            raise SpecError(f"weights: unknown indicator or domain id {ident!r}{_did_you_mean(str(ident), values)}")
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise SpecError(f"weights: {ident!r} must be a non-negative number, got {w!r}")
        values[ident] = float(w)
    check_weights(values, framework, None)
    return Weights(values, "given: " + ", ".join(f"{k}={v:g}" for k, v in given.items()))


def check_weights(values: Mapping[str, float], framework: Framework, path) -> None:
    """Every node needs a child of positive weight: with all zero it could not be scored."""
    for node in framework.nodes:
        kids = [c.id for c in framework.children(node.id)]
        if kids and all(values[k] == 0 for k in kids):
            raise SpecError(f"all weights under {node.id!r} are zero ({', '.join(kids)})", file=path)


#: the columns of a questionnaire's pair list (cityrank experts questionnaire)
PAIR_COLUMNS = ("item", "other", "judgment")


def _cells_of(path) -> tuple[list[tuple[int, list[str]]], str | None]:
    """The non-empty rows of a CSV file, or of the first sheet of an XLSX file, as
    ``(row number, text cells)``; and the sheet's name (None for CSV). One reader for
    matrices, questionnaires and collection sheets (:mod:`cityrank.formats.sheets`)."""
    sheet, rows = read_tables(_path(path), error=SpecError)[0]
    return rows, sheet


def read_matrix_file(path) -> tuple[list[str], np.ndarray]:
    """A pairwise-comparison matrix (CSV, or the first sheet of an XLSX): either a matrix
    (header ``,a,b,c``; rows ``a,1,3,1/5`` …) or a questionnaire's pair list (header
    ``item,other,judgment``: how many times more important item is than other, 1/9 … 9; an
    empty judgment is a pair not judged)."""
    kind, parsed = read_expert_file(path)
    if kind != "ahp":
        raise SpecError("a budget sheet (first column 'expert'), not pairwise comparisons", file=path)
    return parsed


def _plain_text(text: str, path, row, column) -> str:
    """``text`` (an item or an expert's name, which outputs print), refusing a control character."""
    if _CONTROL.search(text):
        raise SpecError(f"a control character (line break, tab, escape …) in {text!r}", file=path, row=row,
                        column=column)
    return text


def _where(path, sheet):
    return _sheet_place(path, sheet) if sheet else path


def _pairs(cells, path, sheet) -> tuple[list[str], np.ndarray]:
    items: list[str] = []
    judged = []
    for number, row in cells[1:]:
        if len(row) < 3:
            raise SpecError("expected item, other, judgment", file=_where(path, sheet), row=number)
        a, b, text = row[0].strip(), row[1].strip(), row[2].strip()
        _plain_text(a, _where(path, sheet), number, "item")
        _plain_text(b, _where(path, sheet), number, "other")
        if not a or not b or a == b:
            raise SpecError("a pair needs two different items", file=_where(path, sheet), row=number, column="item")
        for x in (a, b):
            if x not in items:
                items.append(x)
        judged.append((number, a, b, text))
    matrix = np.full((len(items), len(items)), np.nan)
    np.fill_diagonal(matrix, 1.0)
    for number, a, b, text in judged:
        i, j = items.index(a), items.index(b)
        if not np.isnan(matrix[i, j]):
            raise SpecError(f"the pair {a} – {b} is judged twice", file=_where(path, sheet), row=number, column="item")
        if text.lower() in MISSING:
            continue
        value = parse_ratio(text.split()[0], file=_where(path, sheet), row=number, column="judgment", error=SpecError)
        if not 1 / 9 - 1e-9 <= value <= 9 + 1e-9:
            raise SpecError(f"judgment {text} is outside Saaty's scale 1/9 … 9", file=_where(path, sheet), row=number,
                            column="judgment")
        matrix[i, j], matrix[j, i] = value, 1.0 / value
    return items, matrix


def _matrix(cells, path, sheet) -> tuple[list[str], np.ndarray]:
    """An AHP pairwise-comparison matrix as CSV: header ``,a,b,c``; rows ``a,1,3,1/5`` …;
    judgments on Saaty's scale 1/9 … 9; an empty or NA cell is a pair not judged (NaN)."""
    path = _where(path, sheet)
    rows = cells
    if not rows:
        raise SpecError("empty file: expected a header row of item ids", file=path, row=1)
    items = [c.strip() for c in rows[0][1][1:]]
    for item in items:
        _plain_text(item, path, rows[0][0], None)
    if not items or any(not i for i in items) or len(set(items)) != len(items):
        raise SpecError("the header must list distinct item ids after an empty first cell", file=path, row=rows[0][0])
    if len(rows) - 1 != len(items):
        raise SpecError(f"expected {len(items)} rows for {len(items)} items, found {len(rows) - 1}", file=path)
    matrix = np.empty((len(items), len(items)))
    for i, (number, row) in enumerate(rows[1:]):
        if len(row) != len(items) + 1:
            raise SpecError(f"expected {len(items) + 1} fields, found {len(row)}", file=path, row=number)
        if row[0].strip() != items[i]:
            raise SpecError(f"row label {row[0].strip()!r} should be {items[i]!r} (same order as the header)",
                            file=path, row=number)
        for j, cell in enumerate(row[1:]):
            text = cell.strip()
            if text.lower() in MISSING and i != j:  # a pair not judged (the other side, or neither)
                matrix[i, j] = np.nan
                continue
            value = parse_ratio(text, file=path, row=number, column=items[j], error=SpecError)
            if i == j and value != 1:
                raise SpecError(f"an item compared with itself is 1, not {text}", file=path, row=number,
                                column=items[j])
            if not 1 / 9 - 0.005 - 1e-9 <= value <= 9 + 1e-9:  # 0.11: 1/9 to two decimals (ahp_reciprocal)
                raise SpecError(f"judgment {text} is outside Saaty's scale 1/9 … 9", file=path, row=number,
                                column=items[j])
            matrix[i, j] = value
    for i, (number, _) in enumerate(rows[1:]):  # reciprocal, as check_pairwise requires, located in the file
        for j in range(i):
            a, b = matrix[i, j], matrix[j, i]
            if not (np.isnan(a) or np.isnan(b) or ahp_reciprocal(a, b)):
                raise SpecError(f"not reciprocal: {items[i]} vs {items[j]} is {a:g} here but {items[j]} vs {items[i]} "
                                f"is {b:g} on row {rows[j + 1][0]} (so this should be {1 / b:g})", file=path, row=number,
                                column=items[j])
    return items, matrix


def read_budget_file(path) -> tuple[list[str], list[str], np.ndarray]:
    """Budget allocations as CSV or the first sheet of an XLSX: header ``expert,a,b,c``; one
    row per expert (a questionnaire from ``cityrank experts questionnaire --kind budget``)."""
    cells, sheet = _cells_of(path)
    return _budget(cells, _path(path), sheet)


def read_expert_file(path) -> tuple[str, tuple]:
    """One expert file read once: ``("budget", (items, labels, allocations))`` for a budget
    sheet (first column ``expert``), else ``("ahp", (items, matrix))``."""
    cells, sheet = _cells_of(path)
    if cells and cells[0][1][0].strip().lower() == "expert":
        return "budget", _budget(cells, _path(path), sheet)
    if cells and [c.strip().lower() for c in cells[0][1][:3]] == list(PAIR_COLUMNS):
        return "ahp", _pairs(cells, path, sheet)
    return "ahp", _matrix(cells, path, sheet)


def read_expert_files(paths, notes: list[str] | None = None) -> list[tuple[str, tuple]]:
    """:func:`read_expert_file` for each of a panel's files, one per expert. The same file given
    twice (by any name or link) is an error: it would count one expert twice. Two files with
    the same bytes are a note in ``notes``, not an error: two experts who answer a questionnaire
    alike write the same bytes (on a node of two items, one judgment each, that is common)."""
    seen: dict[tuple[int, int], Path] = {}
    contents: dict[str, Path] = {}
    out = []
    for f in map(_path, paths):
        ident, digest = _identity(f)
        if ident is not None and ident in seen:
            raise SpecError(f"is the same file as {seen[ident]}: one expert counted twice (each expert's answers "
                            "in a file of their own)", file=f)
        if ident is not None:
            seen[ident] = f
        if digest is not None and digest in contents and notes is not None:
            notes.append(f"{f} has the same bytes as {contents[digest]}: two experts who answered alike, or one "
                         "expert's file copied (counted twice)?")
        if digest is not None:
            contents.setdefault(digest, f)
        out.append(read_expert_file(f))
    return out


def _identity(path: Path) -> tuple[tuple[int, int] | None, str | None]:
    """A regular file's (device, inode) and the SHA-256 of its bytes; None for anything else
    (the reader reports it)."""
    import hashlib
    import stat

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, None
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except OSError:
        return None, None
    return (st.st_dev, st.st_ino), digest.hexdigest()


def _budget(cells, path, sheet) -> tuple[list[str], list[str], np.ndarray]:
    where = _where(path, sheet)
    header = [c.strip() for c in cells[0][1]] if cells else []
    for name in header:
        _plain_text(name, where, cells[0][0], None)
    while header and not header[-1]:
        header.pop()
    if "expert" not in header:
        raise SpecError("missing column 'expert'", file=where, row=cells[0][0] if cells else 1)
    if len(set(header)) != len(header) or not all(header):
        raise SpecError("the header must have distinct, non-empty column names", file=where, row=cells[0][0])
    items = [h for h in header if h != "expert"]
    if not items:
        raise SpecError("no item columns after 'expert'", file=where, row=cells[0][0])
    if len(cells) < 2:
        raise SpecError("no experts (no rows after the header)", file=where)
    labels, table = [], np.empty((len(cells) - 1, len(items)))
    for n, (number, row) in enumerate(cells[1:]):
        if any(c.strip() for c in row[len(header):]):
            raise SpecError(f"expected {len(header)} fields, found {len(row)}", file=where, row=number)
        row = dict(zip(header, [c.strip() for c in row[:len(header)]] + [""] * (len(header) - len(row)), strict=True))
        label = _plain_text(row["expert"], where, number, "expert") or f"row {number}"
        if label in labels:
            first = cells[1 + labels.index(label)][0]
            raise SpecError(f"expert {label!r} is listed twice (first on row {first})", file=where, row=number,
                            column="expert")
        labels.append(label)
        for j, item in enumerate(items):
            value = parse_number(row[item], file=where, row=number, column=item, error=SpecError, allow_missing=False)
            if value < 0:
                raise SpecError(f"negative allocation {value:g}", file=where, row=number, column=item)
            table[n, j] = value
    return items, labels, table


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
                    edition_file(_path(path).parent, name, f"{where} {key}", path)


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

