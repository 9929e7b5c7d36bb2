"""Aggregators against COINr (tiny vector), against each other (mean inequalities) and batched."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cityrank.methods import aggregators as ag
from conftest import oracle_file

X = np.array([[2.0, 4.0, 8.0]])
W = np.array([1.0, 2.0, 1.0])


def expected(column):
    with open(oracle_file("coinr_asem", "expected", "variants", "tiny_vector_aggregators_x2_4_8_w1_2_1.csv")) as fh:
        return float(next(csv.DictReader(fh))[column])


@pytest.mark.parametrize(("func", "kwargs", "column"), [
    (ag.arithmetic, {}, "amean"), (ag.geometric, {}, "gmean"), (ag.harmonic, {}, "hmean"),
    (ag.power, {"p": 2}, "genmean_p2"), (ag.power, {"p": -1}, "genmean_pm1"),
])
def test_tiny_vector_matches_coinr(func, kwargs, column):
    assert func(X, W, **kwargs)[0] == pytest.approx(expected(column), rel=1e-14)


def test_missing_child_is_dropped_and_weights_renormalised():
    x = np.array([[2.0, np.nan, 8.0], [np.nan, np.nan, np.nan]])
    out = ag.arithmetic(x, W)
    assert out[0] == pytest.approx((2 + 8) / 2)
    assert np.isnan(out[1])
    assert np.isnan(ag.arithmetic(x, W, min_share=0.8)[0])


def test_geometric_zero_rule_and_negative_scores():
    assert ag.geometric(np.array([[0.0, 4.0, 8.0]]), W)[0] == 0.0
    assert ag.harmonic(np.array([[0.0, 4.0, 8.0]]), W)[0] == 0.0
    # a zero with zero weight does not count
    assert ag.geometric(np.array([[0.0, 4.0, 4.0]]), np.array([0.0, 1.0, 1.0]))[0] == pytest.approx(4.0)
    with pytest.raises(ValueError, match="non-negative"):
        ag.geometric(np.array([[-1.0, 4.0, 8.0]]), W)


positive = arrays(np.float64, st.tuples(st.integers(1, 10), st.integers(1, 5)), elements=st.floats(0.01, 1e4))


@given(positive, st.data())
def test_harmonic_le_geometric_le_arithmetic(x, data):
    w = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=x.shape[1], max_size=x.shape[1])))
    h, g, a = ag.harmonic(x, w), ag.geometric(x, w), ag.arithmetic(x, w)
    assert np.all(h <= g * (1 + 1e-9)) and np.all(g <= a * (1 + 1e-9))
    assert np.all(a <= x.max(axis=1) * (1 + 1e-9)) and np.all(h >= x.min(axis=1) * (1 - 1e-9))


def test_batched_weights_equal_separate_calls():
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 100, size=(20, 4))
    w = rng.uniform(0, 1, size=(7, 4))
    for func in (ag.arithmetic, ag.geometric, ag.harmonic):
        batched = func(x, w)
        assert batched.shape == (7, 20)
        for s in range(7):
            np.testing.assert_allclose(batched[s], func(x, w[s]), rtol=1e-12)


def test_power_mean_of_large_p_tends_to_the_maximum_without_overflow():
    from cityrank.methods import aggregators as ag

    x = np.array([[100.0, 50.0, 1.0], [20.0, 20.0, 20.0]])
    w = np.ones(3)
    out = ag.power(x, w, p=1000)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, [100 * (1 / 3) ** (1 / 1000), 20], rtol=1e-12)
    np.testing.assert_allclose(ag.power(x, w, p=-1000), [1 * (1 / 3) ** (-1 / 1000), 20], rtol=1e-12)


def test_huge_weights_are_weights_like_any_other(tmp_path, registry):
    """weight = 1e308 next to 1: the sum would overflow; it must act as (almost) all the weight."""
    import shutil

    from cityrank.engine import run
    from cityrank.formats.spec import load_edition
    from conftest import ROOT

    folder = tmp_path / "ed"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", folder)
    toml = folder / "edition.toml"
    toml.write_text(toml.read_text().replace("weight = 2", "weight = 1e308"))
    result = run(load_edition(folder), registry)
    np.testing.assert_allclose(result.score("index"), result.score("digital"), rtol=1e-12)


def test_a_power_mean_with_negative_p_takes_a_zero_without_warnings():
    """p < 0: a zero score makes the mean 0 (its limit), quietly (numpy warned of a division
    by zero on stderr)."""
    import warnings

    from cityrank.methods.aggregators import power

    x = np.array([[0.0, 50.0, 100.0], [20.0, 50.0, 80.0], [np.nan, 10.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = power(x, np.ones(3), p=-3.0)
    want = (np.mean(np.array([20.0, 50.0, 80.0]) ** -3.0)) ** (-1 / 3)
    np.testing.assert_allclose(got, [0.0, want, 0.0], rtol=1e-12)
