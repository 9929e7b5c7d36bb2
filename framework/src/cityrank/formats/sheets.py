"""One reader for the tables people fill in: a CSV file, or the sheets of an XLSX workbook.

Expert questionnaires and data-collection sheets come back through it, so both give the same
errors (file, sheet, row, column). Rows keep the file's numbers (the header is row 1, blank
rows counted); every cell is text: numbers with every digit (``repr``), dates as ISO 8601
(``2024-03-01``), an empty cell as ``""``. No numpy here; openpyxl only for an XLSX.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from ..errors import SpecError
from .csvfile import iter_cells

#: a table: its sheet's name (None for CSV) and its non-empty rows as (row number, cells)
Table = tuple[str | None, list[tuple[int, list[str]]]]


def read_tables(path, *, error=SpecError, every_sheet: bool = False, normalise: bool = True) -> list[Table]:
    """The non-empty rows of a CSV file, or of an XLSX workbook's first sheet (every sheet with
    ``every_sheet``, in the workbook's order). ``normalise=False`` keeps a CSV's text exactly
    as written instead of in Unicode NFC (a workbook's text is always kept as it is)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        rows = [(n, r) for n, r in iter_cells(path, error=error, normalise=normalise) if any(c.strip() for c in r)]
        return [(None, rows)]
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - depends on the installation
        raise error("reading XLSX needs openpyxl: pip install 'cityrank[report]'", file=path) from None
    from .xlsx import check_archive

    check_archive(path, error)  # its declared unpacked size, before openpyxl unpacks anything
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise error(f"not a readable XLSX workbook ({type(exc).__name__})", file=path) from None
    tables = []
    try:
        for k, sheet in enumerate(book.worksheets if every_sheet else book.worksheets[:1]):
            values = list(sheet.iter_rows(values_only=True))
            if any(v is None for row in values for v in row):
                _no_unsaved_formula(path, k, sheet.title, values, error)
            rows = [[cell_text(v) for v in row] for row in values]
            tables.append((sheet.title, [(n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r)]))
    finally:
        book.close()
    return tables


def cell_text(value) -> str:
    """A workbook cell as text: ``repr`` for a float (every digit), ISO 8601 for a date (a date
    and time at midnight as the date alone), ``""`` for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _no_unsaved_formula(path: Path, k: int, title: str, values, error) -> None:
    """A formula whose value the file does not hold reads as empty: say so rather than read a gap."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = book.worksheets[k].iter_rows(values_only=True)
        for n, (row, written) in enumerate(zip(values, formulas, strict=False), start=1):
            for j, (v, f) in enumerate(zip(row, written, strict=False)):
                if v is None and isinstance(f, str) and f.startswith("="):
                    header = values[0][j] if values and j < len(values[0]) and values[0][j] is not None else None
                    raise error(f"the formula {f} has no value saved in the file (open and save it in a spreadsheet "
                                "program, or type the value)", file=where(path, title), row=n,
                                column=str(header) if header is not None else column_letter(j))
    finally:
        book.close()


def where(path, sheet: str | None) -> str:
    """How an error names a place: the file, and the sheet of a workbook."""
    return f"{path} (sheet {sheet!r})" if sheet else str(path)


def column_letter(j: int) -> str:
    """A spreadsheet's name of column ``j`` (0 → A, 26 → AA)."""
    name = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        name = chr(65 + rest) + name
    return name
