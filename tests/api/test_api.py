"""The Python API: the same numbers as the CLI, every stage visible, warnings not prints."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import cityrank
from cityrank.plugins import Registry
from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def tiny(registry):
    return cityrank.load(TINY, registry=registry)


def test_load_by_path_or_installed_id(tiny):
    assert tiny.id == "tiny" and len(tiny.cities) == 5 and tiny.indicators == ("fibre", "speed", "transit", "congestion")
    assert cityrank.load("brics-2024", registry=Registry()).title.startswith("2024 BRICS")
    with pytest.raises(cityrank.errors.CityrankError, match="unknown edition"):
        cityrank.load("no-such-edition", registry=Registry())


def test_api_and_cli_give_the_same_numbers(tiny, fresh_cli):
    with pytest.warns(cityrank.CityrankWarning, match="gets a zero score"):  # the worst percentile rank is 0
        res = tiny.run(normaliser="rank", aggregator="geometric")
    cli = json.loads(fresh_cli("run", TINY, "--normaliser", "rank", "--aggregator", "geometric", "--format", "json").stdout)
    table = res.table()
    for city in cli["cities"]:
        assert table.loc[city["id"], "score"] == city["score"] and table.loc[city["id"], "rank"] == city["rank"]
        for domain, v in city["domains"].items():
            assert table.loc[city["id"], f"{domain}_score"] == v["score"]
    assert cli["inputs_sha256"] == res.result.inputs_sha256


def test_stages_are_the_pipeline_step_by_step(tiny):
    res = tiny.run(imputation="mean")
    with (TINY / "data.csv").open() as fh:
        rows = {r["city_id"]: r for r in csv.DictReader(fh)}
    raw, transformed, imputed = res.stage("raw"), res.stage("transformed"), res.stage("imputed")
    assert raw.loc["ber", "speed"] == 150 and math.isnan(raw.loc["lis", "transit"])
    assert raw.loc["ams", "fibre"] == 3  # the label "all-optical" is level 3
    assert transformed.loc["ber", "speed"] == pytest.approx(math.log(150))  # speed is log-transformed
    present = [float(r["transit"]) for r in rows.values() if r["transit"]]
    assert imputed.loc["lis", "transit"] == pytest.approx(sum(present) / len(present))  # mean imputation
    np.testing.assert_array_equal(res.stage("normalised").to_numpy(), res.result.indicator_scores)
    with pytest.raises(cityrank.errors.CityrankError, match="unknown stage"):
        res.stage("cooked")


def test_stats_before_and_after_treatment(tiny):
    """"before" is the data as given (Berlin's 150 Mbit/s, not its log), "after" what the
    normaliser receives (speed is log-transformed; Lisbon's transit is imputed by the mean),
    and the treatment column names each step between them."""
    res = tiny.run(outliers="winsorise", imputation="mean")
    stats = res.stats()
    speed = np.array([200, 150, 90, 220, 80.0])
    assert stats.loc["speed", "min_before"] == 80 and stats.loc["speed", "max_before"] == 220
    assert stats.loc["speed", "sd_before"] == pytest.approx(speed.std(ddof=1))
    assert stats.loc["speed", "min_after"] == pytest.approx(math.log(80))
    transit = np.array([40, 60, 25, 30.0])  # Lisbon has none
    assert stats.loc["transit", "mean_before"] == pytest.approx(transit.mean())
    assert stats.loc["transit", "sd_after"] == pytest.approx(np.append(transit, transit.mean()).std(ddof=1))
    assert stats.loc["transit", "coverage"] == 0.8
    assert stats.loc["speed", "treatment"].startswith("transform log; outliers: ")
    assert stats.loc["transit", "treatment"].startswith("1 imputed; outliers: ")
    for ind in ("fibre", "congestion"):  # no transform, nothing missing: passed means left as it was
        if stats.loc[ind, "treatment"] == "outliers: passed (no treatment)":
            assert stats.loc[ind, "max_after"] == stats.loc[ind, "max_before"]
    plain = tiny.run().stats()["treatment"]
    assert dict(plain) == {"fibre": "none", "speed": "transform log", "transit": "none", "congestion": "none"}


def test_stats_before_is_the_denominated_data(tmp_path, registry):
    """With a denominator, "before" is the indicator divided by it (speed per transit line),
    the value the edition defines, before its log."""
    from conftest import tiny_copy

    folder = tiny_copy(tmp_path / "ed", ("edition.toml", 'unit = "Mbit/s"', 'unit = "Mbit/s per line"\ndenominator = "transit"'))
    stats = cityrank.load(folder, registry=registry).run().stats()
    per_line = np.array([200 / 40, 150 / 60, 220 / 25, 80 / 30])  # Lisbon has no transit
    assert stats.loc["speed", "max_before"] == pytest.approx(per_line.max())
    assert stats.loc["speed", "mean_before"] == pytest.approx(per_line.mean())
    assert stats.loc["speed", "max_after"] == pytest.approx(math.log(per_line.max()))


def test_stats_of_values_near_the_float_limits(tmp_path, registry):
    """sd of ±1e300 is about 7e299, not inf (the squares overflowed), whatever the scale."""
    from conftest import tiny_copy

    folder = tiny_copy(tmp_path / "ed", ("data.csv", "ams,all-optical,200,40,", "ams,all-optical,200,1e300,"),
                       ("data.csv", "ber,2,150,60,", "ber,2,150,-1e300,"))
    stats = cityrank.load(folder, registry=registry).run(normaliser="rank").stats()
    transit = np.array([1e300, -1e300, 25.0, 30.0])  # Lisbon has none
    assert stats.loc["transit", "sd_before"] == pytest.approx(1e300 * np.std(transit / 1e300, ddof=1), rel=1e-12)
    assert math.isfinite(stats.loc["transit", "skew_before"])


def test_drop_is_the_edition_written_without_the_indicator(tiny, registry, tmp_path):
    folder = tmp_path / "ed"
    shutil.copytree(TINY, folder)
    toml = folder / "edition.toml"
    text = toml.read_text()
    start = text.index('[[indicators]]\nid = "transit"')
    end = text.index("[[indicators]]", start + 1)
    toml.write_text(text[:start] + text[end:])
    (folder / "data.csv").write_text("\n".join(",".join(c for k, c in enumerate(line.split(",")) if k != 3)
                                               for line in (TINY / "data.csv").read_text().splitlines()) + "\n")
    by_hand = cityrank.load(folder, registry=registry).run().table()
    dropped = tiny.run(drop=["transit"]).table()
    np.testing.assert_array_equal(dropped["score"].to_numpy(), by_hand["score"].to_numpy())
    compared = cityrank.compare(tiny.run(), tiny.run(drop=["transit"]))
    assert list(compared["rank_change"]) == list(compared["rank_a"] - compared["rank_b"])


def test_api_arguments_of_the_wrong_kind_and_one_string_of_alternatives(tiny, registry):
    """compare() of something that is not a Result, load() of a number: one CityrankError;
    compare() of runs without a city in common warns; normalisers="minmax;rank" is two
    alternatives as on the command line (it was read letter by letter: 'unknown normaliser m')."""
    res = tiny.run()
    with pytest.raises(cityrank.CityrankError, match="compare: b must be the Result"):
        cityrank.compare(res, 5)
    with pytest.raises(cityrank.CityrankError, match="load: expected an edition id"):
        cityrank.load(5)
    hdi = cityrank.load(ROOT / "examples" / "hdi-2022", registry=registry)
    with pytest.warns(cityrank.CityrankWarning, match="no city in common"):
        assert len(cityrank.compare(res, hdi.run())) == 0
    one = tiny.uncertainty(samples=30, seed=2, normalisers="minmax;rank").table()
    listed = tiny.uncertainty(samples=30, seed=2, normalisers=["minmax", "rank"]).table()
    assert list(one["median_rank"]) == list(listed["median_rank"])
    with pytest.raises(cityrank.CityrankError, match="normalisers: expected a list"):
        tiny.uncertainty(samples=5, normalisers=3)


def test_compare_pairs_cities_of_two_editions_as_the_command_does(fresh_cli):
    """Across editions the ids differ; cityrank.compare and `cityrank compare` pair the same
    cities (by GeoNames id) with the same ranks."""
    reg = Registry()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cityrank.CityrankWarning)  # the editions' notes (no data for …)
        a, b = (cityrank.load(e, registry=reg).run() for e in ("asia-2023", "g20-2023"))
    api = cityrank.compare(a, b)
    cli = json.loads(fresh_cli("compare", "asia-2023", "g20-2023", "--format", "json").stdout)
    assert len(api) == cli["in_both"] > 50
    by_cli = {r["id_a"]: (r["rank_a"], r["rank_b"]) for r in cli["cities"]}
    assert {i: (int(api.loc[i, "rank_a"]), int(api.loc[i, "rank_b"])) for i in api.index} == by_cli


def test_weights_of_a_dropped_indicator_are_not_used(tiny, tmp_path, fresh_cli):
    """A what-if keeps its weights file: --drop fibre with a file that weighs fibre gives the
    run without fibre under the other weights, and says the weight is not used (it was
    'unknown indicator or domain id fibre')."""
    with pytest.warns(cityrank.CityrankWarning, match="weights given for fibre are not used"):
        with_fibre = tiny.run(drop=["fibre"], weights={"fibre": 3, "speed": 2}).table()
    without = tiny.run(drop=["fibre"], weights={"speed": 2}).table()
    np.testing.assert_array_equal(with_fibre["score"].to_numpy(), without["score"].to_numpy())
    (tmp_path / "w.csv").write_text("id,weight\nfibre,3\nspeed,2\n")
    out = fresh_cli("run", TINY, "--drop", "fibre", "--weights", tmp_path / "w.csv", "--format", "json")
    assert out.exit_code == 0 and "weights given for fibre are not used" in out.stderr
    scores = {c["id"]: c["score"] for c in json.loads(out.stdout)["cities"]}
    assert scores == dict(zip(without.index, without["score"], strict=True))
    (tmp_path / "d.csv").write_text("city_id,fibre\nams,1\n")
    with pytest.warns(cityrank.CityrankWarning, match="d.csv's values for fibre are not used"):
        given = tiny.run(drop=["fibre"], data=tmp_path / "d.csv").table()
    np.testing.assert_array_equal(given["score"].to_numpy(), tiny.run(drop=["fibre"]).table()["score"].to_numpy())


def test_weights_mapping_equals_a_weights_file(tiny, tmp_path):
    w = tmp_path / "w.csv"
    w.write_text("id,weight\ndigital,1\ntraditional,3\n")
    a = tiny.run(weights={"digital": 1, "traditional": 3}).table()
    b = tiny.run(weights=w).table()
    np.testing.assert_array_equal(a["score"].to_numpy(), b["score"].to_numpy())
    with pytest.raises(cityrank.errors.SpecError, match="unknown indicator or domain id 'bandwidth'"):
        tiny.run(weights={"bandwidth": 2})


def test_notes_come_as_warnings_never_prints(capsys):
    ed = cityrank.load("brics-2024", registry=Registry())
    with pytest.warns(cityrank.CityrankWarning, match="no data for 2 of"):
        ed.run()
    assert capsys.readouterr() == ("", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error", cityrank.CityrankWarning)
        with pytest.raises(cityrank.CityrankWarning):
            ed.run()


def test_without_pandas_tables_are_labelled_numpy(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    table = tiny.run().table()
    assert isinstance(table, cityrank.Table) and table.index[0] == table.index[0]
    assert table["score"].dtype == np.float64 and len(table) == 5
    assert "<table>" in table._repr_html_() and "score" in repr(table)
    with pytest.raises(cityrank.errors.CityrankError, match=r"pip install 'cityrank\[pandas\]'"):
        table.to_pandas()


def test_notebook_display(tiny):
    assert "<table>" in tiny.run()._repr_html_() and "Tiny test edition" in tiny._repr_html_()
    assert tiny.framework().loc["speed", "parent"] == "digital"


def test_uncertainty_from_the_api_equals_the_cli(tiny, fresh_cli):
    ua = tiny.uncertainty(samples=200, seed=3, normalisers=["minmax", "rank"]).table()
    cli = json.loads(fresh_cli("uncertainty", TINY, "--samples", "200", "--seed", "3", "--normalisers", "minmax;rank",
                               "--format", "json").stdout)
    for c in cli["cities"]:
        assert ua.loc[c["id"], "median_rank"] == c["median_rank"] and ua.loc[c["id"], "top_share"] == c["top_share"]


def test_import_cityrank_stays_light():
    code = "import sys, cityrank; print(sorted(m for m in ('pandas', 'matplotlib', 'scipy', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cli_stages_drop_and_stats(fresh_cli, tmp_path):
    folder = tmp_path / "stages"
    result = fresh_cli("run", TINY, "--stages", "-o", f"{folder}/")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["denominated.csv", "imputed.csv", "normalised.csv",
                                                         "ranking.csv", "raw.csv", "transformed.csv", "treated.csv"]
    with (folder / "raw.csv").open() as fh:
        raw = {r["city_id"]: r for r in csv.DictReader(fh)}
    assert float(raw["ber"]["speed"]) == 150
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "run.xlsx"
    assert fresh_cli("run", TINY, "--stages", "--format", "xlsx", "-o", book).exit_code == 0
    assert {"Raw values", "Transformed", "Imputed", "Treated", "Normalised scores"} <= set(openpyxl.load_workbook(book).sheetnames)
    dropped = json.loads(fresh_cli("run", TINY, "--drop", "transit", "--format", "json").stdout)
    assert "transit" not in {i["id"] for i in dropped["indicators"]}
    data = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)
    ber = next(c for c in data["cities"] if c["id"] == "ber")
    assert ber["indicators"]["speed"]["raw"] == 150 and 0 <= ber["indicators"]["speed"]["score"] <= 100
    stats = json.loads(fresh_cli("stats", TINY, "--format", "json").stdout)
    assert {r["indicator"] for r in stats["indicators"]} == {"fibre", "speed", "transit", "congestion"}
    assert fresh_cli("stats", TINY, "--format", "csv").stdout.startswith("indicator,coverage,")


def test_show_tree_draws_the_framework(fresh_cli, tmp_path):
    pytest.importorskip("matplotlib")
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    assert fresh_cli("show", TINY, "--tree", "-o", a).exit_code == 0
    assert fresh_cli("show", TINY, "--tree", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes() and a.read_bytes().startswith(b"<?xml")
    png = tmp_path / "t.png"
    assert fresh_cli("show", TINY, "--tree", "-o", png).exit_code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    bad = fresh_cli("show", TINY, "--tree", "-o", tmp_path / "t.pdf")
    assert bad.exit_code == 2 and "must end in .png or .svg" in bad.stderr
    assert fresh_cli("show", TINY, "--tree").exit_code == 2


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"data": {"speed": 1}}, "data: expected the path of a CSV file or a cityrank Dataset, not a dict"),
    ({"data": 3}, "not a int"),
    ({"weights": 1.5}, "weights: expected {id: weight} or the path of a CSV file, not a float"),
    ({"drop": [1]}, "drop: expected indicator ids"),
    ({"normaliser": "rank:method=q"}, "method must be 'n-1' or 'n'"),
])
def test_wrong_arguments_are_one_cityrank_error(tiny, kwargs, message):
    """What a notebook may pass by mistake is a CityrankError naming the argument, not an
    AttributeError from deep inside."""
    with pytest.raises(cityrank.CityrankError, match=re_escape(message)):
        tiny.run(**kwargs)
    if "data" in kwargs:
        with pytest.raises(cityrank.CityrankError, match="data: expected"):
            tiny.uncertainty(10, data=kwargs["data"])


def re_escape(text):
    import re

    return re.escape(text)


def test_check_is_what_validate_reports(tiny, fresh_cli, tmp_path):
    """Edition.check and `cityrank validate --format json` are one report; an edition that
    cannot be ranked has its error there, and validate exits 2 with it."""
    report = tiny.check()
    assert report["ok"] and report["error"] is None and report["cities"] == 5
    cli = json.loads(fresh_cli("validate", str(TINY), "--format", "json").stdout)
    assert cli == json.loads(json.dumps(report))
    folder = tmp_path / "empty"
    shutil.copytree(TINY, folder)
    (folder / "data.csv").write_text("city_id,fibre,speed,transit,congestion\n"
                                     + "".join(f"{c},,,,\n" for c in ("ams", "ber", "lis", "osl", "rom")))
    empty = cityrank.load(folder, registry=tiny.registry).check()
    assert not empty["ok"] and "no city can be scored" in empty["error"]
    assert set(empty["without_data"]) == {"fibre", "speed", "transit", "congestion"}
    out = fresh_cli("validate", str(folder))
    assert out.exit_code == 2 and "no city can be scored" in out.stderr
