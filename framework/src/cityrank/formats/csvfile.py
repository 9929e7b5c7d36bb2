"""CSV reading with errors that name the file, row and column."""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataError

MISSING = {"", "na", "n/a", "nan", "null"}
BLOCK = 1 << 16  #: characters of lines read at a time
#: the longest line read (bytes): a device such as /dev/zero, or a file that is not text, would
#: otherwise fill memory before any error could name it
LINE_LIMIT = 1 << 24


def nfc(text: str) -> str:
    """Unicode NFC, so that an id typed with a combining accent matches the precomposed one."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _open(path: Path, error):
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise error("file not found", file=path) from None
    except IsADirectoryError:
        raise error("is a folder, not a CSV file", file=path) from None
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=path) from None
    return io.TextIOWrapper(_Bounded(raw), encoding="utf-8-sig", newline="")


class LineTooLong(Exception):
    """A line longer than :data:`LINE_LIMIT`."""


class _Bounded(io.BufferedIOBase):
    """A binary file read through, refusing a line of more than :data:`LINE_LIMIT` bytes
    (a line ends at LF or CR, as the csv module reads it)."""

    def __init__(self, raw):
        super().__init__()
        self.raw, self.run = raw, 0  # run: bytes since the last line end

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        return self._count(self.raw.read1(size))

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # to the end, a block at a time (each one counted)
            return b"".join(iter(lambda: self.read1(BLOCK), b""))
        return self._count(self.raw.read(size))

    def _count(self, data: bytes) -> bytes:
        end = max(data.rfind(b"\n"), data.rfind(b"\r"))
        self.run = self.run + len(data) if end < 0 else len(data) - end - 1
        if self.run > LINE_LIMIT:
            raise LineTooLong
        return data

    def close(self) -> None:
        self.raw.close()
        super().close()


def _line_blocks(fh, normalise: bool = True) -> Iterator[list[str]]:
    """The file's lines about 64 kB at a time, in Unicode NFC (so that an id typed with a
    combining accent matches the precomposed one); as they are with ``normalise=False``."""
    while block := fh.readlines(BLOCK):
        yield block if not normalise or "".join(block).isascii() else [nfc(line) for line in block]


class _Reading:
    """Turns the decoding and CSV errors of a stream into one error naming the file and row."""

    def __init__(self, path: Path, error):
        self.path, self.error, self.number = path, error, 0  # number: the last record read

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is UnicodeDecodeError:  # decoded in blocks: find the line of the first bad bytes
            raise self.error(_not_utf8(self.path), file=self.path) from None
        if kind is csv.Error:
            raise self.error(f"malformed CSV: {exc}", file=self.path, row=self.number + 1) from None
        if kind is LineTooLong:
            raise self.error(f"a line of more than {LINE_LIMIT >> 20} MiB: not a CSV file", file=self.path) from None
        if kind is not None and issubclass(kind, OSError):
            raise self.error(f"cannot read file: {exc.strerror or exc}", file=self.path) from None
        return False


def _not_utf8(path: Path) -> str:
    """What a file that is not UTF-8 is (UTF-16 as a spreadsheet saves 'Unicode text'), or
    the line of its first bytes that are not UTF-8 (reading the file again: an error path)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
            if head in (b"\xff\xfe", b"\xfe\xff"):
                return "UTF-16 text, not UTF-8: save it as 'CSV UTF-8'"
            fh.seek(0)
            for number in itertools.count(1):
                line = fh.readline(LINE_LIMIT)  # bounded: the line may never end
                if not line or len(line) == LINE_LIMIT:
                    break
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return f"not UTF-8 text: line {number} has the byte {line[exc.start]:#04x} (save the file as UTF-8)"
    except OSError:
        pass
    return "not UTF-8 text"


