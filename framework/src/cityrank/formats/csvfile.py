"""CSV reading with errors that name the file, row and column."""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataError

MISSING = {"", "na", "n/a", "nan", "null"}


def nfc(text: str) -> str:
    """Unicode NFC, so that an id typed with a combining accent matches the precomposed one."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def iter_cells(path, *, error=DataError) -> Iterator[tuple[int, list[str]]]:
    """``(record number, cells)`` for every record of a CSV file, read as a stream (UTF-8, a
    byte-order mark allowed; a quoted field may span lines). The first record is number 1."""
    path = Path(path)
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise error("file not found", file=path) from None
    except IsADirectoryError:
        raise error("is a folder, not a CSV file", file=path) from None
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=path) from None
    number = 0
    with fh:
        reader = csv.reader((nfc(line) for line in fh), strict=True)  # NFC per line: cheaper than per cell
        try:
            for number, row in enumerate(reader, start=1):
                yield number, row
        except UnicodeDecodeError:  # decoded in blocks: the bad bytes are after the last row read
            where = f" (after row {number})" if number else ""
            raise error(f"not UTF-8 text{where}", file=path) from None
        except csv.Error as exc:
            raise error(f"malformed CSV: {exc}", file=path, row=number + 1) from None
        except OSError as exc:
            raise error(f"cannot read file: {exc.strerror or exc}", file=path) from None


def read_cells(path, *, error=DataError) -> list[list[str]]:
    """Every record of a CSV file as a list of cells."""
    return [row for _, row in iter_cells(path, error=error)]


def read_rows(path, *, error=DataError, required: tuple[str, ...] = ()) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and an iterator of ``(row number, {column: text})``; the header is row 1.

    Rejects a missing or unreadable file, an empty file, duplicate or empty column names and
    missing required columns at once, and a row with the wrong number of fields when the
    iteration reaches it: a large file fails on its first bad row without being read whole.
    """
    path = Path(path)
    records = iter_cells(path, error=error)
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise error("empty file: expected a header row", file=path, row=1)
    header = [h.strip() for h in first[1]]
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

    def rows():
        for number, row in records:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise error(f"expected {len(header)} fields, found {len(row)}", file=path, row=number)
            yield number, {h: cell.strip() for h, cell in zip(header, row, strict=True)}

    return header, rows()


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
