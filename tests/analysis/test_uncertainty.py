"""Uncertainty and sensitivity: against brute force, analytic indices and COINr's stored run."""

from __future__ import annotations

import csv
import json

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityrank.analysis import Assumptions, WeightNoise, sensitivity, sobol_indices, uncertainty
from cityrank.analysis.rankcounts import RankCounts
from cityrank.analysis.sampler import BLOCK, Model
from cityrank.engine import Choices, run
from cityrank.formats.spec import load_edition
from cityrank.model import MethodChoice, Weights
from conftest import ROOT, oracle_file

TINY = ROOT / "tests" / "data" / "tiny" / "edition.toml"
SA = ("coinr_asem", "expected", "sensitivity_vignette")


def _read(name):
    with open(oracle_file(*SA, name)) as fh:
        return list(csv.DictReader(fh))


def _assumptions(edition):
    return Assumptions.for_edition(edition, normalisers=["minmax", "rank"], aggregators=["arithmetic", "harmonic"],
                                   imputations=["none", "mean"], weights=WeightNoise("dirichlet", 5.0))


@pytest.mark.parametrize("unranked_city", [False, True])
def test_rank_intervals_match_a_brute_force_loop(registry, tmp_path, unranked_city):
    edition = load_edition(TINY)
    if unranked_city:  # a city with no data at all is never ranked: shares use the cities ranked
        edition = attrs.evolve(edition, data=attrs.evolve(
            edition.data, values=np.where(np.arange(5)[:, None] == 2, np.nan, edition.data.values)))
    assumptions = _assumptions(edition)
    if unranked_city:  # mean-imputing a ladder level would give a level that does not exist
        assumptions = attrs.evolve(assumptions, imputations=[MethodChoice("none")])
    samples = 300
    result = uncertainty(edition, registry, samples=samples, seed=4, assumptions=assumptions, top=0.4)
    # brute force: the same random draws, one full pipeline run per sample
    model = Model(edition, registry, assumptions)
    draws = model.draw(4, 0)
    assert samples <= BLOCK
    ranks = []
    for s in range(samples):
        values = dict(edition.weights.values)
        for node, w in draws["weights"].items():
            kids = [c.id for c in edition.framework.children(node)]
            values.update(zip(kids, w[s], strict=True))
        variant = attrs.evolve(edition, weights=Weights(values))
        choices = Choices(imputation=assumptions.imputations[draws["imputation"][s]],
                          normaliser=assumptions.normalisers[draws["normaliser"][s]],
                          aggregator=assumptions.aggregators[draws["aggregator"][s]])
        ranks.append(run(variant, registry, choices=choices).rank())
    ranks = np.array(ranks)
    with np.errstate(invalid="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(result.median, np.quantile(ranks, 0.5, axis=0))
        np.testing.assert_allclose(result.p05, np.quantile(ranks, 0.05, axis=0))
        np.testing.assert_allclose(result.p95, np.quantile(ranks, 0.95, axis=0))
        np.testing.assert_allclose(result.mean, ranks.mean(axis=0))
    ranked = (~np.isnan(ranks)).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result.top_share, (ranks <= np.floor(0.4 * ranked)).mean(axis=0))
    assert not unranked_city or np.isnan(result.median[2])
    np.testing.assert_array_equal(result.nominal, run(edition, registry).rank())


def test_linear_shortcut_equals_the_tree_aggregation(registry):
    """All-arithmetic trees take one matrix product per batch; check it against aggregate_tree."""
    from cityrank.engine import effective_weights, local_weights

    edition = load_edition(TINY)
    arithmetic = Assumptions.for_edition(edition, aggregators=["arithmetic"], normalisers=["minmax", "rank"],
                                         imputations=["mean"])
    edition = attrs.evolve(edition, framework=attrs.evolve(edition.framework, nodes=[
        attrs.evolve(n, aggregator=None) for n in edition.framework.nodes]))
    model = Model(edition, registry, arithmetic)
    assert model._arithmetic(0) and all(v is not None for v in model.linear[0])
    d = model.draw(5, 0)
    fast = model.evaluate(d["imputation"], d["normaliser"], d["aggregator"], d["weights"])
    model.linear = [[None, None]]
    slow = model.evaluate(d["imputation"], d["normaliser"], d["aggregator"], d["weights"])
    np.testing.assert_array_equal(fast, slow)
    # effective weights are products of normalised weights down the tree and sum to one
    eff = effective_weights(edition.framework, local_weights(edition.framework, edition.weights))
    assert eff.sum() == pytest.approx(1.0)
    assert eff[0] == pytest.approx(2 / 3 * 1 / 2)  # digital has weight 2 of 3, fibre 1 of 2