def iter_cells(path, *, error=DataError, normalise: bool = True) -> Iterator[tuple[int, list[str]]]:
    """``(record number, cells)`` for every record of a CSV file, read as a stream (UTF-8, a
    byte-order mark allowed; a quoted field may span lines). The first record is number 1.
    Text is in Unicode NFC; ``normalise=False`` keeps it exactly as written (free text such as
    a quoted source, whose ids the caller compares in NFC itself)."""
    path = Path(path)
    with _open(path, error) as fh, _Reading(path, error) as reading:
        for reading.number, row in enumerate(csv.reader(itertools.chain.from_iterable(_line_blocks(fh, normalise)),
                                                        strict=True), start=1):
            yield reading.number, row


def read_cells(path, *, error=DataError) -> list[list[str]]:
    """Every record of a CSV file as a list of cells."""
    return [row for _, row in iter_cells(path, error=error)]


def read_rows(path, *, error=DataError, required: tuple[str, ...] = ()) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and an iterator of ``(row number, {column: text})``; the header is row 1.
    The checks are those of :func:`read_batches`."""
    header, batches = read_batches(path, error=error, required=required)

    def rows():
        for numbers, columns in batches:
            for k, number in enumerate(numbers):
                yield number, {h: col[k] for h, col in zip(header, columns, strict=True)}

    return header, rows()


def read_batches(path, *, error=DataError, required: tuple[str, ...] = (),
                 size: int = 8192) -> tuple[list[str], Iterator[tuple[list[int], list[list[str]]]]]:
    """Header and an iterator of batches ``(row numbers, columns)``: a block of data rows at a
    time, each column a list of stripped cells; blank rows are skipped; the header is row 1.

    Rejects a missing or unreadable file, an empty file, duplicate or empty column names and
    missing required columns at once. A row with the wrong number of fields ends its batch:
    the rows before it are yielded (so an earlier bad cell is reported first), then the error
    is raised. A large file thus fails on its first bad row without being read whole.

    A block of lines without quotes, NUL or bare carriage returns in which every line has the
    header's number of fields is split at commas and line ends directly (what the csv module
    would do, several times faster); any other block goes through the csv module, and from the
    first quote on the rest of the file does (a quoted field may span blocks).
    """
    path = Path(path)
    fh = _open(path, error)
    try:
        reading = _Reading(path, error)
        with reading:
            blocks = _line_blocks(fh)
            lines = iter(next(blocks, []))
            head = next(csv.reader(lines, strict=True), None)
        if head is None or not any(cell.strip() for cell in head):
            raise error("empty file: expected a header row", file=path, row=1)
        header = [h.strip() for h in head]
        if header[0].lower().startswith("sep="):
            raise error(f"the first line is a spreadsheet's {','.join(header)!r} line, not a header: "
                        "remove it", file=path, row=1)
        seen = set()
        for h in header:
            if not h:
                raise error("empty column name in the header", file=path, row=1)
            if h in seen:
                raise error("duplicate column in the header", file=path, row=1, column=h)
            seen.add(h)
        for name in required:
            if name not in seen:
                other = next((sep for sep in (";", "\t", "|") if len(header) == 1 and sep in header[0]), None)
                hint = f"; the file seems separated by {other!r}, and cityrank reads commas" if other else ""
                raise error(f"missing required column (the header has: {', '.join(header)}){hint}",
                            file=path, row=1, column=name)
    except BaseException:
        fh.close()
        raise
    width = len(header)

    def batches():
        reading.number = 1
        with fh, reading:
            pending = itertools.chain([list(lines)], blocks)
            for block in pending:
                text = "".join(block)
                if '"' in text:  # quoted fields from here on: the csv module, to the end
                    yield from _csv_batches(itertools.chain(block, itertools.chain.from_iterable(pending)),
                                            reading, width, error, path, size)
                    return
                columns = _split(text, block, width)
                if columns is None:
                    yield from _csv_batches(block, reading, width, error, path, size)
                else:
                    start = reading.number + 1
                    reading.number += len(block)
                    yield from _finish(list(range(start, reading.number + 1)), columns, None,
                                       spaced=_spaced(text))

    return header, batches()


def _split(text: str, block: list[str], width: int) -> list[list[str]] | None:
    """The block's columns by splitting at commas and line ends, or None when that could
    differ from the csv module (NUL, a bare carriage return, a line with another field count)."""
    if "\0" in text or text.count("\r") != text.count("\r\n"):
        return None
    if any(line.count(",") != width - 1 for line in block):
        return None
    cells = text.replace("\r\n", "\n").rstrip("\n").replace("\n", ",").split(",")
    if len(cells) != len(block) * width:
        return None
    return [cells[j::width] for j in range(width)]


def _csv_batches(lines, reading: _Reading, width: int, error, path, size: int):
    """Batches of :func:`_from_rows` from the csv module; the rows before a malformed record are
    yielded before its error is raised."""
    rows: list[list[str]] = []
    problem = None
    try:
        for row in csv.reader(lines, strict=True):
            rows.append(row)
            if len(rows) == size:
                yield from _from_rows(rows, reading, width, error, path)
                rows = []
    except csv.Error as exc:
        problem = exc
    if rows:
        yield from _from_rows(rows, reading, width, error, path)
    if problem is not None:
        raise problem


def _from_rows(rows, reading: _Reading, width: int, error, path):
    """A batch from records of the csv module: blank lines skipped, a row with another field
    count ends the batch (its error is raised after the rows before it)."""
    start = reading.number + 1
    numbers = list(range(start, start + len(rows)))
    late = None
    if set(map(len, rows)) - {width}:
        kept, numbers = [], []
        for number, row in zip(range(start, start + len(rows)), rows, strict=True):
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                late = error(f"expected {width} fields, found {len(row)}", file=path, row=number)
                break
            kept.append(row)
            numbers.append(number)
        rows = kept
    reading.number = start + len(rows) - 1 if late is None else late.row - 1
    columns = [list(col) for col in zip(*rows, strict=True)] or [[] for _ in range(width)]
    yield from _finish(numbers, columns, late)


_SPACE = re.compile(r"\s")
_SPACE_IN_LINE = re.compile(r"[^\S\r\n]")  # white space other than line ends
_ASCII_SPACE = " \t\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip removes in ASCII, line ends aside


def _spaced(text: str) -> bool:
    """Whether the text has white space other than line ends (a character search when ASCII)."""
    if text.isascii():
        return any(ch in text for ch in _ASCII_SPACE)
    return bool(_SPACE_IN_LINE.search(text))


def _finish(numbers: list[int], columns: list[list[str]], late, spaced: bool = True):
    """Strip the cells (only the columns that have white space; none when the block has no
    white space but line ends, ``spaced=False``), drop blank rows, yield."""
    if spaced:
        columns = [list(map(str.strip, col)) if _SPACE.search(",".join(col)) else col for col in columns]
    if "" in columns[0]:  # maybe blank rows (every cell empty): drop them
        keep = [k for k in range(len(numbers)) if any(col[k] for col in columns)]
        if len(keep) < len(numbers):
            numbers = [numbers[k] for k in keep]
            columns = [[col[k] for k in keep] for col in columns]
    if numbers:
        yield numbers, columns
    if late is not None:
        raise late


def parse_number(text: str, *, file, row, column, error=DataError, allow_missing=True) -> float:
    """A finite float; empty / NA means missing (NaN) where allowed."""
    if text.strip().lower() in MISSING:
        if allow_missing:
            return math.nan
        raise error("missing value", file=file, row=row, column=column)
    try:
        if "_" in text:  # Python reads 2_00 as 200; no spreadsheet or CSV writer does
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise error(f"not a number: {text!r}{_number_hint(text)}", file=file, row=row, column=column) from None
    if not math.isfinite(value):
        raise error(f"not a finite number: {text!r}", file=file, row=row, column=column)
    return value


def _number_hint(text: str) -> str:
    """What a cell that is almost a number probably means, for the error message."""
    if "\u2212" in text or "\u2013" in text:
        return " (a typographic minus or dash: write -)"
    if "," in text:
        return " (a decimal comma or a thousands separator: write 1234.5)"
    if text.strip().endswith("%"):
        return " (a percentage: write the number without %)"
    if "_" in text:
        return " (digits grouped with _: write 1234.5)"
    return ""


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
