"""Statistical audit of a ranking's framework, as the JRC audits composite indicators.

For every aggregate (the index and each domain): the correlation of each child (indicator or
sub-domain) with it, Pearson and Spearman over the cities where both are present; Cronbach's
alpha of its children; the share of variance explained by the first principal component of
its children (standardised); and each indicator's coverage. Thresholds follow common JRC
practice (OECD/JRC Handbook on Constructing Composite Indicators, 2008; JRC COIN audits),
each flag explained in one line.
"""

from __future__ import annotations

import attrs
import numpy as np

from ..model import Indicator, Result

ALPHA_MIN = 0.7  # Nunnally's rule of thumb for internal consistency
CORR_WEAK = 0.3  # a child this weakly related to its aggregate adds little to it
CORR_REDUNDANT = 0.92  # a child this close to its aggregate is nearly a copy of it
PC1_MIN = 0.5  # the children share one main dimension when PC1 explains at least half
COVERAGE_MIN = 0.65  # JRC COIN data-availability threshold


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1 … n with ties given their average rank (as for Spearman's correlation)."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def correlations(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """Pearson and Spearman correlation over the pairs where both are present, and their number."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    n = int(ok.sum())
    if n < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return float("nan"), float("nan"), n
    pearson = float(np.corrcoef(x[ok], y[ok])[0, 1])
    spearman = float(np.corrcoef(average_ranks(x[ok]), average_ranks(y[ok]))[0, 1])
    return pearson, spearman, n


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``items`` (cities with every item present)."""
    x = items[~np.isnan(items).any(axis=1)]
    k = x.shape[1]
    if k < 2 or len(x) < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total)) if total > 0 else float("nan")


def first_component_share(items: np.ndarray) -> float:
    """Share of the variance of the standardised columns explained by the first principal component."""
    x = items[~np.isnan(items).any(axis=1)]
    if x.shape[1] < 2 or len(x) < 3:
        return float("nan")
    sd = x.std(axis=0, ddof=1)
    keep = sd > 0
    if keep.sum() < 2:
        return float("nan")
    eig = np.linalg.eigvalsh(np.corrcoef(x[:, keep], rowvar=False))
    return float(eig[-1] / eig.sum())


@attrs.frozen
class Audit:
    edition_id: str
    correlations: tuple[dict, ...]
    nodes: tuple[dict, ...]
    coverage: dict
    flags: tuple[str, ...]

    def as_dict(self) -> dict:
        return attrs.asdict(self)


def audit(result: Result) -> Audit:
    """Audit a ranking run (its normalised indicators and aggregate scores)."""
    fw = result.edition.framework
    column = {i.id: result.indicator_scores[:, j] for j, i in enumerate(fw.indicators)}
    column.update({n: result.scores[:, k] for k, n in enumerate(result.nodes)})
    rows, nodes, flags = [], [], []
    for node in fw.nodes:
        kids = fw.children(node.id)
        if not kids:
            continue
        present = [c for c in kids if not np.all(np.isnan(column[c.id]))]
        for child in present:
            pearson, spearman, n = correlations(column[child.id], column[node.id])
            kind = "indicator" if isinstance(child, Indicator) else "domain"
            rows.append({"child": child.id, "kind": kind, "parent": node.id, "pearson": pearson,
                         "spearman": spearman, "n": n})
            if pearson < 0:
                flags.append(f"{child.id}: correlates negatively with {node.id} (r = {pearson:.2f}): "
                             "it pulls the aggregate the other way; check its direction")
            elif pearson < CORR_WEAK:
                flags.append(f"{child.id}: weakly related to {node.id} (r = {pearson:.2f} < {CORR_WEAK}): "
                             "it adds little to the aggregate")
            elif pearson > CORR_REDUNDANT and len(present) > 1:
                flags.append(f"{child.id}: nearly the same as {node.id} (r = {pearson:.2f} > {CORR_REDUNDANT}): "
                             "its siblings barely change the ranking")
        items = np.column_stack([column[c.id] for c in present]) if present else np.empty((len(result.cities), 0))
        alpha, pc1 = cronbach_alpha(items), first_component_share(items)
        nodes.append({"node": node.id, "children": len(kids), "with_data": len(present),
                      "cronbach_alpha": alpha, "pc1_share": pc1})
        if alpha == alpha and alpha < ALPHA_MIN:
            flags.append(f"{node.id}: Cronbach's alpha {alpha:.2f} < {ALPHA_MIN}: its children do not "
                         "measure one common concept")
        if pc1 == pc1 and pc1 < PC1_MIN:
            flags.append(f"{node.id}: the first principal component explains {pc1:.0%} < {PC1_MIN:.0%} "
                         "of its children's variance: more than one dimension inside")
        if len(present) < len(kids):
            flags.append(f"{node.id}: {len(kids) - len(present)} of {len(kids)} children have no data")
    coverage = dict(result.coverage)
    for ident, share in coverage.items():
        if 0 < share < COVERAGE_MIN:
            flags.append(f"{ident}: data for {share:.0%} of cities < {COVERAGE_MIN:.0%}: scores lean on few cities")
    return Audit(result.edition.id, tuple(rows), tuple(nodes), coverage, tuple(flags))
