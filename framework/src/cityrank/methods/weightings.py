"""Built-in weightings: fixed, equal, expert panels by AHP or budget allocation.

AHP follows Saaty, "The Analytic Hierarchy Process" (1980) and "Decision making with the
analytic hierarchy process", Int. J. Services Sciences 1(1), 2008: priorities are the
normalised principal right eigenvector of the pairwise-comparison matrix; consistency index
CI = (λmax − n)/(n − 1), consistency ratio CR = CI/RI with Saaty's random indices; CR above
0.10 calls for revising the judgments. Several experts are combined by the element-wise
geometric mean of their matrices (aggregation of individual judgments, Forman & Peniwati,
EJOR 108, 1998), which keeps the combined matrix reciprocal.
"""

from __future__ import annotations

import attrs
import numpy as np

from ..model import ahp_reciprocal
from . import panel
from .panel import PRIORITISATIONS, RANDOM_INDEX, eigen_priorities

CR_THRESHOLD = 0.10


@attrs.frozen
class WeightingResult:
    """Weights ``(K,)`` summing to one, and diagnostics (JSON-serialisable)."""

    weights: np.ndarray = attrs.field(converter=lambda w: np.asarray(w, dtype=np.float64))
    diagnostics: dict = attrs.field(factory=dict)


def _normalised(w, what="weights"):
    w = np.asarray(w, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{what} must be finite numbers")
    if np.any(w < 0):
        raise ValueError(f"{what} must be non-negative")
    if not w.sum() > 0:
        raise ValueError(f"{what} are all zero")
    return w / w.sum()


def fixed(items, values):
    """Weights given directly (any positive scale; normalised to sum to one)."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(items),):
        raise ValueError(f"expected {len(items)} weights, got {values.shape}")
    return WeightingResult(_normalised(values))


def equal(items):
    """Equal weights."""
    return WeightingResult(np.full(len(items), 1.0 / len(items)))


def check_pairwise(matrix, label="matrix"):
    """The matrix if square, positive, with unit diagonal and reciprocal; else ValueError.
    NaN is a judgment not given: when only one of a_ij, a_ji is given, the other is its
    reciprocal; when neither is, the pair is missing (see :mod:`.panel`). A reciprocal
    rounded to two decimals (0.33 for 1/3, :func:`cityrank.model.ahp_reciprocal`) is
    accepted and returned exact."""
    a = np.array(matrix, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{label}: a pairwise comparison matrix must be square, got shape {a.shape}")
    one_side = np.isnan(a) & ~np.isnan(a.T)
    a[one_side] = 1.0 / a.T[one_side]
    a[np.diag_indices(len(a))] = np.where(np.isnan(np.diag(a)), 1.0, np.diag(a))
    given = ~np.isnan(a)
    if np.any(given & (np.isinf(a) | (a <= 0))):
        i, j = np.argwhere(given & (np.isinf(a) | (a <= 0)))[0]
        raise ValueError(f"{label}: entry ({i + 1}, {j + 1}) = {a[i, j]:g} is not a positive number")
    if not np.allclose(np.diag(a), 1.0):
        i = int(np.argmax(np.abs(np.diag(a) - 1)))
        raise ValueError(f"{label}: diagonal entry ({i + 1}, {i + 1}) must be 1, got {a[i, i]:g}")
    bad = given & ~ahp_reciprocal(np.where(given, a, 1.0), np.where(given, a.T, 1.0))
    if np.any(bad):
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"{label}: not reciprocal: entry ({i + 1}, {j + 1}) = {a[i, j]:g} but "
            f"({j + 1}, {i + 1}) = {a[j, i]:g} (should be {1 / a[i, j]:g})"
        )
    # a rounded reciprocal (0.33 for 1/3) stands for the exact one: the larger judgment is
    # the one the expert gave, and the matrix must be reciprocal for the eigenvector and CR
    return np.where(given & (a < a.T), 1.0 / a.T, a)


def consistency(matrix):
    """(λmax, CI, CR) of a pairwise comparison matrix; CR is 0 for n ≤ 2."""
    a = np.asarray(matrix, dtype=np.float64)
    n = a.shape[0]
    _, lam = eigen_priorities(a)
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ri = RANDOM_INDEX[n - 1] if n <= len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    cr = ci / ri if ri > 0 else 0.0
    return lam, max(ci, 0.0), max(cr, 0.0)


def ahp(items, matrices, labels=None, expert_weights=None, aggregation="aij", prioritisation="eigenvector"):
    """AHP with one pairwise-comparison matrix per expert ``(E, K, K)``. ``aggregation="aij"``
    (the default) aggregates the individual judgments by element-wise geometric mean, then
    takes the principal eigenvector; ``"aip"`` takes the geometric mean of the individual
    priorities (Forman & Peniwati 1998). ``expert_weights`` weight the means (equal by
    default). A judgment not given is NaN: priorities then by Harker's method
    (:mod:`.panel`), the geometric mean over the experts who judged the pair.
    ``prioritisation="llsm"`` derives priorities by logarithmic least squares instead of the
    eigenvector (the rows' geometric means when complete; see :mod:`.panel`)."""
    mats = [np.asarray(m, dtype=np.float64) for m in matrices]
    if not mats:
        raise ValueError("AHP needs at least one expert matrix")
    if aggregation not in ("aij", "aip"):
        raise ValueError(f"aggregation must be 'aij' or 'aip', got {aggregation!r}")
    if prioritisation not in PRIORITISATIONS:
        raise ValueError(f"prioritisation must be one of {', '.join(PRIORITISATIONS)}, got {prioritisation!r}")
    labels = list(labels) if labels is not None else [f"expert {e + 1}" for e in range(len(mats))]
    e = np.ones(len(mats)) if expert_weights is None else np.asarray(expert_weights, dtype=np.float64)
    if e.shape != (len(mats),) or not np.all(np.isfinite(e)) or np.any(e < 0) or not e.sum() > 0:
        raise ValueError(f"expert_weights must be {len(mats)} non-negative numbers, not all zero")
    e = e / e.sum()
    experts, checked, priorities = [], [], []
    for label, m in zip(labels, mats, strict=True):
        m = check_pairwise(m, label)
        if m.shape != (len(items), len(items)):
            raise ValueError(f"{label}: expected a {len(items)}×{len(items)} matrix, got {m.shape}")
        w, missing = _priorities(m, items, label, prioritisation)
        lam, ci, cr = consistency(panel.completed(m, w))  # a missing judgment counts as w_i/w_j
        experts.append({"expert": label, "weights": w.tolist(), "lambda_max": lam, "ci": ci, "cr": cr,
                        "consistent": cr <= CR_THRESHOLD, "missing_pairs": missing})
        checked.append(m)
        priorities.append(w)
    if aggregation == "aip":
        w = np.exp(e @ np.log(np.stack(priorities)))
        w = w / w.sum()
        return WeightingResult(w, {"method": "ahp", "aggregation": "aip", "prioritisation": prioritisation,
                                   "items": list(items), "experts": experts})
    logs = np.log(np.stack(checked))
    known = ~np.isnan(logs)
    share = (known * e[:, None, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # a pair no (weighted) expert judged stays missing
        combined = np.where(share > 0, np.exp((np.where(known, logs, 0.0) * e[:, None, None]).sum(axis=0) / share),
                            np.nan)
    w, _ = _priorities(combined, items, "the combined judgments", prioritisation)
    lam, ci, cr = consistency(panel.completed(combined, w))
    return WeightingResult(w, {"method": "ahp", "aggregation": "aij", "prioritisation": prioritisation,
                               "items": list(items), "experts": experts,
                               "combined": {"lambda_max": lam, "ci": ci, "cr": cr,
                                            "consistent": cr <= CR_THRESHOLD}})


def _priorities(matrix, items, label, prioritisation="eigenvector"):
    """Priorities (the eigenvector, Harker's for an incomplete matrix, or LLSM) and the
    missing pairs; an unconnected comparison graph is an error naming the items that cannot
    be compared."""
    parts = panel.components(matrix)
    if len(parts) > 1:
        groups = " | ".join(", ".join(str(items[i]) for i in part) for part in parts)
        raise ValueError(f"{label}: the judgments do not connect every item (separate groups: {groups})")
    return panel.priorities(matrix, prioritisation)


def budget(items, allocations, labels=None, total=100.0):
    """Budget allocation: each expert distributes ``total`` points ``(E, K)``; weights = mean share."""
    a = np.asarray(allocations, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != len(items) or a.shape[0] == 0:
        raise ValueError(f"expected one row of {len(items)} allocations per expert, got shape {a.shape}")
    labels = list(labels) if labels is not None else [f"expert {e + 1}" for e in range(len(a))]
    for label, row in zip(labels, a, strict=True):
        if not np.all(np.isfinite(row)) or np.any(row < 0):
            raise ValueError(f"{label}: allocations must be non-negative numbers")
        if abs(row.sum() - total) > 1e-6 * total:
            raise ValueError(f"{label}: allocations sum to {row.sum():g}, not {total:g}")
    shares = a / total
    spread = shares.std(axis=0, ddof=1) if len(a) > 1 else np.zeros(len(items))
    return WeightingResult(shares.mean(axis=0), {
        "method": "budget", "items": list(items), "experts": len(a),
        "sd": spread.tolist(), "min": shares.min(axis=0).tolist(), "max": shares.max(axis=0).tolist(),
    })


BUILTIN = {
    "fixed": (fixed, {"values": None}),
    "equal": (equal, {}),
    "ahp": (ahp, {"matrices": None, "labels": None, "expert_weights": None, "aggregation": "aij",
                  "prioritisation": "eigenvector"}),
    "budget": (budget, {"allocations": None, "labels": None, "total": 100.0}),
}
