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


SAATY = [1, 2, 3, 4, 5, 6, 7, 8, 9]


def _typed(exact):
    """A reciprocal matrix as an expert types it in a spreadsheet: each judgment below 1 as
    its value rounded to two decimals (1/3 → 0.33, 1/8 → 0.13 or 0.12)."""
    return np.where(exact < 1, np.round(exact, 2), exact)


def test_reciprocals_rounded_to_two_decimals_are_the_exact_judgments():
    """Saaty's wealth-of-nations matrix typed with 0.25, 0.14, 0.11, 0.17, 0.33 … for 1/4,
    1/7, 1/9, 1/6, 1/3 is accepted and gives exactly the weights and consistency of the exact
    matrix (the rounded side stands for the reciprocal of the judgment given)."""
    typed = _typed(WEALTH)
    assert not np.allclose(typed, WEALTH)  # 0.33 is not 1/3: three times it is 0.99
    exact, rounded = wt.ahp(ITEMS, [WEALTH]), wt.ahp(ITEMS, [typed])
    np.testing.assert_array_equal(rounded.weights, exact.weights)
    assert rounded.diagnostics["experts"][0]["cr"] == exact.diagnostics["experts"][0]["cr"]
    np.testing.assert_array_equal(wt.check_pairwise(typed), WEALTH)


@given(st.lists(st.tuples(st.sampled_from(SAATY), st.booleans()), min_size=6, max_size=6))
def test_any_saaty_matrix_typed_to_two_decimals_is_accepted(pairs):
    """Any 4 × 4 matrix of Saaty's judgments, in either direction, typed to two decimals,
    passes and gives the exact matrix's weights."""
    exact = np.ones((4, 4))
    for (i, j), (k, forward) in zip([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)], pairs, strict=True):
        exact[i, j] = k if forward else 1 / k
        exact[j, i] = 1 / exact[i, j]
    items = ("a", "b", "c", "d")
    np.testing.assert_allclose(wt.ahp(items, [_typed(exact)]).weights, wt.ahp(items, [exact]).weights, rtol=1e-12)


@pytest.mark.parametrize(("large", "small", "accepted"), [
    (3, 0.33, True), (3, 0.333, True), (8, 0.13, True), (8, 0.12, True), (9, 0.11, True), (7, 0.14, True),
    (3, 0.34, False), (3, 0.3, False), (3, 0.5, False), (9, 0.12, False), (8, 0.14, False), (2, 0.6, False),
])
def test_only_a_two_decimal_rounding_passes_for_a_reciprocal(large, small, accepted):
    """|small − 1/large| ≤ 0.005 passes (a rounding to two decimals), anything further is a
    real disagreement between the two judgments and is refused, in the method and in the
    expert-file reader alike."""
    from cityrank.errors import SpecError
    from cityrank.formats.experts import _matrix

    matrix = np.array([[1.0, large], [small, 1.0]])
    cells = [(1, ["", "a", "b"]), (2, ["a", "1", str(large)]), (3, ["b", str(small), "1"])]
    if accepted:
        np.testing.assert_allclose(wt.ahp(("a", "b"), [matrix]).weights, [large / (large + 1), 1 / (large + 1)])
        assert _matrix(cells, "m.csv", None)[1][1, 0] == small
    else:
        with pytest.raises(ValueError, match="not reciprocal"):
            wt.ahp(("a", "b"), [matrix])
        with pytest.raises(SpecError, match=f"m.csv, row 3, column 'a': not reciprocal: b vs a is {small:g}"):
            _matrix(cells, "m.csv", None)


def test_the_cli_reads_a_spreadsheet_matrix_with_0_33(tmp_path, fresh_cli):
    """`cityrank weights ahp` on a file with 0.33 and 0.2: the weights of the exact matrix."""
    import json

    (tmp_path / "typed.csv").write_text(",a,b,c\na,1,3,5\nb,0.33,1,2\nc,0.2,0.5,1\n")
    out = fresh_cli("weights", "ahp", tmp_path / "typed.csv", "--format", "json")
    assert out.exit_code == 0, out.stderr
    exact = wt.ahp(("a", "b", "c"), [np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])])
    np.testing.assert_allclose(json.loads(out.stdout)["weights"], exact.weights, rtol=1e-12)
    (tmp_path / "off.csv").write_text(",a,b,c\na,1,3,5\nb,0.34,1,2\nc,0.2,0.5,1\n")
    out = fresh_cli("weights", "ahp", tmp_path / "off.csv")
    assert out.exit_code == 2 and "off.csv, row 3, column 'a': not reciprocal" in out.stderr


def test_budget_allocation_mean_and_spread():
    alloc = np.array([[50, 30, 20], [40, 40, 20], [60, 20, 20]])
    result = wt.budget(("a", "b", "c"), alloc)
    np.testing.assert_allclose(result.weights, [0.5, 0.3, 0.2])
    np.testing.assert_allclose(result.diagnostics["sd"], [0.1, 0.1, 0.0], atol=1e-12)
    with pytest.raises(ValueError, match="sum to 90"):
        wt.budget(("a", "b", "c"), [[50, 20, 20]])
