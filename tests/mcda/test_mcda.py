"""The MCDA plugin against pymcdm, COINr's Copeland scores and a hand-solved LP."""

from __future__ import annotations

import json

import numpy as np
import pytest

from asem import indicator_ids, matrix, units
from conftest import ROOT, oracle_file

mcda = pytest.importorskip("cityrank_mcda.methods")
pymcdm = pytest.importorskip("pymcdm")

RNG = np.random.default_rng(42)
RAW = RNG.uniform(1, 100, size=(12, 5))
W = np.array([0.3, 0.2, 0.2, 0.2, 0.1])


def test_topsis_matches_pymcdm():
    from pymcdm.methods import TOPSIS
    from pymcdm.normalizations import minmax_normalization, vector_normalization

    types = np.ones(5)
    lo, hi = RAW.min(axis=0), RAW.max(axis=0)
    minmaxed = (RAW - lo) / (hi - lo)
    np.testing.assert_allclose(mcda.topsis(minmaxed, W, normalise="none"),
                               TOPSIS(normalization_function=minmax_normalization)(RAW, W, types), rtol=1e-12)
    np.testing.assert_allclose(mcda.topsis(RAW, W),
                               TOPSIS(normalization_function=vector_normalization)(RAW, W, types), rtol=1e-12)


def test_vikor_matches_pymcdm():
    from pymcdm.methods import VIKOR

    for v in (0.0, 0.5, 0.8):
        q = VIKOR(v=v)(RAW, W, np.ones(5))
        np.testing.assert_allclose(mcda.vikor(RAW, W, v=v), 1 - q, atol=1e-12)


def test_copeland_matches_coinr():
    ids, us = indicator_ids(), units()
    normalised = matrix(oracle_file("coinr_asem", "expected", "pipeline_default", "Normalised.csv"), us, ids)
    pillars = ["Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin"]
    aggregated = matrix(oracle_file("coinr_asem", "expected", "pipeline_default", "Aggregated.csv"), us, pillars)
    expected = matrix(oracle_file("coinr_asem", "expected", "variants", "copeland_scores.csv"), us,
                      ["copeland_pillars_equalw", "copeland_indicators_equalw"])
    np.testing.assert_array_equal(mcda.copeland(aggregated, np.ones(8)), expected[:, 0])
    # Over 49 indicators a pair can tie exactly (24.5 of 49); COINr then compares a float sum
    # of 1/49 weights with 0.5 and gets ±1 by rounding, where an exact tie scores 0. Elsewhere
    # the scores must agree.
    ours = mcda.copeland(normalised, np.ones(len(ids)))
    diff = normalised[:, None, :] - normalised[None, :, :]
    half_points = 2 * (diff > 0).sum(axis=-1) + (diff == 0).sum(axis=-1)
    exact_ties = (half_points == len(ids)).sum(axis=1) - 1  # less the diagonal (0 wins, 49 ties)
    assert np.all(np.abs(ours - expected[:, 1]) <= exact_ties)
    assert np.sum(ours == expected[:, 1]) >= 0.7 * len(us)


def test_benefit_of_the_doubt_by_hand():
    """Cities A (1, 2), B (2, 1), C (1, 1): A and B are on the frontier (score 1); C's best
    weights are w = (1/3, 1/3), where both frontier constraints bind: score 2/3."""
    x = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(mcda.bod(x, np.array([0.5, 0.5])), [1, 1, 2 / 3], atol=1e-9)
    # forcing each indicator to carry at least 0.8 × its nominal share lowers A's score
    restricted = mcda.bod(x, np.array([0.5, 0.5]), lower=0.8)
    assert restricted[0] < 1 and restricted[2] == pytest.approx(2 / 3)


def test_batched_equals_one_call_per_batch():
    w = RNG.dirichlet(np.ones(5), size=4)
    for func in (mcda.topsis, mcda.vikor, mcda.copeland):
        batched = func(RAW, w)
        assert batched.shape == (4, 12)
        for b in range(4):
            np.testing.assert_allclose(batched[b], func(RAW, w[b]))


def test_usable_from_run_uncertainty_and_spec(fresh_cli, tmp_path):
    tiny = ROOT / "tests" / "data" / "tiny"
    result = fresh_cli("run", tiny, "--aggregator", "topsis", "--format", "json")
    assert result.exit_code == 0, result.output
    methods = {(m["stage"], m["target"]): m for m in json.loads(result.stdout)["methods"]}
    assert methods[("aggregator", "index")]["plugin"] == "mcda"
    ua = fresh_cli("uncertainty", tiny, "--samples", "50", "--aggregators", "arithmetic;vikor;copeland",
                   "--format", "json")
    assert ua.exit_code == 0, ua.output
    spec = tmp_path / "ed"
    import shutil

    shutil.copytree(tiny, spec)
    toml = spec / "edition.toml"
    toml.write_text(toml.read_text().replace('aggregator = "arithmetic"', 'aggregator = "vikor:v=0.3"'))
    assert fresh_cli("run", spec, "--format", "csv").exit_code == 0


@pytest.mark.parametrize("name", ["topsis", "vikor", "copeland", "bod"])
def test_an_indicator_missing_everywhere_is_left_out(name):
    """As the arithmetic mean does: a column with no value for any city (a domain without
    data) changes nothing; the other columns rank every city."""
    func = getattr(mcda, name)
    x = RAW / RAW.max(axis=0)
    with_gap = np.column_stack([x[:, :2], np.full(len(x), np.nan), x[:, 2:]])
    w_gap = np.insert(W, 2, 0.25)
    np.testing.assert_allclose(func(with_gap, w_gap), func(x, W), rtol=1e-9)


