"""A data file (``data.csv``, ``--data``): ``city_id`` and one column per indicator; numbers,
or a ladder's level labels; every error names the file, row and column."""

from __future__ import annotations

import math

import numpy as np

from ..errors import DataError
from ..model import (
    City,
    Dataset,
    Framework,
    Indicator,
)
from .cities import floats
from .csvfile import MISSING, parse_number, read_batches
from .text import as_path, did_you_mean

#: the values each transform accepts, and how to say so
TRANSFORM_DOMAIN = {"log": (lambda v: v > 0, "positive"), "log10": (lambda v: v > 0, "positive"),
                    "sqrt": (lambda v: v >= 0, "non-negative"), "log1p": (lambda v: v > -1, "above -1")}


def read_data(path, cities: tuple[City, ...], framework: Framework, *, source: str | None = None) -> Dataset:
    """data.csv: a ``city_id`` column, then one column per indicator id; empty or NA = missing.

    A ladder-scored indicator accepts the level's label as well as its number (1 … L). Read a
    batch of rows at a time, a column at once; the first bad row of a batch is the one reported.
    """
    path = as_path(path)
    header, batches = read_batches(path, required=("city_id",))
    known = {i.id: i for i in framework.indicators}
    columns = [h for h in header if h != "city_id"]
    for col in columns:
        if col not in known:
            raise DataError(f"unknown indicator{did_you_mean(col, known)} (the edition has: {', '.join(known)})",
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
    out = floats(texts)
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
    if ladder:  # a ladder's cell that is neither a label nor a number: say what it may be
        try:
            value = parse_number(text, file=path, row=number, column=column)
        except DataError:
            raise DataError(f"{text!r} is neither a level of the ladder ({', '.join(map(repr, indicator.levels))}) "
                            f"nor its number 0 … {len(ladder)}{did_you_mean(text, indicator.levels)}",
                            file=path, row=number, column=column) from None
    else:
        value = parse_number(text, file=path, row=number, column=column)
    _check_value(value, indicator, file=path, row=number, column=column)
    return value


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


def _named(ident: str, cities) -> str:
    """`` (the name of city 'ams': …)`` when an unknown id is a city's name (an error path)."""
    wanted = ident.casefold()
    ids = [c.id for c in cities if c.name.casefold() == wanted]
    return f" (the name of city {ids[0]!r}: the city_id column takes the cities file's ids)" if ids else ""