def test_effective_weights_match_coinr():
    from asem import read_table
    from cityrank.engine import effective_weights, local_weights

    edition = _asem_edition()
    _, rows = read_table(oracle_file("coinr_asem", "expected", "analysis", "effective_weights.csv"))
    eff = effective_weights(edition.framework, local_weights(edition.framework, edition.weights))
    for j, ind in enumerate(edition.framework.indicators):
        assert eff[j] == pytest.approx(float(rows[ind.id]["EffWeight"]), rel=1e-12), ind.id


def _asem_edition():
    import tempfile
    from pathlib import Path

    from asem import write_edition

    folder = Path(tempfile.mkdtemp())
    return load_edition(write_edition(folder / "asem", oracle_file("coinr_asem", "expected", "pipeline_default",
                                                                   "Treated.csv")))


def test_same_seed_same_result_whatever_chunks_and_workers(registry):
    edition = load_edition(TINY)
    kwargs = {"samples": 2500, "seed": 9, "assumptions": _assumptions(edition)}
    a = uncertainty(edition, registry, **kwargs)
    b = uncertainty(edition, registry, chunk_size=37, workers=2, **kwargs)
    c = uncertainty(run(edition, registry), registry, chunk_size=1000, **kwargs)
    for field in ("median", "p05", "p95", "mean", "top_share"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        np.testing.assert_array_equal(getattr(a, field), getattr(c, field))
    s1 = sensitivity(edition, registry, samples=200, seed=3, assumptions=kwargs["assumptions"], bootstrap=50)
    s2 = sensitivity(edition, registry, samples=200, seed=3, assumptions=kwargs["assumptions"], bootstrap=50,
                     chunk_size=7, workers=2)
    np.testing.assert_array_equal(s1.first, s2.first)
    np.testing.assert_array_equal(s1.total_ci, s2.total_ci)


def test_rank_counts_give_numpy_and_coinr_rank_stats():
    rows = _read("UA_Ranks.csv")
    runs = [k for k in rows[0] if k.startswith("r_")]
    ranks = np.array([[int(r[k]) for k in runs] for r in rows])
    counts = RankCounts(len(rows), len(runs))
    assert counts.resolution == 1  # 51 cities: one counter per rank
    counts.add(ranks.T)
    stats = {r["uCode"]: r for r in _read("UA_RankStats.csv")}
    qs = (0.5, 0.05, 0.95)
    for ours, q, column in zip(counts.quantiles(qs), qs, ("Median", "Q5", "Q95"), strict=True):
        np.testing.assert_allclose(ours, np.quantile(ranks, q, axis=1))
        np.testing.assert_allclose(ours, [float(stats[r["uCode"]][column]) for r in rows])
    np.testing.assert_allclose(counts.mean(), ranks.mean(axis=1))


@given(st.integers(40, 400), st.integers(3, 30), st.integers(0, 10**6))
def test_binned_rank_counts_are_within_their_resolution(n, bins, seed):
    """With fewer counters than ranks, every quantile is within width − 1 ranks of numpy's
    and the mean within (width − 1)/2; the sparse and the dense counting paths agree."""
    rng = np.random.default_rng(seed)
    samples = 60
    ranks = np.argsort(rng.random((samples, n)), axis=1).argsort(axis=1) + 1  # random permutations, 1 … n
    ranks[:, 0] = np.minimum(ranks[:, 0], 3)  # a city that is always near the top (ties allowed in counts)
    counts = RankCounts(n, samples, bins=bins)
    for part in np.array_split(ranks, 4):
        counts.add(part)
    width = counts.resolution
    assert width == -(-n // bins)
    for q in (0.05, 0.5, 0.95):
        exact = np.quantile(ranks, q, axis=0)
        assert np.all(np.abs(counts.quantiles([q])[0] - exact) <= width - 1 + 1e-9)
    assert np.all(np.abs(counts.mean() - ranks.mean(axis=0)) <= (width - 1) / 2 + 1e-9)
    sparse = RankCounts(n, samples, bins=bins)
    for row in ranks:  # one ranking at a time takes the sparse path
        sparse.add(row[None, :])
    np.testing.assert_array_equal(sparse.counts, counts.counts)
    unranked = ranks.copy()
    unranked[:, 5] = 0  # never ranked: no counts, NaN statistics
    partial = RankCounts(n, samples, bins=bins)
    partial.add(unranked)
    assert partial.totals()[5] == 0 and np.isnan(partial.quantiles([0.5])[0, 5]) and np.isnan(partial.mean()[5])


def test_sobol_estimators_reproduce_coinr_sensitivity_indices():
    y = np.array([float(r["mean_abs_rank_shift"]) for r in _read("SA_y_mean_abs_rank_shift.csv")])
    # the shifts themselves, from COINr's stored ranks
    ranks = _read("SA_Ranks.csv")
    runs = [k for k in ranks[0] if k.startswith("r_")]
    nominal = np.array([float(r["Nominal"]) for r in ranks])
    shifts = np.array([np.mean(np.abs(np.array([float(r[k]) for r in ranks]) - nominal)) for k in runs])
    np.testing.assert_allclose(shifts, y)
    n, d = 100, 4
    first, total = sobol_indices(y[:n], y[n:2 * n], y[2 * n:].reshape(d, n))
    expected = {r["Variable"]: r for r in _read("SA_Sensitivity.csv")}
    names = ["Winmax", "Normalisation", "Weights", "Aggregation"]
    np.testing.assert_allclose(first, [float(expected[v]["Si"]) for v in names], rtol=1e-10)
    np.testing.assert_allclose(total, [float(expected[v]["STi"]) for v in names], rtol=1e-10)


def _saltelli(func, d, n, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, d)), rng.random((n, d))
    y_ab = np.array([func(np.where(np.arange(d) == i, b, a)) for i in range(d)])
    return sobol_indices(func(a), func(b), y_ab)


def test_sobol_estimators_on_the_ishigami_function():
    """Ishigami (a = 7, b = 0.1): S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)."""
    def ishigami(u):
        x = np.pi * (2 * u - 1)
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    first, total = _saltelli(ishigami, 3, 2**16, 0)
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=0.03)


