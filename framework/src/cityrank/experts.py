"""Expert panels from Python: each expert's file checked (consistency, the most inconsistent
triads, the revisions that would make it consistent) and the panel combined into weights, as
``cityrank experts check`` and ``combine`` report them. One file per expert: an AHP matrix
(CSV ``,a,b,c`` / ``a,1,3,1/5``) or a budget-allocation sheet (``expert,a,b,c``), CSV or XLSX."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .api import CityrankWarning
from .errors import CityrankError, SpecError
from .formats.experts import read_expert_files
from .methods import panel
from .methods.weightings import ahp, budget, check_pairwise


def read_panel(files, kind: str | None = None) -> tuple[str, list[str], tuple]:
    """One file per expert, each read once, all of one kind and with the same items:
    ``("ahp", items, (matrices,))`` with the matrices checked, or ``("budget", items,
    (labels, allocations (E, K)))`` with columns in the first file's order. ``kind`` requires one."""
    notes: list[str] = []
    read = read_expert_files(files, notes)
    for note in notes:  # two files alike: possible (the same template answered alike), worth a look
        warnings.warn(note, CityrankWarning, stacklevel=3)
    first = kind or read[0][0]
    for f, (k, _) in zip(files, read, strict=True):
        if k != first:
            names = {"ahp": "pairwise comparisons", "budget": "budget sheets"}
            raise SpecError(f"{names[k]} mixed with {names[first]}: check or combine one kind at a time", file=f)
    items = read[0][1][0]
    for f, (_, parsed) in zip(files, read, strict=True):
        if sorted(parsed[0]) != sorted(items) or (first == "ahp" and parsed[0] != items):
            raise SpecError(f"items {', '.join(parsed[0])} differ from {', '.join(items)} in {files[0]}", file=f)
    if first == "budget":
        labels = [f"{Path(f).name}: {x}" for f, (_, p) in zip(files, read, strict=True) for x in p[1]]
        table = np.vstack([p[2][:, [p[0].index(i) for i in items]] for _, p in read])
        return "budget", items, (labels, table)
    mats = []
    for f, (_, (_, m)) in zip(files, read, strict=True):
        try:
            mats.append(check_pairwise(m, Path(f).name))
        except ValueError as exc:
            raise SpecError(str(exc), file=f) from None
    return "ahp", items, (mats,)


def check(files, *, prioritisation: str = "eigenvector") -> dict:
    """Per expert: for AHP matrices the missing pairs, Saaty's and Alonso–Lamata's consistency
    ratios, the most inconsistent triads and, for an inconsistent matrix, the revisions that
    bring CR under 0.10; for budget sheets each expert's sum and shares. Returns ``kind``,
    ``items`` and ``experts`` (and ``total`` for budgets)."""
    kind, items, parsed = read_panel(files)
    if kind == "budget":
        labels, table = parsed
        total = 100.0
        reports = []
        for label, row in zip(labels, table, strict=True):
            given = float(row.sum())
            reports.append({"expert": label, "sum": given, "sums_to_total": bool(abs(given - total) <= 1e-6 * total),
                            "weights": dict(zip(items, (row / given if given > 0 else row * 0).tolist(), strict=True))})
        return {"kind": kind, "items": items, "total": total, "experts": reports}
    return {"kind": kind, "items": items,
            "experts": [expert_report(f, items, m, prioritisation) for f, m in zip(files, parsed[0], strict=True)]}


