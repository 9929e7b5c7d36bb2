"""CSV reading with errors that name the file, row and column."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from ..errors import DataError

MISSING = {"", "na", "n/a", "nan", "null"}


def read_cells(path, *, error=DataError) -> list[list[str]]:
    """Every row of a CSV file as a list of cells (UTF-8, a byte-order mark allowed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read file: {exc}", file=path) from None
    try:
        return list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise error(f"malformed CSV: {exc}", file=path) from None


def read_rows(path, *, error=DataError, required: tuple[str, ...] = ()) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and ``(row number, {column: text})`` pairs; the header is row 1.

    Rejects a missing or unreadable file, an empty file, duplicate or empty column names,
    rows with the wrong number of fields and missing required columns.
    """
    path = Path(path)
    rows = read_cells(path, error=error)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise error("empty file: expected a header row", file=path, row=1)
    header = [h.strip() for h in rows[0]]
    seen = set()
    for h in header:
        if not h:
            raise error("empty column name in the header", file=path, row=1)
        if h in seen:
            raise error("duplicate column in the header", file=path, row=1, column=h)
        seen.add(h)
    for name in required:
        if name not in seen:
            raise error(f"missing required column (the header has: {', '.join(header)})",
                        file=path, row=1, column=name)
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise error(f"expected {len(header)} fields, found {len(row)}", file=path, row=number)
        out.append((number, {h: cell.strip() for h, cell in zip(header, row, strict=True)}))
    return header, out


def parse_number(text: str, *, file, row, column, error=DataError, allow_missing=True) -> float:
    """A finite float; empty / NA means missing (NaN) where allowed."""
    if text.strip().lower() in MISSING:
        if allow_missing:
            return math.nan
        raise error("missing value", file=file, row=row, column=column)
    try:
        value = float(text)
    except ValueError:
        raise error(f"not a number: {text!r}", file=file, row=row, column=column) from None
    if not math.isfinite(value):
        raise error(f"not a finite number: {text!r}", file=file, row=row, column=column)
    return value


def parse_ratio(text: str, *, file, row, column, error) -> float:
    """A judgment such as ``3``, ``0.2`` or ``1/3`` (AHP matrices)."""
    num, slash, den = text.partition("/")
    if not slash:
        return parse_number(text, file=file, row=row, column=column, error=error, allow_missing=False)
    a = parse_number(num, file=file, row=row, column=column, error=error, allow_missing=False)
    b = parse_number(den, file=file, row=row, column=column, error=error, allow_missing=False)
    if b == 0:
        raise error(f"division by zero in {text!r}", file=file, row=row, column=column)
    return a / b
