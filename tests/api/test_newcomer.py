"""What a newcomer meets in Python: ranks that are whole numbers, a repr for every result,
a complete public namespace, editions found case aside, a default number of samples."""

from __future__ import annotations

import inspect
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

import cityrank
from cityrank.plugins import Registry
from conftest import ROOT, tiny_copy

TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def unranked(tmp_path, registry):
    """tiny with every value of Rome missing: Rome has no score, so no rank."""
    folder = tiny_copy(tmp_path / "ed", ("data.csv", "rom,1,80,30,50", "rom,,,,"))
    return cityrank.load(folder, registry=registry)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cityrank.CityrankWarning)
        yield


def competition_ranks(scores) -> list[int | None]:
    """1 + the number of higher scores ('min' ties, as the README says), None for no score."""
    present = [s for s in scores if not math.isnan(s)]
    return [None if math.isnan(s) else 1 + sum(t > s for t in present) for s in scores]


def whole(column) -> list[int | None]:
    """A pandas Int64 column as Python ints, None for <NA>."""
    import pandas as pd

    return [None if pd.isna(v) else int(v) for v in column]


def test_ranks_are_whole_numbers_and_missing_where_a_city_has_none(unranked):
    """Result.table, compare and the analyses' nominal ranks are nullable Int64 (they were
    float64: 1.0, 2.0 …), equal to the ranks the scores give, and <NA> for Rome."""
    pytest.importorskip("pandas")
    res = unranked.run()
    table = res.table()
    for rank, score in (("rank", "score"), ("digital_rank", "digital_score"), ("traditional_rank", "traditional_score")):
        assert str(table[rank].dtype) == "Int64"
        assert whole(table[rank]) == competition_ranks(table[score].to_numpy())
    assert whole(table["rank"])[-1] is None and table.index[-1] == "rom"

    compared = cityrank.compare(res, unranked.run(normaliser="rank"))
    assert {str(compared[c].dtype) for c in ("rank_a", "rank_b", "rank_change")} == {"Int64"}
    a, b, change = whole(compared["rank_a"]), whole(compared["rank_b"]), whole(compared["rank_change"])
    assert change == [None if x is None or y is None else x - y for x, y in zip(a, b, strict=True)]
    assert a[-1] is None and change[-1] is None

    for analysis in (unranked.uncertainty(samples=20), unranked.acceptability(samples=20)):
        nominal = analysis.table()["nominal_rank"]
        assert str(nominal.dtype) == "Int64"
        assert dict(zip(nominal.index, whole(nominal), strict=True)) == dict(zip(table.index, whole(table["rank"]),
                                                                                  strict=True))
    assert unranked.uncertainty(samples=20).table()["median_rank"].dtype == np.float64  # a statistic of ranks


