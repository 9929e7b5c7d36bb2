"""AHP and budget allocation against published and independently computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityrank.methods import weightings as wt

# Saaty's "relative wealth of nations" matrix (US, USSR, China, France, UK, Japan, W. Germany):
# T. L. Saaty, The Analytic Hierarchy Process (McGraw-Hill, 1980), and "How to make a decision:
# the analytic hierarchy process", EJOR 48 (1990) 9–26. Published eigenvector
# .427 .230 .021 .052 .052 .123 .094 with lambda_max = 7.61.
WEALTH = np.array([
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
])
ITEMS = ("us", "ussr", "china", "france", "uk", "japan", "germany")


def test_saaty_wealth_of_nations():
    result = wt.ahp(ITEMS, [WEALTH])
    np.testing.assert_allclose(np.round(result.weights, 3), [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094])
    expert = result.diagnostics["experts"][0]
    assert round(expert["lambda_max"], 2) == 7.61
    assert expert["cr"] == pytest.approx((expert["lambda_max"] - 7) / 6 / 1.32)
    assert expert["consistent"]


def test_eigenvector_agrees_with_power_iteration():
    v = np.ones(7)
    for _ in range(500):
        v = WEALTH @ v
        v /= v.sum()
    np.testing.assert_allclose(wt.eigen_priorities(WEALTH)[0], v, rtol=1e-10)


@given(st.lists(st.floats(0.1, 10), min_size=2, max_size=9))
def test_consistent_matrix_returns_its_weights_with_zero_cr(w):
    w = np.array(w)
    result = wt.ahp(tuple(f"i{k}" for k in range(len(w))), [np.outer(w, 1 / w)])
    np.testing.assert_allclose(result.weights, w / w.sum(), rtol=1e-8)
    assert result.diagnostics["experts"][0]["cr"] == pytest.approx(0, abs=1e-8)


def test_many_experts_combine_by_geometric_mean_of_judgments():
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    b = np.array([[1, 1 / 2, 2], [2, 1, 4], [1 / 2, 1 / 4, 1]])
    combined = wt.ahp(("x", "y", "z"), [a, b])
    geo = np.sqrt(a * b)
    np.testing.assert_allclose(combined.weights, wt.eigen_priorities(geo)[0])
    assert len(combined.diagnostics["experts"]) == 2


def test_inconsistent_judgments_are_flagged():
    cyclic = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    expert = wt.ahp(("a", "b", "c"), [cyclic]).diagnostics["experts"][0]
    assert expert["cr"] > 0.1 and not expert["consistent"]


@pytest.mark.parametrize(("matrix", "message"), [
    ([[1, 2], [2, 1]], "not reciprocal"),
    ([[1, -2], [-0.5, 1]], "not a positive number"),
    ([[1, 2, 3], [0.5, 1, 2]], "square"),
    ([[2, 2], [0.5, 1]], "diagonal"),
])
def test_bad_matrices_are_rejected(matrix, message):
    with pytest.raises(ValueError, match=message):
        wt.ahp(("a", "b") if len(matrix) == 2 else ("a", "b", "c"), [np.array(matrix, dtype=float)])


def test_budget_allocation_mean_and_spread():
    alloc = np.array([[50, 30, 20], [40, 40, 20], [60, 20, 20]])
    result = wt.budget(("a", "b", "c"), alloc)
    np.testing.assert_allclose(result.weights, [0.5, 0.3, 0.2])
    np.testing.assert_allclose(result.diagnostics["sd"], [0.1, 0.1, 0.0], atol=1e-12)
    with pytest.raises(ValueError, match="sum to 90"):
        wt.budget(("a", "b", "c"), [[50, 20, 20]])
