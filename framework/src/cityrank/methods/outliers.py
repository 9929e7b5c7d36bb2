"""Built-in outlier treatment: none, or the JRC rule as COINr's ``Treat`` applies it.

An indicator passes when |skewness| < ``skew`` or kurtosis < ``kurt`` (sample-adjusted
skewness and excess kurtosis, the "type 2" estimators of SAS/SPSS and R's e1071). A failing
indicator is winsorised one extreme value at a time — the highest values are set to the next
highest when skew ≥ 0, the lowest to the next lowest otherwise — until it passes or
``winmax`` points have been changed. If it still fails, the winsorisation is dropped and
``log(x − min + 0.01·(max − min))`` is applied to the original column instead (when ``log``).
OECD/JRC Handbook on Constructing Composite Indicators (2008), and COINr 1.1.14.
"""

from __future__ import annotations

import numpy as np


def skew_kurt(x):
    """Sample-adjusted skewness G1 and excess kurtosis G2 of a 1-D array, NaN ignored."""
    v = np.asarray(x, dtype=np.float64)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 4:
        return np.nan, np.nan
    scale = np.abs(v).max()  # both are scale-free: scaled, 1e300 cannot overflow nor 1e-300 underflow
    if scale == 0:
        return 0.0, 0.0
    if not np.isfinite(scale):
        return np.nan, np.nan
    v = v / scale
    d = v - v.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    if m2 == 0:
        return 0.0, 0.0
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3.0
    skew = np.sqrt(n * (n - 1)) / (n - 2) * g1
    kurt = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
    return float(skew), float(kurt)


def _passes(skew, kurt, skew_max, kurt_max):
    return bool(np.isnan(skew) or abs(skew) < skew_max or kurt < kurt_max)


def _treat_column(col, winmax, skew_max, kurt_max, log):
    skew, kurt = skew_kurt(col)
    detail = {"skew": skew, "kurt": kurt, "passed": _passes(skew, kurt, skew_max, kurt_max)}
    if detail["passed"]:
        return col, detail
    x = col.copy()
    winsorised = np.zeros(x.shape, dtype=bool)
    nwin, s, k = 0, skew, kurt
    while not _passes(s, k, skew_max, kurt_max) and nwin < winmax:
        present = ~np.isnan(x)
        if s >= 0:
            extreme = present & (x == np.nanmax(x))
            rest = x[present & ~extreme]
            if rest.size == 0:
                break
            x[extreme] = rest.max()
        else:
            extreme = present & (x == np.nanmin(x))
            rest = x[present & ~extreme]
            if rest.size == 0:
                break
            x[extreme] = rest.min()
        winsorised |= extreme
        nwin = int(winsorised.sum())  # distinct points changed (re-winsorised ones count once)
        s, k = skew_kurt(x)
    detail.update(winsorised=int(winsorised.sum()), skew_after=s, kurt_after=k,
                  passed_after=_passes(s, k, skew_max, kurt_max),
                  points=[int(i) for i in np.flatnonzero(winsorised)])
    if detail["passed_after"] or not log:
        return x, detail
    lo, hi = np.nanmin(col), np.nanmax(col)
    if not hi > lo:  # a constant column has no log transform (log 0); it is left as it is
        return x, detail
    logged = np.log(col - lo + 0.01 * (hi - lo))
    s, k = skew_kurt(logged)
    detail.update(winsorised=0, points=[], logged=True, skew_after=s, kurt_after=k,
                  passed_after=_passes(s, k, skew_max, kurt_max))
    return logged, detail


def none(x):
    """No outlier treatment."""
    x = np.asarray(x, dtype=np.float64)
    return x, [{} for _ in range(x.shape[-1])]


def winsorise(x, winmax=5, skew=2.0, kurt=3.5, log=True):
    """JRC rule: winsorise up to ``winmax`` points while |skew| ≥ skew and kurtosis ≥ kurt, then log."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("outlier treatment works on one (N, K) data set, not a batch")
    if int(winmax) < 0:
        raise ValueError("winmax must be ≥ 0")
    if float(skew) < 0:
        raise ValueError(f"skew is a threshold on |skewness|: it must be ≥ 0, got {float(skew):g}")
    out, details = x.copy(), []
    for j in range(x.shape[1]):
        out[:, j], detail = _treat_column(x[:, j], int(winmax), float(skew), float(kurt), bool(log))
        details.append(detail)
    return out, details


BUILTIN = {
    "none": (none, {}),
    "winsorise": (winsorise, {"winmax": 5, "skew": 2.0, "kurt": 3.5, "log": True}),
}