def test_sobol_estimators_on_a_linear_model():
    coef = np.array([1.0, 2.0, 3.0])
    first, total = _saltelli(lambda u: u @ coef, 3, 2**15, 1)
    analytic = coef**2 / np.sum(coef**2)  # additive model: S_i = ST_i
    np.testing.assert_allclose(first, analytic, atol=0.02)
    np.testing.assert_allclose(total, analytic, atol=0.02)


def test_sensitivity_finds_what_varies(registry):
    edition = load_edition(TINY)
    fixed = Assumptions.for_edition(edition, normalisers=["minmax", "rank"], weights=WeightNoise("none"))
    result = sensitivity(edition, registry, samples=300, seed=1, assumptions=fixed, bootstrap=100)
    assert result.factors == ("normaliser",)
    assert result.total[0] == pytest.approx(1.0, abs=0.15)
    assert result.first_ci[0, 0] <= result.first[0] <= result.first_ci[0, 1]


def test_bad_options_give_clear_errors(fresh_cli):
    cases = [
        (["--samples", "0"], "'--samples'"),
        (["--samples", "10", "--normalisers", "minmax;nosuch"], "unknown normaliser 'nosuch'"),
        (["--samples", "10", "--weight-noise", "dirichlet", "--concentration", "-1"], "'--concentration'"),
        (["--samples", "10", "--concentration", "inf"], "'--concentration'"),
        (["--samples", "10", "--chunk-size", "0"], "'--chunk-size'"),
        (["--samples", "10", "--top", "nan"], "'--top'"),
        (["--samples", "10", "--top", "-0.5"], "'--top'"),
        (["--samples", "10", "--top", "2"], "'--top'"),
        (["--samples", "10", "--seed", "-1"], "'--seed'"),
        (["--samples", "10", "--aggregators", "arithmetic:min_share=2"], "min_share must be a share"),
    ]
    for args, message in cases:
        result = fresh_cli("uncertainty", TINY, *args)
        assert result.exit_code == 2, args
        assert message in result.stderr and "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = fresh_cli("sensitivity", TINY, "--samples", "10", "--weight-noise", "none")
    assert result.exit_code == 2 and "nothing varies" in result.stderr


