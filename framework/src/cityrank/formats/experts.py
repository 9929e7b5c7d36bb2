"""An expert panel's files, one per expert: a pairwise-comparison matrix (as a matrix or as
``item,other,judgment`` pairs) or a budget allocation, CSV or the first sheet of an XLSX."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..model import (
    ahp_reciprocal,
)
from .csvfile import MISSING, parse_number, parse_ratio
from .sheets import read_tables
from .sheets import where as _sheet_place
from .text import CONTROL, as_path

#: the columns of a questionnaire's pair list (cityrank experts questionnaire)
PAIR_COLUMNS = ("item", "other", "judgment")


def _cells_of(path) -> tuple[list[tuple[int, list[str]]], str | None]:
    """The non-empty rows of a CSV file, or of the first sheet of an XLSX file, as
    ``(row number, text cells)``; and the sheet's name (None for CSV). One reader for
    matrices, questionnaires and collection sheets (:mod:`cityrank.formats.sheets`)."""
    sheet, rows = read_tables(as_path(path), error=SpecError)[0]
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
    if CONTROL.search(text):
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
    return _budget(cells, as_path(path), sheet)


def read_expert_file(path) -> tuple[str, tuple]:
    """One expert file read once: ``("budget", (items, labels, allocations))`` for a budget
    sheet (first column ``expert``), else ``("ahp", (items, matrix))``."""
    cells, sheet = _cells_of(path)
    if cells and cells[0][1][0].strip().lower() == "expert":
        return "budget", _budget(cells, as_path(path), sheet)
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
    for f in map(as_path, paths):
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