def combine(files, *, method: str = "aij", expert_weights=None, exclude_cr: float | None = None,
            prioritisation: str = "eigenvector") -> dict:
    """The panel's weights with Kendall's W and each expert's geometric consensus index (AHP:
    ``method`` aij or aip, ``expert_weights`` a CSV ``expert,weight``, experts above
    ``exclude_cr`` left out) or the budget weighting's mean shares and their spread."""
    kind, items, parsed = read_panel(files)
    if kind == "budget":
        if expert_weights or exclude_cr:
            raise CityrankError("--expert-weights and --exclude-cr apply to pairwise comparisons, not budget sheets")
        labels, table = parsed
        try:
            result = budget(items, table, labels)
        except ValueError as exc:
            raise CityrankError(str(exc)) from None
        return {"kind": kind, "items": items, "method": "budget",
                "weights": dict(zip(items, result.weights.tolist(), strict=True)),
                "sd": dict(zip(items, result.diagnostics["sd"], strict=True)), "experts": labels,
                "kendall_w": _defined(panel.kendall_w(table / table.sum(axis=1, keepdims=True)))}
    mats = parsed[0]
    reports = [expert_report(f, items, m, prioritisation) for f, m in zip(files, mats, strict=True)]
    keep = [k for k, r in enumerate(reports) if exclude_cr is None or r["cr"] <= exclude_cr]
    if not keep:
        raise CityrankError(f"--exclude-cr {exclude_cr:g} leaves no expert")
    weight = _expert_weights(expert_weights, [Path(f).name for f in files])
    e = [weight[k] for k in keep]
    if not sum(e) > 0:
        raise CityrankError("--expert-weights: the experts kept all have weight 0")
    try:
        w = ahp(items, [mats[k] for k in keep], [reports[k]["expert"] for k in keep], expert_weights=e,
                aggregation=method, prioritisation=prioritisation).weights
    except ValueError as exc:
        raise CityrankError(str(exc)) from None
    priorities = np.array([[reports[k]["weights"][i] for i in items] for k in keep])
    consensus = {reports[k]["expert"]: panel.gcci(panel.completed(mats[k], priorities[n]), w)
                 for n, k in enumerate(keep)}
    return {"kind": kind, "items": items, "method": method, "prioritisation": prioritisation,
            "weights": dict(zip(items, w.tolist(), strict=True)),
            "experts": [reports[k]["expert"] for k in keep],
            "left_out": [r["expert"] for k, r in enumerate(reports) if k not in keep],
            "kendall_w": _defined(panel.kendall_w(priorities)), "consensus_gcci": consensus,
            "kept": keep, "expert_weights": e, "reports": reports}


def expert_report(f, items, m, prioritisation: str = "eigenvector") -> dict:
    """One expert's matrix checked: priorities, consistency, triads, revisions."""
    try:
        parts = panel.components(m)
        if len(parts) > 1:
            groups = " | ".join(", ".join(items[i] for i in p) for p in parts)
            raise SpecError(f"the judgments do not connect every item (separate groups: {groups})", file=f)
        w, missing = panel.priorities(m, prioritisation)
    except ValueError as exc:
        raise SpecError(str(exc), file=f) from None
    full = panel.completed(m, w)
    c = panel.consistency_ratios(full)
    return {
        "expert": str(f), "weights": dict(zip(items, w.tolist(), strict=True)), "missing_pairs": missing, **c,
        "consistent": bool(c["cr"] <= 0.10) if c["cr"] == c["cr"] else bool(c["cr_alonso_lamata"] <= 0.10),
        "triads": [{"items": [items[i] for i in t["items"]], "index": t["index"]} for t in panel.triads(full)],
        "revisions": [{"pair": [items[i] for i in r["pair"]], "from": r["from"], "to": r["to"], "cr_after": r["cr_after"]}
                      for r in (panel.revisions(full) if c["cr"] > 0.10 else [])],
    }


def _expert_weights(path, names) -> list[float]:
    if not path:
        return [1.0] * len(names)
    from .formats.csvfile import parse_number, read_rows

    _, rows = read_rows(path, error=SpecError, required=("expert", "weight"))
    given, seen = {}, {}
    for number, row in rows:
        if row["expert"] not in names:
            raise SpecError(f"unknown expert {row['expert']!r} (the files: {', '.join(names)})", file=path, row=number,
                            column="expert")
        if row["expert"] in seen:
            raise SpecError(f"expert {row['expert']!r} is given twice (first on row {seen[row['expert']]})", file=path,
                            row=number, column="expert")
        seen[row["expert"]] = number
        w = parse_number(row["weight"], file=path, row=number, column="weight", error=SpecError, allow_missing=False)
        if w < 0:
            raise SpecError(f"negative weight {w:g}", file=path, row=number, column="weight")
        given[row["expert"]] = w
    out = [given.get(n, 1.0) for n in names]
    if not sum(out) > 0:
        raise SpecError("the expert weights are all zero", file=path)
    return out




def _defined(w: float) -> float | None:
    """Kendall's W for the outputs: None (JSON null) where it is undefined."""
    return None if w != w else w
