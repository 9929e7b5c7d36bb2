"""The CLI through click's runner: run in every format, method options, validate, listings."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from conftest import EXAMPLES, ROOT

TINY = ROOT / "tests" / "data" / "tiny" / "edition.toml"


def test_run_table_csv_json_agree(fresh_cli):
    table = fresh_cli("run", TINY)
    assert table.exit_code == 0, table.output
    as_csv = list(csv.DictReader(io.StringIO(fresh_cli("run", TINY, "--format", "csv").stdout)))
    as_json = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)
    assert [r["id"] for r in as_csv] == [c["id"] for c in as_json["cities"]]
    for row, city in zip(as_csv, as_json["cities"], strict=True):
        assert float(row["score"]) == city["score"]
        assert int(row["digital_rank"]) == city["domains"]["digital"]["rank"]
        assert city["name"] in table.output
    # the JSON records every method with parameters and version, and a digest of the inputs
    assert len(as_json["inputs_sha256"]) == 64
    stages = {(m["stage"], m["target"]): m for m in as_json["methods"]}
    assert stages[("normaliser", "congestion")]["params"]["upper"] == 60
    assert stages[("normaliser", "fibre")]["method"] == "ladder"
    assert stages[("aggregator", "traditional")]["method"] == "geometric"
    assert all(m["version"] for m in as_json["methods"])


def test_json_scores_follow_the_spec(fresh_cli):
    """Recompute the tiny edition by hand from its data and methods."""
    data = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)
    by = {c["id"]: c for c in data["cities"]}
    ids = ["ams", "ber", "lis", "osl", "rom"]
    fibre = np.array([3, 2, 1, 4, 1]) / 4 * 100
    speed = np.log([200, 150, 90, 220, 80])
    speed = (speed - speed.min()) / (speed.max() - speed.min()) * 100
    digital = (fibre + speed) / 2
    transit = np.array([40, 60, np.nan, 25, 30])
    transit = 1 + (transit - 25) / (60 - 25) * 99
    congestion = (60 - np.array([20, 30, 25, 10, 50])) / 60 * 99
    traditional = np.where(np.isnan(transit), congestion, np.sqrt(np.nan_to_num(transit) * congestion))
    overall = (2 * digital + traditional) / 3
    for k, cid in enumerate(ids):
        assert by[cid]["domains"]["digital"]["score"] == pytest.approx(digital[k])
        assert by[cid]["domains"]["traditional"]["score"] == pytest.approx(traditional[k])
        assert by[cid]["score"] == pytest.approx(overall[k])


def test_output_file_and_byte_identical_reruns(fresh_cli, tmp_path):
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    assert fresh_cli("run", TINY, "--format", "json", "-o", out1).exit_code == 0
    assert fresh_cli("run", TINY, "--format", "json", "-o", out2).exit_code == 0
    assert out1.read_bytes() == out2.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_method_options_change_the_result(fresh_cli):
    base = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)
    other = json.loads(fresh_cli("run", TINY, "--format", "json", "--normaliser", "zscore:mean=50,sd=10",
                                 "--aggregator", "harmonic", "--imputation", "mean").stdout)
    methods = {(m["stage"], m["target"]): m for m in other["methods"]}
    assert methods[("normaliser", "speed")]["method"] == "zscore"
    assert methods[("normaliser", "fibre")]["method"] == "ladder"  # the indicator's own choice stands
    assert methods[("aggregator", "digital")]["method"] == "harmonic"
    assert methods[("aggregator", "traditional")]["method"] == "geometric"
    assert other["inputs_sha256"] != base["inputs_sha256"]


def test_weights_file_option(fresh_cli, tmp_path):
    weights = tmp_path / "w.csv"
    weights.write_text("id,weight\ndigital,0\ntraditional,1\n")
    data = json.loads(fresh_cli("run", TINY, "--format", "json", "--weights", weights).stdout)
    for city in data["cities"]:
        assert city["score"] == pytest.approx(city["domains"]["traditional"]["score"])


def test_user_data_replaces_columns(fresh_cli, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("city_id,speed\nams,10\nber,20\nlis,30\nosl,40\nrom,1000\n")
    data = json.loads(fresh_cli("run", TINY, "--format", "json", "--data", mine).stdout)
    speed = {i["id"]: i for i in data["indicators"]}["speed"]
    assert speed["source"] == str(mine)
    assert {c["id"]: c["domains"]["digital"]["rank"] for c in data["cities"]}["rom"] < 5


def test_example_edition_runs(fresh_cli):
    result = fresh_cli("run", EXAMPLES / "hdi-2022" / "edition.toml", "--limit", "3")
    assert result.exit_code == 0
    assert "Switzerland" in result.output and "Norway" in result.output


def test_validate_and_listings(fresh_cli):
    result = fresh_cli("validate", TINY)
    assert result.exit_code == 0 and result.output.strip().endswith("ok")
    methods = json.loads(fresh_cli("methods", "--format", "json").stdout)
    ids = {(m["kind"], m["id"]) for m in methods}
    for expected in [("normaliser", "ladder"), ("normaliser", "goalposts"), ("aggregator", "geometric"),
                     ("weighting", "ahp"), ("weighting", "budget"), ("imputation", "group_mean"),
                     ("outliers", "winsorise")]:
        assert expected in ids
    plugins = json.loads(fresh_cli("plugins", "--all", "--format", "json").stdout)
    assert any(p["name"] == "builtins" and p["builtin"] for p in plugins)
    assert fresh_cli("editions", "--format", "json").exit_code == 0
    shown = json.loads(fresh_cli("show", TINY, "--format", "json").stdout)
    assert [e["id"] for e in shown["framework"]][:2] == ["index", "digital"]
    assert {e["id"]: e for e in shown["framework"]}["transit"]["coverage"] == pytest.approx(0.8)


def test_weights_ahp_and_budget_commands(fresh_cli, tmp_path):
    a = tmp_path / "e1.csv"
    a.write_text(",traditional,digital,institutional\ntraditional,1,1/3,2\ndigital,3,1,5\ninstitutional,1/2,1/5,1\n")
    b = tmp_path / "e2.csv"
    b.write_text(",traditional,digital,institutional\ntraditional,1,1,1\ndigital,1,1,3\ninstitutional,1,1/3,1\n")
    result = fresh_cli("weights", "ahp", a, b, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["items"] == ["traditional", "digital", "institutional"]
    assert sum(data["weights"]) == pytest.approx(1)
    assert data["weights"][1] == max(data["weights"])
    budget = tmp_path / "budget.csv"
    budget.write_text("expert,traditional,digital,institutional\nA,40,40,20\nB,30,50,20\n")
    data = json.loads(fresh_cli("weights", "budget", budget, "--format", "json").stdout)
    assert data["weights"] == pytest.approx([0.35, 0.45, 0.2])


def test_inconsistent_expert_is_warned(fresh_cli, tmp_path):
    bad = tmp_path / "cyclic.csv"
    bad.write_text(",a,b,c\na,1,9,1/9\nb,1/9,1,9\nc,9,1/9,1\n")
    result = fresh_cli("weights", "ahp", bad)
    assert result.exit_code == 0
    assert "consistency ratio" in result.stderr and "cyclic.csv" in result.stderr


def test_outputs_are_not_overwritten_without_force(fresh_cli, tmp_path):
    out = tmp_path / "ua.json"
    out.write_text("mine\n")
    for args in (["uncertainty", TINY, "--samples", "20"], ["audit", TINY], ["verify", TINY], ["run", TINY]):
        result = fresh_cli(*args, "-o", out)
        assert result.exit_code == 2 and "--force" in result.stderr, args
        assert out.read_text() == "mine\n"
    assert fresh_cli("audit", TINY, "-o", out, "--force").exit_code == 0
    assert out.read_text() != "mine\n"
