"""An expert panel's pairwise judgments: incomplete matrices, consistency diagnostics,
suggested revisions, agreement between experts.

- Incomplete matrices (NaN = the pair was not judged): priorities by Harker's method
  (Harker, Mathematical Modelling 9, 1987: a missing a_ij becomes 0 and each diagonal entry
  1 + the missing pairs of its row; the principal eigenvector of that matrix), which is the
  ordinary eigenvector when nothing is missing. The comparison graph must be connected.
- Or by the logarithmic least squares method (LLSM): the weights minimising
  Σ (ln a_ij − ln w_i + ln w_j)² over the pairs judged, which for a complete matrix are the
  rows' geometric means (Crawford & Williams, J. Math. Psychology 29, 1985) and for an
  incomplete one solve a Laplacian system of the comparison graph, unique when the graph is
  connected (Bozóki, Fülöp & Rónyai, "On optimal completions of incomplete pairwise
  comparison matrices", Math. Comput. Modelling 52, 2010,
  https://9dok.org/document/q5mr993g-on-optimal-completions-of-incomplete-pairwise-comparison-matrices.html;
  Kułakowski, Mathematics 8, 2020, https://doi.org/10.3390/math8111873).
- Consistency: Saaty's CR = CI/RI, and Alonso & Lamata's (Int. J. Uncertainty, Fuzziness and
  Knowledge-Based Systems 14, 2006) CR_AL = (λmax − n)/(1.7699 n − 4.3513), usable for any n.
- Triads: Koczkodaj's index min(|1 − a_ik/(a_ij a_jk)|, |1 − a_ij a_jk/a_ik|) (Koczkodaj,
  Math. Comput. Modelling 18, 1993), the most inconsistent first.
- Revisions: the one or two judgments whose replacement by a value of Saaty's scale lowers CR
  the most (greedy), with the values.
- Agreement: Kendall's W of the experts' priority orders (with the tie correction), and the
  geometric consensus index of each expert against the group's priorities,
  GCCI = 2/((n − 1)(n − 2)) Σ_{i<j} (ln a_ij − ln(w_i/w_j))² (Dong et al., EJOR 203, 2010).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..model import AHP_PRIORITISATIONS

#: Saaty's random consistency indices for n = 1 … 15 (Saaty 2008, table 3 / Saaty 1980).
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)

SAATY_SCALE = tuple(sorted({float(v) for v in range(1, 10)} | {1.0 / v for v in range(2, 10)}))


def eigen_priorities(matrix):
    """Principal eigenvector (normalised to sum 1) and λmax of a positive matrix."""
    a = np.asarray(matrix, dtype=np.float64)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    v = np.abs(vectors[:, k].real)
    return v / v.sum(), float(values[k].real)


def components(matrix) -> list[list[int]]:
    """The connected components of the comparison graph (an edge where a_ij is known)."""
    a = np.asarray(matrix, dtype=np.float64)
    n = len(a)
    known = ~np.isnan(a)
    seen, parts = set(), []
    for start in range(n):
        if start in seen:
            continue
        part, stack = [], [start]
        seen.add(start)
        while stack:
            i = stack.pop()
            part.append(i)
            for j in np.flatnonzero(known[i] | known[:, i]):
                if int(j) not in seen:
                    seen.add(int(j))
                    stack.append(int(j))
        parts.append(sorted(part))
    return parts


def harker(matrix) -> tuple[np.ndarray, float, int]:
    """Priorities ``(n,)`` summing to one, λmax of Harker's matrix, and the missing pairs."""
    a = np.asarray(matrix, dtype=np.float64).copy()
    n = len(a)
    missing = np.isnan(a) & ~np.eye(n, dtype=bool)
    b = np.where(missing, 0.0, a)
    b[np.diag_indices(n)] = 1.0 + missing.sum(axis=1)
    values, vectors = np.linalg.eig(b)
    k = int(np.argmax(values.real))
    v = np.abs(vectors[:, k].real)
    return v / v.sum(), float(values[k].real), int(missing.sum() // 2)


def llsm(matrix) -> tuple[np.ndarray, int]:
    """Logarithmic least squares priorities ``(n,)`` summing to one, and the missing pairs.
    With y = ln w, the normal equations are L y = r: L the Laplacian of the comparison graph
    (degree on the diagonal, −1 for each pair judged), r_i = Σ_j ln a_ij over the pairs of
    row i; the graph being connected, L + 11ᵀ/n is invertible and fixes Σ y = 0."""
    a = np.asarray(matrix, dtype=np.float64)
    n = len(a)
    known = ~np.isnan(a) & ~np.eye(n, dtype=bool)
    laplacian = np.diag(known.sum(axis=1).astype(float)) - known.astype(float)
    r = np.where(known, np.log(np.where(known, a, 1.0)), 0.0).sum(axis=1)
    y = np.linalg.solve(laplacian + np.full((n, n), 1.0 / n), r)
    w = np.exp(y - y.max())
    return w / w.sum(), int((~known & ~np.eye(n, dtype=bool)).sum() // 2)


#: how priorities are derived from a (possibly incomplete) pairwise-comparison matrix
PRIORITISATIONS = AHP_PRIORITISATIONS


def priorities(matrix, prioritisation: str = "eigenvector") -> tuple[np.ndarray, int]:
    """Priorities summing to one and the missing pairs: Harker's eigenvector (the ordinary
    principal eigenvector when complete) or the logarithmic least squares solution."""
    if prioritisation == "eigenvector":
        w, _, missing = harker(matrix)
        return w, missing
    if prioritisation == "llsm":
        return llsm(matrix)
    raise ValueError(f"prioritisation must be one of {', '.join(PRIORITISATIONS)}, got {prioritisation!r}")


def completed(matrix, weights) -> np.ndarray:
    """The matrix with each missing judgment replaced by w_i/w_j (for consistency measures)."""
    a = np.asarray(matrix, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    return np.where(np.isnan(a), w[:, None] / w[None, :], a)


def consistency_ratios(matrix) -> dict:
    """λmax, Saaty's CI and CR (NaN beyond the tabled n) and Alonso–Lamata's CR."""
    a = np.asarray(matrix, dtype=np.float64)
    n = len(a)
    _, lam = eigen_priorities(a)
    ci = max((lam - n) / (n - 1), 0.0) if n > 1 else 0.0
    ri = RANDOM_INDEX[n - 1] if n <= len(RANDOM_INDEX) else float("nan")
    cr = ci / ri if ri and ri > 0 else (0.0 if n <= 2 else float("nan"))
    cr_al = max((lam - n) / (1.7699 * n - 4.3513), 0.0) if n > 2 else 0.0
    return {"lambda_max": lam, "ci": ci, "cr": cr, "cr_alonso_lamata": cr_al}


def triads(matrix, top: int = 3) -> list[dict]:
    """The ``top`` most inconsistent triads (i, j, k) by Koczkodaj's index."""
    a = np.asarray(matrix, dtype=np.float64)
    out = []
    for i, j, k in itertools.combinations(range(len(a)), 3):
        if np.isnan(a[i, j]) or np.isnan(a[j, k]) or np.isnan(a[i, k]):
            continue
        r = a[i, k] / (a[i, j] * a[j, k])
        out.append({"items": (i, j, k), "index": float(min(abs(1 - r), abs(1 - 1 / r)))})
    return sorted(out, key=lambda t: -t["index"])[:top]


def revisions(matrix, target: float = 0.10, most: int = 2) -> list[dict]:
    """Up to ``most`` judgments (i < j) to change, greedily the one whose best value on Saaty's
    scale lowers CR the most, until CR ≤ ``target``; each with the suggested value and the CR
    after it. Empty when the matrix is consistent enough already."""
    a = np.asarray(matrix, dtype=np.float64).copy()
    if consistency_ratios(a)["cr"] <= target:
        return []
    changes = []
    for _ in range(most):
        best = None
        for i, j in itertools.combinations(range(len(a)), 2):
            for v in SAATY_SCALE:
                trial = a.copy()
                trial[i, j], trial[j, i] = v, 1.0 / v
                cr = consistency_ratios(trial)["cr"]
                if best is None or cr < best[0] - 1e-12:
                    best = (cr, i, j, v)
        cr, i, j, v = best
        changes.append({"pair": (i, j), "from": float(a[i, j]), "to": v, "cr_after": cr})
        a[i, j], a[j, i] = v, 1.0 / v
        if cr <= target:
            break
    return changes


def kendall_w(priorities) -> float:
    """Kendall's W of m experts' priority vectors ``(m, n)`` (ranks by priority, ties shared,
    with the tie correction): 1 = the same order, 0 = no agreement; NaN (undefined, 0/0) when
    every expert ties every item."""
    from ..ranking import min_ranks

    p = np.asarray(priorities, dtype=np.float64)
    m, n = p.shape
    if m < 2 or n < 2:
        return 1.0
    ranks = np.empty_like(p)
    ties = 0.0
    for e in range(m):  # average ranks for ties, as Kendall's W takes them
        r = min_ranks(p[e], tolerance=0.0)
        for value in np.unique(r):
            members = r == value
            t = int(members.sum())
            ranks[e, members] = value + (t - 1) / 2.0
            ties += t**3 - t
    s = float(((ranks.sum(axis=0) - m * (n + 1) / 2.0) ** 2).sum())
    spread = m**2 * (n**3 - n) - m * ties
    return 12 * s / spread if spread > 0 else math.nan


def gcci(matrix, weights) -> float:
    """Geometric consensus index of one expert's (complete) matrix against priorities ``weights``."""
    a = np.asarray(matrix, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    n = len(a)
    if n < 3:
        return 0.0
    i, j = np.triu_indices(n, 1)
    return float(2.0 / ((n - 1) * (n - 2)) * np.sum((np.log(a[i, j]) - np.log(w[i] / w[j])) ** 2))