@pytest.mark.parametrize("name", ["topsis", "vikor", "copeland", "bod"])
def test_a_city_missing_a_value_is_scored_on_what_it_has(name):
    func = getattr(mcda, name)
    x = RAW / RAW.max(axis=0)
    x[3, 1] = np.nan
    out = func(x, W)
    assert np.all(np.isfinite(out))
    x[5] = np.nan  # a city with nothing
    out = func(x, W)
    assert np.isnan(out[5]) and np.all(np.isfinite(np.delete(out, 5)))


def test_topsis_with_a_missing_value_drops_that_term():
    """Independent computation: the closeness from distances over the city's present columns."""
    x = RAW / RAW.max(axis=0)
    x[0, 4] = np.nan
    r = x / np.sqrt(np.nansum(x**2, axis=0))
    v = r * (W / W.sum())
    best, worst = np.nanmax(v, axis=0), np.nanmin(v, axis=0)
    keep = ~np.isnan(v[0])
    d_plus = np.sqrt(((v[0, keep] - best[keep]) ** 2).sum())
    d_minus = np.sqrt(((v[0, keep] - worst[keep]) ** 2).sum())
    assert mcda.topsis(x, W)[0] == pytest.approx(d_minus / (d_plus + d_minus), rel=1e-12)


@pytest.mark.parametrize("name", ["topsis", "vikor", "copeland", "bod"])
def test_readme_example_ranks_every_city(fresh_cli, name):
    result = fresh_cli("run", "brics-2024", "--aggregator", name, "--format", "json")
    assert result.exit_code == 0, result.stderr
    cities = json.loads(result.stdout)["cities"]
    assert len(cities) == 138 and all(c["rank"] is not None for c in cities)


def test_kemeny_is_the_best_of_all_orders():
    """Against brute force over every permutation (N = 6): the same optimum, and every order
    reaching it is listed."""
    import itertools

    x = RNG.integers(0, 4, size=(6, 5)).astype(float)  # small integers: ties and several optima
    e = mcda.outranking(x, W)
    values = {p: mcda._agreement(e, list(p)) for p in itertools.permutations(range(6))}
    best = max(values.values())
    want = sorted(list(p) for p, v in values.items() if abs(v - best) < 1e-9)
    orders, value, exact = mcda.kemeny_orders(x, W)[:3]
    assert exact and value == pytest.approx(best)
    assert sorted(orders) == want


def test_kemeny_of_a_condorcet_order_is_that_order():
    """When one city beats every other, the second every other but the first, …, that order is
    the unique Kemeny order, and the scores rank it."""
    x = np.array([[4.0, 4, 4], [3, 3, 3], [2, 2, 2], [1, 1, 1]])
    orders = mcda.kemeny_orders(x, np.ones(3)).orders
    assert orders == [[0, 1, 2, 3]]
    np.testing.assert_array_equal(mcda.kemeny(x, np.ones(3)), [3, 2, 1, 0])


def test_kemeny_beyond_the_exact_size_is_a_local_optimum():
    x = RNG.uniform(size=(15, 5))
    orders, value, exact = mcda.kemeny_orders(x, W)[:3]
    assert not exact and sorted(orders[0]) == list(range(15))
    e = mcda.outranking(x, W)
    for a in range(15):  # no single move of one city raises the agreement
        for b in range(15):
            trial = orders[0][:a] + orders[0][a + 1:]
            trial.insert(b, orders[0][a])
            assert mcda._agreement(e, trial) <= value + 1e-9


def test_kemeny_command_lists_the_optimal_orders(fresh_cli):
    tiny = ROOT / "tests" / "data" / "tiny"
    out = fresh_cli("kemeny", tiny, "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["exact"] and data["orders"] and all(sorted(o) == sorted(data["orders"][0]) for o in data["orders"])
    run = json.loads(fresh_cli("run", tiny, "--aggregator", "kemeny", "--format", "json").stdout)
    if len(data["orders"]) == 1:  # one optimal order: the kemeny aggregator ranks by it
        assert [c["id"] for c in run["cities"]] == data["orders"][0]
    assert fresh_cli("kemeny", tiny, "--node", "nowhere").exit_code == 2


def test_copeland_by_blocks_is_copeland_over_all_pairs(monkeypatch):
    """Copeland compares a block of cities with all at a time (at 100,000 cities the N × N
    matrices would need 80 GB each): for any block size, the scores are those of the whole
    pairwise matrix, computed here from the outranking shares."""
    rng = np.random.default_rng(5)
    for _ in range(12):
        n, k = int(rng.integers(2, 40)), int(rng.integers(1, 5))
        x = rng.uniform(size=(n, k))
        x[rng.uniform(size=x.shape) < 0.15] = np.nan
        x[0] = np.nan  # a city without data
        w = rng.uniform(0.2, 1.0, size=k)
        e = mcda.outranking(x, w)  # the share on which i beats j, 0 on the diagonal
        beats = np.where(np.abs(e - 0.5) < 1e-9, 0.0, np.sign(e - 0.5))
        np.fill_diagonal(beats, 0.0)
        want = np.where(np.isnan(x).all(axis=1), np.nan, beats.sum(axis=1))
        monkeypatch.setattr(mcda, "PAIRS_AT_ONCE", int(rng.integers(1, 3 * n)))
        np.testing.assert_array_equal(mcda.copeland(x, w), want)
