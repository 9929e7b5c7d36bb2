"""Statistical weightings: weights from the data of a node's children, ``data`` ``(N, K)``.

- ``entropy``: Shannon entropy of each column's shares p_ij = x_ij / Σ_i x_ij; weight ∝ 1 − E_j,
  E_j = −Σ_i p_ij ln p_ij / ln N (0·ln 0 = 0), as pymcdm's ``entropy_weights`` and
  scikit-criteria's ``EntropyWeighter`` (Zeleny 1982).
- ``critic``: Diakoulaki, Mavrotas & Papayannakis (Computers & OR 22, 1995): columns min-max
  normalised, C_j = σ_j Σ_k (1 − r_jk) (sample sd, Pearson correlations), weight ∝ C_j.
- ``optimal``: COINr's ``get_opt_weights``: weights that give each child a target share of
  correlation with its parent (equal by default), by a bounded optimiser.
- ``pca`` / ``fa``: the OECD/JRC Handbook on Constructing Composite Indicators (2008),
  section 6.1, pp. 89-91: on the correlation matrix, retain some factors, rotate their
  loadings by varimax with Kaiser's row normalisation (Kaiser 1958; R's ``varimax`` and the
  Handbook's Statistica output), scale the squared rotated loadings of each factor to unity
  sum; each indicator is weighted by its largest scaled squared loading times the share of
  that factor in the variance the rotated factors explain, renormalised. ``pca`` takes the
  loadings of the principal components; ``fa`` those of principal-axis factoring (iterated
  communalities). A node with one child gives it weight 1.

  Which factors: the Handbook calls standard practice factors that "(i) have associated
  eigenvalues larger than one; (ii) contribute individually to the explanation of overall
  variance by more than 10%; and (iii) contribute cumulatively to the explanation of the
  overall variance by more than 60%", then on its own TAI example keeps four factors whose
  eigenvalues are 3.3, 1.7, 1.0 and 0.9 ("close to unity"), because "individually they
  explain more than 10% of the total variance and overall they count for about the 87%"
  (p. 89, Table 16). ``retain`` says how the rules are read, in eigenvalue order: ``"share"``
  (the default, as the worked example) keeps the factors that each explain more than
  ``min_share``; ``"eigenvalue"`` those with an eigenvalue above ``min_eigenvalue`` (Kaiser's
  rule); ``"both"`` those passing (i) and (ii) together. Each then adds factors until they
  explain more than ``min_cumulative`` together (iii). ``factors=N`` keeps exactly N.

Rows with a missing value are left out. Each returns weights and its diagnostics.
"""

from __future__ import annotations

import numpy as np

from .weightings import WeightingResult, _normalised


def _complete(items, data, least=3):
    x = _shaped(items, data)
    x = x[~np.isnan(x).any(axis=1)]
    if len(x) < least:
        raise ValueError(f"needs at least {least} cities with every value present, got {len(x)}")
    return x


def _shaped(items, data):
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(items):
        raise ValueError(f"expected data with one column per item ({len(items)}), got shape {x.shape}")
    return x


def _single(items, data, method, **diagnostics):
    """A node with one child: it takes all the weight, whatever its data (there is nothing to
    weigh it against); None for two children or more."""
    if len(items) != 1:
        return None
    x = _shaped(items, data)
    return WeightingResult(np.ones(1), {"method": method, **diagnostics, "cities": int((~np.isnan(x[:, 0])).sum()),
                                        "note": "a single child takes all the weight"})


def entropy(items, data):
    """Entropy weights: more weight where the cities differ more (lower entropy of shares)."""
    if single := _single(items, data, "entropy"):
        return single
    x = _complete(items, data)
    if np.any(x < 0):
        raise ValueError("entropy weights need non-negative scores")
    total = x.sum(axis=0)
    p = np.divide(x, total, out=np.full(x.shape, 1.0 / len(x)), where=total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=0) / np.log(len(x))
    d = 1.0 - e
    if not d.sum() > 0:
        raise ValueError("every item has the same share in every city: entropy gives no weights")
    return WeightingResult(_normalised(d), {"method": "entropy", "entropy": e.tolist(), "cities": len(x)})


def critic(items, data):
    """CRITIC weights: contrast (standard deviation) times conflict (1 − correlation)."""
    if single := _single(items, data, "critic"):
        return single
    x = _complete(items, data)
    lo, hi = x.min(axis=0), x.max(axis=0)
    z = np.divide(x - lo, hi - lo, out=np.zeros(x.shape), where=hi > lo)
    sd = z.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(z, rowvar=False) if len(items) > 1 else np.ones((1, 1))
    r = np.nan_to_num(np.atleast_2d(r), nan=0.0)
    c = sd * (1.0 - r).sum(axis=0)
    if not c.sum() > 0:
        raise ValueError("no item varies or they are perfectly correlated: CRITIC gives no weights")
    return WeightingResult(_normalised(c), {"method": "critic", "sd": sd.tolist(), "information": c.tolist(),
                                           "correlation": r.tolist(), "cities": len(x)})


