"""Normalisers against COINr's outputs (tiny vector and the ASEM data) and by property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from asem import indicator_ids, matrix, meta, units
from cityrank.methods import normalisers as nz
from conftest import oracle_file

X = np.array([1, 2, 2, 5, np.nan, 10.0])[:, None]
UP = np.array([1.0])


def tiny(column):
    import csv

    with open(oracle_file("coinr_asem", "expected", "variants", "tiny_vector_normalisers.csv")) as fh:
        return np.array([float(r[column]) if r[column] else np.nan for r in csv.DictReader(fh)])[:, None]


@pytest.mark.parametrize(("ours", "column"), [
    (lambda: nz.minmax(X, UP), "minmax0_100"),
    (lambda: nz.zscore(X, UP), "zscore"),
    (lambda: nz.rank(X, UP, scale=1.0), "prank"),
    (lambda: nz.leader(X, UP, scale=1.0), "fracmax"),
    (lambda: nz.minmax(X, UP, 0, 1), "dist2max"),
    (lambda: nz.goalposts(X, UP, lower=0, upper=8, scale=1), "goalposts_0_8_1"),
    (lambda: nz.goalposts(X, -UP, lower=0, upper=8), "goalposts_0_8_100_dirneg"),
    (lambda: nz.minmax(X, UP, 0, 20) * 0 + X * 5, "scaled_0_20"),
])
def test_tiny_vector_matches_coinr(ours, column):
    np.testing.assert_allclose(ours(), tiny(column), rtol=1e-12, equal_nan=True)


def test_asem_minmax_matches_coinr_normalised():
    ids, us = indicator_ids(), units()
    treated = matrix(oracle_file("coinr_asem", "expected", "pipeline_default", "Treated.csv"), us, ids)
    expected = matrix(oracle_file("coinr_asem", "expected", "pipeline_default", "Normalised.csv"), us, ids)
    direction = np.array([float(r["Direction"]) for r in meta() if r["Type"] == "Indicator"])
    np.testing.assert_allclose(nz.minmax(treated, direction), expected, rtol=1e-10, atol=1e-10)


def test_asem_percentile_rank_matches_coinr_prank():
    ids, us = indicator_ids(), units()
    treated = matrix(oracle_file("coinr_asem", "expected", "pipeline_default", "Treated.csv"), us, ids)
    expected = matrix(oracle_file("coinr_asem", "expected", "variants", "prank__Normalised.csv"), us, ids)
    direction = np.array([float(r["Direction"]) for r in meta() if r["Type"] == "Indicator"])
    np.testing.assert_allclose(nz.rank(treated, direction, scale=1.0), expected, atol=1e-12)


def test_goalposts_reproduce_hdi_dimension_caps():
    """UNDP caps the income index at GNI 75,000 and life expectancy at 85 (technical notes)."""
    le = np.array([[20.0], [52.5], [85.0], [90.0]])
    np.testing.assert_allclose(nz.goalposts(le, UP, lower=20, upper=85, scale=1)[:, 0], [0, 0.5, 1, 1])


def test_ladder_maps_levels_to_points():
    # wired networks: 100M fibre 1, gigabit 2, all-optical 3, quantum 4 (the series' published example)
    levels = ["100M optical fibre", "gigabit optical fibre", "all-optical", "quantum communications"]
    x = np.array([[0.0], [1], [2], [4], [np.nan]])
    np.testing.assert_allclose(nz.ladder(x, UP, levels)[:, 0], [0, 25, 50, 100, np.nan])
    np.testing.assert_allclose(nz.ladder(x, UP, levels, points=[1, 3, 6, 10])[:, 0], [0, 10, 30, 100, np.nan])
    with pytest.raises(ValueError, match="whole number"):
        nz.ladder(np.array([[2.5]]), UP, levels)
    with pytest.raises(ValueError, match="increasing"):
        nz.ladder(x, UP, levels, points=[1, 1, 2, 3])


columns = arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)),
                 elements=st.floats(-1e6, 1e6, allow_nan=False))
# well-separated values, so that the property is not drowned in rounding error
grid = arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)),
              elements=st.integers(-1000, 1000).map(float))


@given(columns)
def test_minmax_stays_in_bounds(x):
    y = nz.minmax(x, np.ones(x.shape[1]))
    assert np.all((y >= 0) & (y <= 100))


@given(grid, st.floats(0.01, 100), st.floats(-100, 100))
def test_minmax_is_invariant_to_positive_affine_changes(x, a, b):
    d = np.ones(x.shape[1])
    np.testing.assert_allclose(nz.minmax(a * x + b, d), nz.minmax(x, d), atol=1e-6)


@given(st.lists(st.integers(0, 4), min_size=2, max_size=20))
def test_ladder_is_monotone_in_the_level(levels_reached):
    x = np.array(levels_reached, dtype=float)[:, None]
    y = nz.ladder(x, UP, ["a", "b", "c", "d"], points=[1, 2, 5, 9])[:, 0]
    order = np.argsort(x[:, 0], kind="stable")
    assert np.all(np.diff(y[order]) >= 0)


def test_batched_call_equals_one_call_per_batch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 12, 3))
    d = np.array([1.0, -1.0, 1.0])
    for func in (nz.minmax, nz.zscore, nz.rank):
        batched = func(x, d)
        for b in range(5):
            np.testing.assert_allclose(batched[b], func(x[b], d))


def test_minmax_and_zscore_hold_at_the_edge_of_float_range():
    """Spans of ±1.8e308 overflow to inf: the best city must still score the top."""
    x = np.array([[1e308], [-1e308], [0.0]])
    np.testing.assert_allclose(nz.minmax(x, UP)[:, 0], [100, 0, 50])
    z = nz.zscore(x, UP)[:, 0]
    assert np.all(np.isfinite(z)) and z[0] > z[2] > z[1]
    np.testing.assert_allclose(z, [1, -1, 0], atol=1e-12)


X4 = np.array([[10.0], [20.0], [20.0], [50.0], [np.nan]])


def test_handbook_normalisations_by_hand():
    """The Handbook's table of normalisations on x = 10, 20, 20, 50 (and one missing)."""
    mean = 25.0
    np.testing.assert_allclose(nz.reference(X4, UP, to="mean")[:, 0], [40, 80, 80, 200, np.nan])
    np.testing.assert_allclose(nz.reference(X4, UP, to="mean", kind="difference")[:, 0],
                               [(v - mean) / mean * 100 for v in (10, 20, 20, 50)] + [np.nan])
    np.testing.assert_allclose(nz.reference(X4, UP, to="worst")[:, 0], [100, 200, 200, 500, np.nan])
    np.testing.assert_allclose(nz.reference(X4, -UP, to="best")[:, 0], [100, 50, 50, 20, np.nan])  # less is better
    np.testing.assert_allclose(nz.reference(X4, UP, to="target", target=40, kind="difference")[:, 0],
                               [-75, -50, -50, 25, np.nan])
    np.testing.assert_allclose(nz.reference(X4, UP, to="city", city="c", cities=list("abcde"))[:, 0],
                               [50, 100, 100, 250, np.nan])
    np.testing.assert_array_equal(nz.above_mean(X4, UP, p=0.1)[:, 0], [-1, -1, -1, 1, np.nan])
    np.testing.assert_array_equal(nz.above_mean(X4, UP, p=0.25)[:, 0], [-1, 0, 0, 1, np.nan])  # 20 ≥ 0.75·25
    np.testing.assert_array_equal(nz.borda(X4, UP)[:, 0], [0, 1, 1, 3, np.nan])
    np.testing.assert_allclose(nz.rank(X4, UP, method="n")[:, 0], [25, 50, 50, 100, np.nan])
    np.testing.assert_allclose(nz.categorical(X4, UP, percentiles=[0.5])[:, 0], [0, 0, 0, 100, np.nan])


def test_reference_refuses_what_it_cannot_compute():
    with pytest.raises(ValueError, match="positive"):
        nz.reference(np.array([[0.0], [1.0]]), UP)
    with pytest.raises(ValueError, match="city=ID"):
        nz.reference(X4, UP, to="city", city="zz", cities=list("abcde"))


def test_a_reference_city_by_id_through_the_engine(registry, tmp_path):
    """normaliser = reference:to=city,city=ber: Berlin scores 100 on every such indicator."""
    from cityrank.engine import Choices, run
    from cityrank.formats.spec import load_edition
    from cityrank.model import MethodChoice
    from conftest import ROOT

    ed = load_edition(ROOT / "tests" / "data" / "tiny")
    res = run(ed, registry, choices=Choices(normaliser=MethodChoice.parse("reference:to=city,city=ber"),
                                            aggregator=MethodChoice("arithmetic")))
    speed = ed.framework.indicator_ids.index("speed")
    assert res.indicator_scores[ed.city_ids.index("ber"), speed] == pytest.approx(100)
