"""Audit figures against COINr and independent computations; compare and city on known overlaps."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

from asem import read_table, write_edition
from cityrank.analysis.audit import audit, average_ranks, cronbach_alpha, first_component_share
from cityrank.engine import run
from cityrank.formats.spec import load_edition
from conftest import ROOT, oracle_file

scipy_stats = pytest.importorskip("scipy.stats")
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture(scope="module")
def asem_result(tmp_path_factory):
    from cityrank.plugins import Registry

    path = write_edition(tmp_path_factory.mktemp("asem") / "asem",
                         oracle_file("coinr_asem", "expected", "pipeline_default", "Treated.csv"))
    return run(load_edition(path), Registry(environ={}, entry_points=[]))


def test_correlations_match_coinr(asem_result):
    result = audit(asem_result)
    pearson = {(r["child"], r["parent"]): r["pearson"] for r in result.correlations}
    # pillar ↔ index (COINr lists significant ones only: blank = p > 0.05)
    pillars = ["ConEcFin", "Environ", "Instit", "P2P", "Physical", "Political", "Social", "SusEcFin"]
    with open(oracle_file("coinr_asem", "expected", "analysis", "corr_pearson_pillar_vs_index.csv")) as fh:
        rows = list(csv.reader(fh))[1:]
    full = asem_result
    for pillar, row in zip(pillars, rows, strict=True):
        if row:
            assert np.corrcoef(full.score(pillar), full.score())[0, 1] == pytest.approx(float(row[0]), rel=1e-10)
    # indicator ↔ own pillar (rows in COINr's alphabetical order of indicator codes)
    with open(oracle_file("coinr_asem", "expected", "analysis", "corr_pearson_ind_vs_pillar_within.csv")) as fh:
        table = list(csv.reader(fh))
    header, rows = table[0], table[1:]
    codes = sorted((i.id for i in full.edition.framework.indicators), key=str.casefold)
    checked = 0
    for code, row in zip(codes, rows, strict=True):
        parent = full.edition.framework.indicators[full.edition.framework.indicator_ids.index(code)].parent
        cell = row[header.index(parent)]
        if cell:
            assert pearson[(code, parent)] == pytest.approx(float(cell), rel=1e-9)
            checked += 1
    assert checked > 30


def test_cronbach_alpha_matches_coinr(asem_result):
    _, expected = read_table(oracle_file("coinr_asem", "expected", "analysis", "cronbach_alpha_by_pillar_normalised.csv"))
    alphas = {r["node"]: r["cronbach_alpha"] for r in audit(asem_result).nodes}
    for pillar, row in expected.items():
        assert alphas[pillar] == pytest.approx(float(row["cronbach_alpha"]), rel=1e-10)
    assert alphas["SusEcFin"] < 0  # the published negative alpha is flagged
    assert any(f.startswith("SusEcFin: Cronbach's alpha") for f in audit(asem_result).flags)


def test_spearman_and_pca_against_independent_computations(asem_result):
    fw = asem_result.edition.framework
    rows = {(r["child"], r["parent"]): r for r in audit(asem_result).correlations}
    for j, ind in enumerate(fw.indicators[:10]):
        x, y = asem_result.indicator_scores[:, j], asem_result.score(ind.parent)
        assert rows[(ind.id, ind.parent)]["spearman"] == pytest.approx(scipy_stats.spearmanr(x, y).statistic, rel=1e-9)
    kids = [j for j, i in enumerate(fw.indicators) if i.parent == "P2P"]
    items = asem_result.indicator_scores[:, kids]
    z = (items - items.mean(axis=0)) / items.std(axis=0, ddof=1)
    singular = np.linalg.svd(z, compute_uv=False)
    assert first_component_share(items) == pytest.approx(singular[0] ** 2 / np.sum(singular**2), rel=1e-10)
    np.testing.assert_array_equal(average_ranks(np.array([3.0, 1.0, 3.0, 2.0])), [3.5, 1, 3.5, 2])
    assert cronbach_alpha(np.column_stack([np.arange(5.0), np.arange(5.0)])) == pytest.approx(1.0)


def _edition_with(tmp_path, name, keep, registry):
    folder = tmp_path / name
    shutil.copytree(TINY, folder)
    lines = (folder / "cities.csv").read_text().splitlines()
    (folder / "cities.csv").write_text("\n".join([lines[0]] + [row for row in lines[1:] if row.split(",")[0] in keep]) + "\n")
    data = (folder / "data.csv").read_text().splitlines()
    (folder / "data.csv").write_text("\n".join([data[0]] + [row for row in data[1:] if row.split(",")[0] in keep]) + "\n")
    toml = folder / "edition.toml"
    toml.write_text(toml.read_text().replace('id = "tiny"', f'id = "{name}"'))
    return folder


def test_compare_matches_cities_by_geonames_id(fresh_cli, tmp_path, registry):
    a = _edition_with(tmp_path, "a", {"ams", "ber", "lis", "osl"}, registry)
    b = _edition_with(tmp_path, "b", {"ber", "lis", "osl", "rom"}, registry)
    # rename a city id in B: the match is by GeoNames id, not by id
    for f in ("cities.csv", "data.csv"):
        (b / f).write_text((b / f).read_text().replace("ber,", "berlin,"))
    data = json.loads(fresh_cli("compare", a, b, "--format", "json").stdout)
    assert (data["in_both"], data["only_a"], data["only_b"]) == (3, 1, 1)
    ra = {c["id"]: c for c in json.loads(fresh_cli("run", a, "--format", "json").stdout)["cities"]}
    rb = {c["id"]: c for c in json.loads(fresh_cli("run", b, "--format", "json").stdout)["cities"]}
    for row in data["cities"]:
        assert row["rank_a"] == ra[row["id_a"]]["rank"] and row["rank_b"] == rb[row["id_b"]]["rank"]
        assert row["rank_change"] == row["rank_a"] - row["rank_b"]
        assert row["score_change"] == pytest.approx(rb[row["id_b"]]["score"] - ra[row["id_a"]]["score"])
    assert {r["id_b"] for r in data["cities"]} == {"berlin", "lis", "osl"}


def test_city_across_installed_editions(fresh_cli):
    result = fresh_cli("city", "Cairo", "--format", "json")
    assert result.exit_code == 0
    profiles = {p["edition"]: p for p in json.loads(result.stdout)}
    assert {"las-2024", "brics-2024"} <= set(profiles)
    brics = json.loads(fresh_cli("run", "brics-2024", "--format", "json").stdout)
    cairo = next(c for c in brics["cities"] if c["id"] == "cairo")
    assert profiles["brics-2024"]["rank"] == cairo["rank"] and profiles["brics-2024"]["tier"] == cairo["tier"]
    strongest, weakest = profiles["brics-2024"]["strongest"], profiles["brics-2024"]["weakest"]
    assert strongest[0]["score"] >= strongest[-1]["score"] >= weakest[-1]["score"] >= weakest[0]["score"]
    assert fresh_cli("city", "Atlantis").exit_code == 2


def test_city_finds_a_city_in_every_edition_that_has_it(fresh_cli):
    """Suzhou (Jiangsu) is in asia-2023 (named by a source) and in brics-2024 (by population):
    `city Suzhou` finds it in both, under one name (no edition has two Suzhous now)."""
    every = json.loads(fresh_cli("city", "Suzhou", "--format", "json").stdout)
    assert {p["edition"] for p in every} >= {"asia-2023", "brics-2024"}
    assert {p["name"] for p in every} == {"Suzhou"}


def test_audit_cli(fresh_cli):
    result = fresh_cli("audit", "brics-2024", "--format", "json")
    data = json.loads(result.stdout)
    assert data["coverage"]["wired_networks"] == 0
    assert any("digital: 2 of 5 children have no data" in f for f in data["flags"])
    assert "flag:" in fresh_cli("audit", "brics-2024").stdout


def test_city_is_found_as_a_reader_types_it(fresh_cli):
    """Case and accents aside: 'sao paulo' is São Paulo (the same profiles as the exact name);
    a name that matches none suggests the closest names."""
    exact = json.loads(fresh_cli("city", "São Paulo", "--format", "json").stdout)
    assert exact and json.loads(fresh_cli("city", "SAO PAULO", "--format", "json").stdout) == exact
    miss = fresh_cli("city", "Sao Pualo")
    assert miss.exit_code == 2 and "(close: São Paulo)" in miss.stderr
    assert "close:" not in fresh_cli("city", "Atlantis").stderr