def test_without_pandas_ranks_are_masked_integers(unranked, monkeypatch):
    """The numpy Table: a rank column is a masked int64 array, masked where there is no rank;
    to_numpy makes that NaN, and to_pandas (with pandas back) a nullable Int64 column."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    table = unranked.run().table()
    assert isinstance(table, cityrank.Table)
    rank = table["rank"]
    assert isinstance(rank, np.ma.MaskedArray) and rank.dtype == np.int64
    assert list(np.ma.getmaskarray(rank)) == [i == "rom" for i in table.index]
    assert list(rank.compressed()) == [r for r in competition_ranks(table["score"]) if r is not None]
    assert list(rank.filled()) == [r or 0 for r in competition_ranks(table["score"])]
    numbers = table.to_numpy()
    assert math.isnan(numbers[table.index.index("rom"), 1]) and numbers[0, 1] == 1.0
    assert repr(table).splitlines()[-1].split() == ["rom", "Rome", "ITA"]  # nothing shown where none
    monkeypatch.undo()
    pytest.importorskip("pandas")
    frame = table.to_pandas()
    assert str(frame["rank"].dtype) == "Int64" and whole(frame["rank"]) == competition_ranks(table["score"])


def test_every_result_has_a_repr_and_an_html_view(tmp_path, registry, monkeypatch):
    """Edition, Result, Uncertainty, Sensitivity, Acceptability, Weighting and Table: a repr
    of their own that says what they are, and HTML for a notebook in which any text from the
    data is escaped (a city called 'Amsterdam <script>')."""
    folder = tiny_copy(tmp_path / "ed", ("cities.csv", "ams,Amsterdam,", "ams,Amsterdam <script>,"))
    ed = cityrank.load(folder, registry=registry)
    res = ed.run()
    monkeypatch.setitem(sys.modules, "pandas", None)
    objects = {"edition": ed, "result": res, "uncertainty": ed.uncertainty(samples=20),
               "sensitivity": ed.sensitivity(samples=10, bootstrap=10), "acceptability": ed.acceptability(samples=20),
               "weights": ed.weights(), "data weights": ed.weights("entropy"), "table": res.table()}
    for name, obj in objects.items():
        assert type(obj).__repr__ is not object.__repr__, name
        text = repr(obj)
        if name != "table":  # a weighting does not know its edition
            assert text.startswith("<cityrank ") and ("tiny" in text or "weights" in name), (name, text)
        page = obj._repr_html_()
        assert "<script>" not in page and ("<table>" in page or "<ul>" in page), name
    for name in ("result", "uncertainty", "acceptability", "table"):
        assert "Amsterdam &lt;script&gt;" in objects[name]._repr_html_(), name


def test_result_repr_counts_the_ranked_and_names_the_first(unranked):
    res = unranked.run()
    table = res.table()
    best = int(np.nanargmax(table["score"]))
    assert repr(res).startswith(f"<cityrank result tiny: 4 of 5 cities ranked, first {table['name'].iloc[best]} "
                                f"({table['score'].iloc[best]:.4g})")


def test_the_public_namespace_is_complete_and_listed():
    """Every public class of cityrank.api is in cityrank.__all__; dir() shows every name of
    __all__ (load and compare were missing: they load on first use) and the documented
    modules, each of which resolves; the module docstring and docs/python.md name each one."""
    import cityrank.api as api

    classes = {n for n, v in vars(api).items() if isinstance(v, type) and v.__module__ == api.__name__
               and not n.startswith("_")}
    assert classes <= set(cityrank.__all__)
    assert {"load", "compare", "Sensitivity"} <= set(cityrank.__all__)
    shown = dir(cityrank)
    assert set(cityrank.__all__) <= set(shown) and shown == sorted(shown)
    for name in [n for n in shown if not n.startswith("__")]:
        assert getattr(cityrank, name) is not None, name
    page = (ROOT / "docs" / "python.md").read_text()
    for name in cityrank.__all__:
        assert f"`{name}" in page and name in cityrank.__doc__, name
    code = "import sys, cityrank; names = dir(cityrank); print('load' in names, 'compare' in names, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "False"]


def test_an_edition_is_found_case_aside_and_a_near_miss_is_suggested(fresh_cli):
    reg = Registry()
    assert cityrank.load("BRICS-2024", registry=reg, with_data=False).id == "brics-2024"
    assert cityrank.load("Brics-2024", registry=reg, with_data=False).id == "brics-2024"
    with pytest.raises(cityrank.CityrankError, match=r"unknown edition 'brics2024'; did you mean 'brics-2024'\?"):
        cityrank.load("brics2024", registry=reg)
    with pytest.raises(cityrank.CityrankError, match="unknown edition") as caught:
        cityrank.load("no-such-thing", registry=reg)
    assert "did you mean" not in str(caught.value)
    out = fresh_cli("run", "brics2024")
    assert out.exit_code == 2 and "did you mean 'brics-2024'?" in out.stderr and not out.stdout


def test_samples_have_one_default_in_the_cli_and_the_api(fresh_cli):
    """--samples may be left out: 1000 for uncertainty, sensitivity and acceptability, as the
    API's default, and the run is the one with --samples 1000."""
    from cityrank.cli import build_cli

    commands = build_cli().commands
    for name in ("uncertainty", "sensitivity", "acceptability"):
        option = next(p for p in commands[name].params if p.name == "samples")
        api_default = inspect.signature(getattr(cityrank.Edition, name)).parameters["samples"].default
        assert option.default == api_default == cityrank.api.SAMPLES == 1000, name
    assert round(1.96 * math.sqrt(0.25 / cityrank.api.SAMPLES), 3) == 0.031  # the ±3.1 points the docs give
    default = fresh_cli("uncertainty", TINY, "--format", "json")
    assert default.exit_code == 0, default.stderr
    assert default.stdout == fresh_cli("uncertainty", TINY, "--samples", "1000", "--format", "json").stdout
    assert json.loads(default.stdout)["samples"] == 1000
