"""Data-collection sheets: the workbook (and its CSV twin) a collector fills, and reading it back.

A row per city × indicator: what the collector needs to know (the city, the indicator's
definition, unit and ladder levels) and what they fill (the value and its source). The
workbook has a sheet per group of rows (a country's or an indicator's), an instructions sheet
and a hidden sheet of drop-down lists; the CSV twin holds the same rows in one table.
Knows nothing of editions or checks: :mod:`cityrank.collection` does those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import DataError
from .output import csv_text
from .sheets import column_letter, read_tables, where

#: what the sheet says about a row, then what the collector fills
ABOUT = ("city_id", "city", "city_local", "country", "indicator_id", "indicator", "definition", "unit", "levels")
FILLED = ("value", "source_title", "source_url", "language", "published", "page_or_quote", "collector", "note")
#: the columns a returned sheet must keep (the rest may be deleted or moved)
REQUIRED = ("city_id", "indicator_id", *FILLED)
#: sheets of the workbook that hold no rows
INSTRUCTIONS, LISTS = "instructions", "lists"

_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def columns(local: bool) -> list[str]:
    """The header: ``city_local`` only when some city has a name in its own script."""
    return [c for c in (*ABOUT, *FILLED) if local or c != "city_local"]


def sheet_title(text: str, taken: set[str]) -> str:
    """A worksheet name from ``text``: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = _SHEET_NAME.sub("_", text).strip("'") or "rows"
    title, k = base[:31], 1
    while title.lower() in taken or title.lower() in (INSTRUCTIONS, LISTS):
        k += 1
        title = f"{base[:31 - len(str(k)) - 1]}~{k}"
    taken.add(title.lower())
    return title


def workbook(groups: Sequence[tuple[str, list[list[str]], list[tuple[str, ...] | None]]], header: list[str],
             instructions: list[str], languages: Sequence[str]) -> bytes:
    """An XLSX: a sheet per group ``(title, rows, choices)`` (``choices[k]``: the drop-down of
    row k's value, a ladder's labels, or None for a number), instructions, the hidden lists."""
    try:
        from openpyxl import Workbook
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:  # pragma: no cover - depends on the installation
        raise DataError("XLSX sheets need openpyxl: pip install 'cityrank[report]'") from None
    from .xlsx import finish

    wb = Workbook()
    lists = []  # the distinct drop-downs, each a column of the hidden sheet
    value_at, language_at, published_at = (header.index(c) + 1 for c in ("value", "language", "published"))
    first = True
    for title, rows, choices in groups:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append(header)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{column_letter(len(header) - 1)}{len(rows) + 1}"
        ranges: dict[int, list[int]] = {}  # drop-down (its column in the lists) → rows
        for k, (row, choice) in enumerate(zip(rows, choices, strict=True), start=2):
            ws.append(row)
            ws.cell(row=k, column=published_at).number_format = "@"  # a typed date stays as typed
            if choice is not None:
                if choice not in lists:
                    lists.append(choice)
                ranges.setdefault(lists.index(choice), []).append(k)
        for j, numbers in sorted(ranges.items()):
            letter = column_letter(j + 1)  # column A of the lists holds the languages
            check = DataValidation(type="list", formula1=f"{LISTS}!${letter}$1:${letter}${len(lists[j])}",
                                   allow_blank=True, showErrorMessage=True, errorTitle="Level",
                                   error="One of the ladder's levels (see the column 'levels')")
            ws.add_data_validation(check)
            for a, b in _runs(numbers):
                check.add(f"{column_letter(value_at - 1)}{a}:{column_letter(value_at - 1)}{b}")
        if rows and languages:
            check = DataValidation(type="list", formula1=f"{LISTS}!$A$1:$A${len(languages)}", allow_blank=True,
                                   showErrorMessage=True, errorTitle="Language",
                                   error="A two-letter ISO 639-1 code: ar, en, zh, ru …")
            ws.add_data_validation(check)
            letter = column_letter(language_at - 1)
            check.add(f"{letter}2:{letter}{len(rows) + 1}")
    notes = wb.create_sheet(INSTRUCTIONS)
    for line in instructions:
        notes.append([line])
    hidden = wb.create_sheet(LISTS)
    hidden.sheet_state = "hidden"
    for r, code in enumerate(languages, start=1):
        hidden.cell(row=r, column=1, value=code)
    for j, choice in enumerate(lists, start=2):
        for r, label in enumerate(choice, start=1):
            hidden.cell(row=r, column=j, value=label)
    return finish(wb)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as runs of consecutive rows, (first, last)."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def csv_twin(header: list[str], groups) -> bytes:
    """The workbook's rows as one CSV, with a byte-order mark so that a spreadsheet opens its
    Arabic, Chinese or Cyrillic text as UTF-8 (the readers accept the mark)."""
    rows = [row for _, group, _ in groups for row in group]
    return b"\xef\xbb\xbf" + csv_text(header, rows).encode("utf-8")


class Row:
    """A returned row: where it is and the text of its cells (exactly as written)."""

    __slots__ = ("cells", "file", "number", "positions", "sheet")

    def __init__(self, file: Path, sheet: str | None, number: int, cells: dict[str, str], positions: dict[str, int]):
        self.file, self.sheet, self.number, self.cells, self.positions = file, sheet, number, cells, positions

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    def place(self) -> dict:
        """File, sheet, row: where the row is."""
        return {"file": self.file.name, "sheet": self.sheet, "row": self.number}

    def filled(self) -> bool:
        """Whether the collector wrote anything in it (a name alone is not an entry)."""
        return any(self.cells.get(c, "").strip() for c in FILLED if c != "collector")


def read_rows(path) -> Iterator[Row]:
    """Every row of a returned sheet (CSV, or each sheet of a workbook but the instructions and
    lists; a sheet without ``city_id`` and ``indicator_id`` in its first row is not a sheet of
    rows and is skipped). Text is kept exactly as written; a missing column is an error."""
    path = Path(path)
    for sheet, rows in read_tables(path, error=DataError, every_sheet=True, normalise=False):
        if sheet is not None and sheet.lower() in (INSTRUCTIONS, LISTS):
            continue
        if not rows:
            if sheet is None:
                raise DataError("empty file: expected a header row", file=path, row=1)
            continue
        number, head = rows[0]
        header = [h.strip() for h in head]
        if sheet is not None and not {"city_id", "indicator_id"} <= set(header):
            continue
        for name in REQUIRED:
            if name not in header:
                raise DataError(f"missing column (the header has: {', '.join(h for h in header if h)})",
                                file=where(path, sheet), row=number, column=name)
        seen = set()
        for h in header:
            if h and h in seen:
                raise DataError("duplicate column in the header", file=where(path, sheet), row=number, column=h)
            seen.add(h)
        positions = {h: j for j, h in enumerate(header) if h}
        for n, cells in rows[1:]:
            if any(c.strip() for c in cells[len(header):]):
                raise DataError(f"text beyond the header's {len(header)} columns", file=where(path, sheet), row=n)
            yield Row(path, sheet, n, {h: cells[j].strip() if j < len(cells) else ""
                                       for h, j in positions.items()}, positions)
