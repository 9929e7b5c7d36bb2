"""Derived data files: what the cache gives back is what parsing the file gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityrank import derived

META = {"source": "made up", "package": "none", "version": "0", "licence": "CC0", "built_by": "this test"}
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6).map(lambda t: "x" + t)


def _same(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].tolist() == b[name].tolist(), name


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, st.floats(-1e9, 1e9), TEXT), max_size=12))
def test_the_cache_gives_what_the_file_gives(tmp_path_factory, rows):
    """Built (a miss) and read back (a hit), text columns included, whatever their characters."""
    folder = tmp_path_factory.mktemp("derived")
    path = folder / "points.csv"
    derived.write(path, META, ["name", "value", "note"], rows)
    want = derived.read(path)[1]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYRANK_CACHE", str(folder / "cache"))
        for _ in range(2):  # the first call writes the cache, the second reads it
            derived.load.cache_clear()
            meta, got = derived.load(path)
            _same(want, got)
            assert meta["source"] == "made up"
        files = list((folder / "cache").glob("derived-*"))
        assert len(files) == 1
        files[0].write_bytes(files[0].read_bytes()[:40])  # damaged: read afresh, never an error
        derived.load.cache_clear()
        _same(want, derived.load(path)[1])
    derived.load.cache_clear()


def test_a_text_column_is_kept_compactly(tmp_path, monkeypatch):
    """Text is cached as its UTF-8 bytes and cell lengths, not as fixed-width Unicode."""
    monkeypatch.setenv("CITYRANK_CACHE", str(tmp_path / "cache"))
    rows = [("a" * 200 if k == 0 else f"c{k}", float(k)) for k in range(2000)]
    path = tmp_path / "p.csv"
    derived.write(path, META, ["name", "value"], rows)
    derived.load.cache_clear()
    derived.load(path)
    size = next((tmp_path / "cache").glob("derived-*")).stat().st_size
    assert size < 2000 * 4 * 20  # fixed-width would be 2,000 × 4 × 200 bytes for the text alone
    derived.load.cache_clear()
    assert derived.load(path)[1]["name"].tolist() == [r[0] for r in rows]
    derived.load.cache_clear()
    assert np.array_equal(derived.load(path)[1]["value"], np.arange(2000.0))
