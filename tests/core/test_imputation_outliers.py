"""Imputation and the JRC outlier rule against COINr's ASEM pipeline."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from asem import indicator_ids, matrix, read_table, units
from cityrank.methods import imputation, outliers
from conftest import oracle_file

PIPE = ("coinr_asem", "expected", "pipeline_default")


def _groups(by):
    _, data = read_table(oracle_file("coinr_asem", "inputs", "ASEM_iData_fullprec.csv"))
    return np.array([data[u][by] for u in units()])


@pytest.mark.parametrize(("method", "kwargs", "expected"), [
    (imputation.mean, {}, ("variants", "impute_mean__Imputed.csv")),
    (imputation.median, {}, ("variants", "impute_median__Imputed.csv")),
    (imputation.group_mean, {"by": "EurAsia_group"}, ("pipeline_default", "Imputed.csv")),
    (imputation.group_median, {"by": "EurAsia_group"}, ("variants", "impute_median_grp_EurAsia__Imputed.csv")),
])
def test_imputation_matches_coinr(method, kwargs, expected):
    ids, us = indicator_ids(), units()
    denominated = matrix(oracle_file(*PIPE, "Denominated.csv"), us, ids)
    assert np.isnan(denominated).any()
    want = matrix(oracle_file("coinr_asem", "expected", *expected), us, ids)
    np.testing.assert_allclose(method(denominated, groups=_groups, **kwargs), want, rtol=1e-12)


def test_skewness_and_kurtosis_match_coinr_before_treatment():
    ids, us = indicator_ids(), units()
    imputed = matrix(oracle_file(*PIPE, "Imputed.csv"), us, ids)
    _, details = read_table(oracle_file(*PIPE, "treat_details.csv"))
    for j, code in enumerate(ids):
        skew, kurt = outliers.skew_kurt(imputed[:, j])
        assert skew == pytest.approx(float(details[code]["check_SkewKurt0.Skew"]), rel=1e-9)
        assert kurt == pytest.approx(float(details[code]["check_SkewKurt0.Kurt"]), rel=1e-9)


def test_winsorisation_matches_coinr_treated_data_and_counts():
    ids, us = indicator_ids(), units()
    imputed = matrix(oracle_file(*PIPE, "Imputed.csv"), us, ids)
    treated, details = outliers.winsorise(imputed)
    np.testing.assert_allclose(treated, matrix(oracle_file(*PIPE, "Treated.csv"), us, ids), rtol=1e-12)
    _, expected = read_table(oracle_file(*PIPE, "treat_details.csv"))
    for code, detail in zip(ids, details, strict=True):
        nwin = expected[code]["winsorise.nwin"]
        assert detail.get("winsorised", 0) == (int(nwin) if nwin not in ("", "NA") else 0), code


def test_tiny_vector_winsorise_and_log_fallback():
    with open(oracle_file("coinr_asem", "expected", "variants", "tiny_vector_winsorise.csv")) as fh:
        rows = list(csv.DictReader(fh))
    x = np.array([[float(r["x"])] for r in rows])
    win, _ = outliers.winsorise(x, winmax=5)
    np.testing.assert_allclose(win[:, 0], [float(r["winsorised_winmax5"]) for r in rows])
    logged, details = outliers.winsorise(x, winmax=1)
    assert details[0]["logged"]
    np.testing.assert_allclose(logged[:, 0], [float(r["treated_winmax1_then_logCT"]) for r in rows], rtol=1e-12)


def test_mode_imputation_keeps_ladder_levels_whole():
    import statistics

    x = np.array([[1.0, 2.0], [3.0, np.nan], [3.0, 2.0], [np.nan, 4.0], [1.0, np.nan], [3.0, 2.0]])
    filled = imputation.mode(x)
    assert filled[3, 0] == statistics.mode([1, 3, 3, 1, 3]) == 3
    assert filled[1, 1] == filled[4, 1] == statistics.mode([2, 2, 4, 2]) == 2
    np.testing.assert_array_equal(filled[~np.isnan(x)], x[~np.isnan(x)])
    batch = imputation.mode(np.stack([x, x[::-1]]))
    np.testing.assert_array_equal(batch[0], filled)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1.0, 1e150, 1e300])
def test_skewness_and_kurtosis_do_not_depend_on_the_scale(scale):
    """G1 and G2 are scale-free; computed on the scaled values, ±1e300 does not overflow (it
    gave NaN and a RuntimeWarning) and 1e-300 does not underflow (it gave 0, 0)."""
    import warnings

    x = np.array([1.0, 2.0, 2.5, 3.0, 10.0, 0.5, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = outliers.skew_kurt(x * scale)
    assert got == pytest.approx(outliers.skew_kurt(x), rel=1e-12)
    assert got[0] > 1  # the 10 makes it right-skewed


def test_winsorise_leaves_a_constant_column_that_fails_its_thresholds_as_it_is():
    """With thresholds no column passes (skew = 0 and kurt below −2, the least excess kurtosis),
    a constant column cannot be winsorised and has no log transform (log 0 gave −inf): it is
    left as it is, quietly; a negative skew threshold is refused."""
    import warnings

    x = np.column_stack([np.full(6, 3.0), [1.0, 2.0, 3.0, 4.0, 5.0, 60.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, details = outliers.winsorise(x, winmax=1, skew=0.0, kurt=-5.0)
    np.testing.assert_array_equal(out[:, 0], x[:, 0])
    assert not details[0].get("logged") and details[1]["logged"]
    with pytest.raises(ValueError, match="must be ≥ 0"):
        outliers.winsorise(x, skew=-2.0)
