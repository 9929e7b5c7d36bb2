"""``cities.csv``: id, name, country (ISO3), GeoNames id, latitude, longitude and any extra
columns; every error names the file, row and column."""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import DataError
from ..model import (
    City,
)
from .csvfile import MISSING, parse_number, read_batches
from .text import CONTROL, CONTROL_BUT_LINE_BREAKS, as_path

CITY_COLUMNS = ("id", "name", "country")


def read_cities(path) -> tuple[City, ...]:
    """cities.csv: id, name, country (ISO3), optional geonameid, latitude, longitude, extra columns.

    Read a batch of rows at a time, a column at once; the first bad row of a batch is the one
    reported, whichever column it is in."""
    path = as_path(path)
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
            control = CONTROL if column in CITY_COLUMNS else CONTROL_BUT_LINE_BREAKS  # a note may span lines
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
            values = floats(col[key])
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


def _whole(text: str) -> int:
    """A whole number as a file writes it (Python's int() also takes 2_759_794)."""
    if "_" in text:
        raise ValueError(text)
    return int(text)


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


def floats(texts: list[str]) -> np.ndarray | None:
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