def test_cli_outputs_agree_and_are_reproducible(fresh_cli, tmp_path):
    args = ["uncertainty", TINY, "--samples", "500", "--seed", "2", "--normalisers", "minmax;rank"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    fresh_cli(*args, "--format", "json", "-o", a)
    fresh_cli(*args, "--format", "json", "-o", b, "--chunk-size", "13")
    assert a.read_bytes() == b.read_bytes()
    table = fresh_cli(*args).stdout
    assert "5–95% interval" in table and "Amsterdam" in table
    sens = fresh_cli("sensitivity", TINY, "--samples", "100", "--normalisers", "minmax;rank", "--format", "json")
    assert sens.exit_code == 0
    assert "first_order" in sens.stdout


def test_an_invalid_combination_is_refused_before_sampling(fresh_cli):
    result = fresh_cli("uncertainty", TINY, "--samples", "100", "--normalisers", "minmax;zscore",
                       "--aggregators", "arithmetic;geometric")
    assert result.exit_code == 2 and result.stdout == ""
    assert "normaliser zscore and aggregator geometric cannot be combined" in result.stderr


def test_weights_file_means_the_same_as_for_run(fresh_cli, tmp_path):
    """--weights FILE sets the nominal weights: the nominal ranks are run's with that file."""
    w = tmp_path / "w.csv"
    w.write_text("id,weight\ndigital,0.1\ntraditional,5\n")
    ua = json.loads(fresh_cli("uncertainty", TINY, "--samples", "20", "--weights", w, "--format", "json").stdout)
    run = json.loads(fresh_cli("run", TINY, "--weights", w, "--format", "json").stdout)
    assert {c["id"]: c["nominal_rank"] for c in ua["cities"]} == {c["id"]: c["rank"] for c in run["cities"]}
    plain = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)
    assert [c["id"] for c in run["cities"]] != [c["id"] for c in plain["cities"]]  # the file matters


def test_sensitivity_without_variation_says_the_indices_are_undefined(fresh_cli):
    result = fresh_cli("sensitivity", TINY, "--samples", "20", "--weight-noise", "none",
                       "--normalisers", "minmax;minmax", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)  # valid JSON: undefined indices are null, not NaN
    assert data["indices"][0]["first_order"] is None and "undefined" in result.stderr
    assert any("undefined" in n for n in data["notes"])


def test_bootstrap_in_blocks_equals_all_at_once():
    from cityrank.analysis.sensitivity import _bootstrap, sobol_indices

    rng = np.random.default_rng(5)
    y_a, y_b, y_ab = rng.random(300), rng.random(300), rng.random((3, 300))
    boot = np.random.default_rng([9, 13]).integers(300, size=(100, 300))
    want = sobol_indices(y_a[boot], y_b[boot], np.moveaxis(y_ab[:, boot], 0, 1))
    got = _bootstrap(y_a, y_b, y_ab, 100, np.random.default_rng([9, 13]), block=7)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def _panel_edition(tmp_path, matrices):
    from conftest import tiny_copy

    table = '\n\n[[experts.ahp]]\nnode = "index"\nitems = ["digital", "traditional"]\nmatrices = ' + matrices
    return load_edition(tiny_copy(tmp_path / "ed", ("edition.toml", "year = 2024", "year = 2024" + table)))


def test_panel_bootstrap_resamples_the_experts(tmp_path, registry):
    """Three experts (digital 3×, 1×, 1/3× as important as traditional): with the panel
    resampled and nothing else varying, each sample's index weights are the AHP weights of a
    resample of the experts, so the rank intervals widen; with three identical experts
    nothing moves."""
    edition = _panel_edition(tmp_path, '[[[1, 3], ["1/3", 1]], [[1, 1], [1, 1]], [[1, "1/3"], [3, 1]]]')
    assumptions = Assumptions.for_edition(edition, weights=WeightNoise("none"), panel="bootstrap")
    model = Model(edition, registry, assumptions)
    w = model.draw(1, 0)["weights"]["index"]
    # every resample of 3 experts gives digital's share as g/(1 + g), g = 3^((#first − #third)/3)
    possible = {round(3 ** (k / 3) / (1 + 3 ** (k / 3)), 12) for k in range(-3, 4)}
    assert {round(v, 12) for v in w[:, 0]} <= possible and len(set(np.round(w[:, 0], 12))) > 3
    result = uncertainty(edition, registry, samples=500, seed=1, assumptions=assumptions)
    assert np.any(result.p95 > result.p05)
    same = _panel_edition(tmp_path / "same", '[[[1, 3], ["1/3", 1]], [[1, 3], ["1/3", 1]], [[1, 3], ["1/3", 1]]]')
    fixed = uncertainty(same, registry, samples=200, seed=1,
                        assumptions=Assumptions.for_edition(same, weights=WeightNoise("none"), panel="bootstrap"))
    np.testing.assert_array_equal(fixed.p05, fixed.p95)
    np.testing.assert_array_equal(fixed.median, fixed.nominal)


