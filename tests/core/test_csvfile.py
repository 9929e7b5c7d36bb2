"""The CSV reader and writer against the csv module, on generated files."""

import csv
import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityrank.errors import DataError
from cityrank.formats import csvfile
from cityrank.formats.output import csv_columns, csv_text, number_column, safe_cell, text_column

CELL = st.lists(st.sampled_from([*'ab1.5 ,"\n\r\té-=+@', "e\u0301", "\u00a0"]), max_size=6).map("".join)


def _reference(text: str):
    """What the reader must give: the csv module's records, stripped, blank rows left out."""
    records = list(csv.reader(io.StringIO(unicodedata.normalize("NFC", text), newline=""), strict=True))
    header = [h.strip() for h in records[0]]
    rows = [(n, [c.strip() for c in r]) for n, r in enumerate(records[1:], start=2)
            if any(c.strip() for c in r)]
    return header, rows


@settings(max_examples=150, deadline=None)
@given(width=st.integers(1, 4), data=st.data(), crlf=st.booleans(), block=st.sampled_from([8, 64, 1 << 16]))
def test_batches_agree_with_the_csv_module(tmp_path_factory, width, data, crlf, block):
    header = [f"h{j}" for j in range(width)]
    rows = data.draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=30))
    buf = io.StringIO()
    bare_cr = any("\r" in c for r in rows for c in r)  # csv.writer leaves a lone \r unquoted
    quoting = csv.QUOTE_ALL if bare_cr or data.draw(st.booleans()) else csv.QUOTE_MINIMAL
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=quoting).writerows([header, *rows])
    text = buf.getvalue()
    if data.draw(st.booleans()):
        text = text.replace("\nab", "\n\nab")  # blank lines
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    want_header, want_rows = _reference(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvfile, "BLOCK", block)  # small blocks: the fast path and the csv path both run
        got_header, batches = csvfile.read_batches(path)
        got = [(n, [col[k] for col in cols]) for numbers, cols in batches for k, n in enumerate(numbers)]
    assert got_header == want_header
    assert got == want_rows


def test_a_bad_row_after_a_quoted_block_is_located(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"x\ny"\n2,3\n4\n5,6\n')  # rows are records: the 4th spans two lines
    _, batches = csvfile.read_batches(path)
    with pytest.raises(DataError) as err:
        list(batches)
    assert err.value.row == 4 and "expected 2 fields, found 1" in str(err.value)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(CELL, st.floats(allow_nan=True, allow_infinity=False),
                          st.one_of(st.none(), st.integers(1, 10**12))), max_size=20))
def test_written_csv_reads_back(rows):
    """Both writers give text the csv module reads back to the cells (formula-like text
    prefixed), numbers to the same floats, whole numbers (ranks) to the same integers."""
    import numpy as np

    texts = [t for t, _, _ in rows]
    values = np.array([v for _, v, _ in rows], dtype=float)
    ranks = np.array([np.nan if r is None else r for _, _, r in rows], dtype=float)
    for out in (csv_text(["t", "v", "r"], [[t, None if v != v else v, r] for t, v, r in rows]),
                csv_columns(["t", "v", "r"], [text_column(texts), number_column(values), number_column(ranks, whole=True)])):
        back = list(csv.reader(io.StringIO(out, newline="")))
        assert back[0] == ["t", "v", "r"] and len(back) == len(rows) + 1
        assert [r[0] for r in back[1:]] == [safe_cell(t) for t in texts]
        assert [float(r[1]) if r[1] else None for r in back[1:]] == [None if v != v else v for v in values.tolist()]
        assert [int(r[2]) if r[2] else None for r in back[1:]] == [r for _, _, r in rows]