def varimax(loadings, gamma=1.0, tol=1e-10, max_iter=1000, normalize=True):
    """Varimax rotation (Kaiser 1958) of a loadings matrix ``(K, F)``: the rotated loadings and
    the orthogonal rotation ``(F, F)``. ``normalize`` rotates the rows scaled to unit length
    (Kaiser's normalisation, the default of R's ``varimax``) and scales them back."""
    a = np.asarray(loadings, dtype=np.float64)
    k, f = a.shape
    norms = np.sqrt((a**2).sum(axis=1)) if normalize else np.ones(k)
    norms = np.where(norms > 0, norms, 1.0)  # a row of zeros stays zero
    a = a / norms[:, None]
    rotation = np.eye(f)
    criterion = 0.0
    for _ in range(max_iter):
        b = a @ rotation
        u, s, vt = np.linalg.svd(a.T @ (b**3 - (gamma / k) * b @ np.diag(np.sum(b**2, axis=0))))
        rotation = u @ vt
        new = s.sum()
        if new < criterion * (1 + tol):
            break
        criterion = new
    return (a @ rotation) * norms[:, None], rotation


def _factor_loadings(corr, method, factors):
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    if method == "fa":  # principal-axis factoring: communalities on the diagonal, iterated
        h = 1.0 - 1.0 / np.diag(np.linalg.pinv(corr))  # squared multiple correlations
        for _ in range(200):
            reduced = corr.copy()
            np.fill_diagonal(reduced, h)
            vals, vecs = np.linalg.eigh(reduced)
            idx = np.argsort(vals)[::-1][:factors]
            load = vecs[:, idx] * np.sqrt(np.maximum(vals[idx], 0.0))
            new = np.clip((load**2).sum(axis=1), 0.0, 1.0)
            if np.max(np.abs(new - h)) < 1e-9:
                break
            h = new
        return values, load
    return values, vectors[:, :factors] * np.sqrt(np.maximum(values[:factors], 0.0))


#: how the Handbook's rules pick the factors (see the module docstring)
RETAIN = ("share", "eigenvalue", "both")


def retained(eigenvalues, retain="share", min_eigenvalue=1.0, min_share=0.10, min_cumulative=0.60):
    """How many leading factors the Handbook's rules keep, from the eigenvalues ``(K,)`` of a
    correlation matrix in decreasing order: the factors passing ``retain``'s criterion, then
    more until together they explain more than ``min_cumulative``; at least one."""
    values = np.asarray(eigenvalues, dtype=np.float64)
    share = values / values.sum()
    passes = {"share": share > min_share, "eigenvalue": values > min_eigenvalue,
              "both": (values > min_eigenvalue) & (share > min_share)}[retain]
    factors = 0
    while factors < len(values) and (passes[factors] or share[:factors].sum() <= min_cumulative):
        factors += 1
    return max(1, factors)


def _check_rules(k, retain, min_eigenvalue, min_share, min_cumulative, factors):
    """The rules' parameters checked, and the number of factors asked for (None: by the rules);
    ``k`` children bound it (None: no bound, a single child takes all the weight anyway)."""
    if retain not in RETAIN:
        raise ValueError(f"retain must be one of {', '.join(RETAIN)}, got {retain!r}")
    for name, value, top in (("min_share", min_share, 1.0), ("min_cumulative", min_cumulative, 1.0),
                             ("min_eigenvalue", min_eigenvalue, float(k or np.inf))):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= top:
            raise ValueError(f"{name} must be a number from 0 to {top:g}, got {value!r}")
    if factors is None:
        return None
    if isinstance(factors, bool) or not isinstance(factors, int | float) or factors != int(factors) or factors < 1:
        raise ValueError(f"factors must be a whole number of at least 1, got {factors!r}")
    if k is not None and factors > k:
        raise ValueError(f"factors={int(factors)} but there are {k} children: at most {k} factors")
    return int(factors)