def test_panel_bootstrap_follows_the_tables_aggregation_and_expert_weights(tmp_path, registry):
    """A table with aggregation = "aip" and expert weights (0, 1, 1): the weight-0 expert is
    never drawn, so digital's share is g/(1 + g) with g = 3^(−k/2) for k of the two thirds
    drawn (AIP of 0.5 and 0.25 shares); the nominal weights are the same AIP."""
    def load(folder, extra):
        return _panel_edition(folder, '[[[1, 9], ["1/9", 1]], [[1, 1], [1, 1]], [[1, "1/3"], [3, 1]]]' + extra)

    edition = load(tmp_path, '\naggregation = "aip"\nexpert_weights = [0, 1, 1]')
    model = Model(edition, registry, Assumptions.for_edition(edition, weights=WeightNoise("none"), panel="bootstrap"))
    share = model.draw(1, 0)["weights"]["index"][:, 0]
    possible = {round(1 / (1 + 3 ** (k / 2)), 12) for k in range(3)}  # AIP: x = 1 / (1 + 3^(k/2))
    assert {round(v, 12) for v in share} == possible
    aij = load(tmp_path / "aij", '\nexpert_weights = [0, 1, 1]')
    model = Model(aij, registry, Assumptions.for_edition(aij, weights=WeightNoise("none"), panel="bootstrap"))
    share = model.draw(1, 0)["weights"]["index"][:, 0]
    assert {round(v, 12) for v in share} == possible  # two items: AIJ = AIP


def test_sensitivity_apportions_variance_to_the_panel(tmp_path, registry, fresh_cli):
    edition = _panel_edition(tmp_path, '[[[1, 5], ["1/5", 1]], [[1, 1], [1, 1]], [[1, "1/5"], [5, 1]]]')
    assumptions = Assumptions.for_edition(edition, normalisers=["minmax", "rank"], weights=WeightNoise("none"),
                                          panel="bootstrap")
    result = sensitivity(edition, registry, samples=200, seed=2, assumptions=assumptions, bootstrap=20)
    assert result.factors == ("panel", "normaliser") and np.all(np.isfinite(result.total))
    out = fresh_cli("uncertainty", edition.path, "--samples", "50", "--panel", "bootstrap", "--format", "json")
    assert out.exit_code == 0 and json.loads(out.stdout)["assumptions"]["panel"] == "bootstrap"
    bad = fresh_cli("uncertainty", TINY, "--samples", "10", "--panel", "bootstrap")
    assert bad.exit_code == 2 and "no [[experts.ahp]] panel" in bad.stderr


def test_a_top_tier_too_small_for_a_city_is_said(fresh_cli, registry):
    """The top 10 % of 5 cities is floor(0.5) = 0 cities: every top share is 0, and the
    output says so (it printed a column of zeros); at 20 % one city is in the top."""
    import json

    from conftest import ROOT

    tiny = str(ROOT / "tests" / "data" / "tiny")
    small = fresh_cli("uncertainty", tiny, "--samples", "40", "--format", "json")
    data = json.loads(small.stdout)
    assert all(c["top_share"] == 0 for c in data["cities"])
    assert data["notes"] == ["the top 10% of 5 ranked cities holds no city: every top share is 0 "
                             "(a top share of at least 0.2 holds one)"]
    assert "warning: the top 10% of 5 ranked cities holds no city" in small.stderr
    wide = json.loads(fresh_cli("uncertainty", tiny, "--samples", "40", "--top", "0.2", "--format", "json").stdout)
    assert wide["notes"] == [] and sum(c["top_share"] for c in wide["cities"]) == pytest.approx(1.0)