def pca(items, data, method="pca", retain="share", min_eigenvalue=1.0, min_share=0.10, min_cumulative=0.60,
        factors=None):
    """The Handbook's factor-analysis weights (see the module docstring). Diagnostics: the
    eigenvalues and variance shares ``(K,)``, the factors kept and by which rule, the rotated
    loadings ``(K, F)``, the variance each rotated factor explains ``(F,)``, each item's
    factor, and the first principal component."""
    if method not in ("pca", "fa"):
        raise ValueError(f"method must be 'pca' or 'fa', got {method!r}")
    asked = _check_rules(len(items) if len(items) > 1 else None, retain, min_eigenvalue, min_share, min_cumulative,
                         factors)
    if single := _single(items, data, method, factors=1, retain=retain if asked is None else "factors",
                         eigenvalues=[1.0], variance_share=[1.0], pc1=[1.0], loadings=[[1.0]], explained=[1.0],
                         factor_of=[0]):
        return single
    x = _complete(items, data, least=max(3, len(items) + 1))
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise ValueError(f"{items[int(np.argmin(sd))]!r} does not vary: no correlation to work with")
    corr = np.corrcoef(x, rowvar=False)
    values, vectors = np.linalg.eigh(corr)
    values, pc1 = values[::-1], vectors[:, -1] * (1.0 if vectors[:, -1].sum() >= 0 else -1.0)
    share = values / values.sum()
    factors = asked or retained(values, retain, min_eigenvalue, min_share, min_cumulative)
    _, loadings = _factor_loadings(corr, method, factors)
    empty = (loadings**2).sum(axis=0) <= 1e-12 * max(float((loadings**2).sum()), 1e-300)
    if empty.any():  # principal-axis factoring: the reduced correlation matrix has lower rank
        first = int(np.argmax(empty))
        if asked is not None or first == 0:
            raise ValueError(f"factor {first + 1} of {factors} explains no variance after principal-axis "
                             "factoring: retain fewer factors")
        factors = first  # the factors before the first empty one
        _, loadings = _factor_loadings(corr, method, factors)
    rotated, _ = varimax(loadings) if factors > 1 else (loadings, np.eye(1))
    squared = rotated**2
    explained = squared.sum(axis=0)  # variance each rotated factor explains
    scaled = squared / explained  # each factor's squared loadings sum to one
    factor_of = np.argmax(scaled, axis=1)
    raw = scaled[np.arange(len(items)), factor_of] * (explained / explained.sum())[factor_of]
    return WeightingResult(_normalised(raw), {
        "method": method, "factors": int(factors), "retain": retain if asked is None else "factors",
        "eigenvalues": values.tolist(), "variance_share": share.tolist(),
        "pc1": pc1.tolist(),  # the first principal component: COINr's get_PCA weights
        "loadings": rotated.tolist(), "explained": explained.tolist(), "factor_of": factor_of.tolist(),
        "cities": len(x),
    })


def fa(items, data, retain="share", min_eigenvalue=1.0, min_share=0.10, min_cumulative=0.60, factors=None):
    """The Handbook's weights from principal-axis factoring (see :func:`pca`)."""
    return pca(items, data, method="fa", retain=retain, min_eigenvalue=min_eigenvalue, min_share=min_share,
               min_cumulative=min_cumulative, factors=factors)


def optimal(items, data, target=None):
    """Weights that give each child the target share of influence on its parent (COINr's
    ``get_opt_weights``): the parent is the weighted arithmetic mean of the children, a
    child's influence its Pearson correlation with the parent, and the weights minimise
    Σ_k (r_k / Σ r − t_k)² over weights in [0.01, 1] (SciPy's L-BFGS-B from equal weights);
    ``target`` defaults to equal influence. The achieved correlations are in the diagnostics."""
    try:
        from scipy.optimize import minimize
    except ImportError:  # pragma: no cover - depends on the installation
        raise ValueError("optimal weights need scipy: pip install scipy") from None
    if single := _single(items, data, "optimal", target=[1.0]):
        return single
    x = _complete(items, data, least=max(3, len(items) + 1))
    k = len(items)
    t = np.full(k, 1.0 / k) if target is None else _normalised(np.asarray(target, dtype=np.float64), "target")
    if t.shape != (k,):
        raise ValueError(f"target must have one share per item ({k})")
    if np.any(x.std(axis=0) == 0):
        raise ValueError("an item does not vary: its correlation with the parent is undefined")

    def correlations(w):
        parent = x @ (w / w.sum())
        if parent.std() == 0:
            return np.zeros(k)
        return np.array([np.corrcoef(x[:, j], parent)[0, 1] for j in range(k)])

    def loss(w):
        r = correlations(w)
        total = r.sum()
        return float(np.sum((r / total - t) ** 2)) if total > 0 else 1e6

    res = minimize(loss, np.full(k, 1.0 / k), method="L-BFGS-B", bounds=[(0.01, 1.0)] * k)
    w = _normalised(res.x)
    return WeightingResult(w, {"method": "optimal", "target": t.tolist(), "correlations": correlations(w).tolist(),
                               "loss": float(res.fun), "converged": bool(res.success), "cities": len(x)})


_RULES = {"retain": "share", "min_eigenvalue": 1.0, "min_share": 0.10, "min_cumulative": 0.60, "factors": None}

BUILTIN = {
    "entropy": (entropy, {"data": None}),
    "critic": (critic, {"data": None}),
    "pca": (pca, {"data": None, **_RULES}),
    "fa": (fa, {"data": None, **_RULES}),
    "optimal": (optimal, {"data": None, "target": None}),
}
