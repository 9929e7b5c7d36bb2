"""``cityrank experts check|combine``: an AHP panel's matrices, one CSV per expert."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CityrankError, SpecError
from .common import emit, format_option, output_option


@click.group()
def experts():
    """Check and combine an expert panel's pairwise-comparison matrices (CSV: ,a,b,c / a,1,3,1/5 …)."""


def _read(files):
    from ..formats.spec import read_matrix_file
    from ..methods.weightings import check_pairwise

    items, mats = None, []
    for f in files:
        file_items, m = read_matrix_file(f)
        if items is None:
            items = file_items
        elif file_items != items:
            raise SpecError(f"items {', '.join(file_items)} differ from {', '.join(items)} in {files[0]}", file=f)
        try:
            mats.append(check_pairwise(m, Path(f).name))
        except ValueError as exc:
            raise SpecError(str(exc), file=f) from None
    return items, mats


def _expert(f, items, m) -> dict:
    from ..methods import panel

    try:
        parts = panel.components(m)
        if len(parts) > 1:
            groups = " | ".join(", ".join(items[i] for i in p) for p in parts)
            raise SpecError(f"the judgments do not connect every item (separate groups: {groups})", file=f)
        w, _, missing = panel.harker(m)
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


@experts.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option
@output_option
def check(files, fmt, output, force):
    """Per expert: missing pairs, consistency ratio (Saaty; Alonso–Lamata), the most inconsistent
    triads, and for an inconsistent matrix the judgments whose revision brings CR under 0.10."""
    from ..formats.output import to_json_text

    items, mats = _read(files)
    reports = [_expert(f, items, m) for f, m in zip(files, mats, strict=True)]
    if fmt == "json":
        return emit(to_json_text({"items": items, "experts": reports}), output)
    lines = []
    for r in reports:
        verdict = "consistent" if r["consistent"] else "INCONSISTENT"
        lines.append(f"{r['expert']}: CR {r['cr']:.3f} (Alonso–Lamata {r['cr_alonso_lamata']:.3f}), {verdict}, "
                     f"{r['missing_pairs']} pair(s) not judged")
        for t in r["triads"][:1]:
            if t["index"] > 0.1:
                lines.append(f"  most inconsistent triad: {' – '.join(t['items'])} (Koczkodaj {t['index']:.2f})")
        for v in r["revisions"]:
            a, b = v["pair"]
            lines.append(f"  revise {a} vs {b}: {_ratio(v['from'])} → {_ratio(v['to'])} (CR then {v['cr_after']:.3f})")
    emit("\n".join(lines) + "\n", output)


def _ratio(v: float) -> str:
    return f"{v:g}" if v >= 1 else f"1/{1 / v:g}"


@experts.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--method", type=click.Choice(["aij", "aip"]), default="aij", show_default=True,
              help="aij: geometric mean of the judgments, then priorities; aip: geometric mean of each expert's priorities.")
@click.option("--expert-weights", "expert_weights", type=click.Path(dir_okay=False),
              help="CSV expert,weight (expert = the file's name): a weighted geometric mean.")
@click.option("--exclude-cr", type=click.FloatRange(min=0, min_open=True), help="Leave out experts whose CR is above this.")
@click.option("--node", default="NODE", show_default=True, help="The node the judgments are about (for the TOML).")
@format_option
@output_option
def combine(files, method, expert_weights, exclude_cr, node, fmt, output, force):
    """The panel's weights, with Kendall's W and each expert's geometric consensus index;
    -o FILE.csv writes id,weight (for --weights), -o FILE.toml an [[experts.ahp]] table."""
    import numpy as np

    from ..formats.output import csv_text, to_json_text
    from ..methods import panel

    items, mats = _read(files)
    reports = [_expert(f, items, m) for f, m in zip(files, mats, strict=True)]
    keep = [k for k, r in enumerate(reports) if exclude_cr is None or r["cr"] <= exclude_cr]
    if not keep:
        raise CityrankError(f"--exclude-cr {exclude_cr:g} leaves no expert")
    weight = _expert_weights(expert_weights, [Path(f).name for f in files])
    e = np.array([weight[k] for k in keep])
    e = e / e.sum()
    priorities = np.array([[reports[k]["weights"][i] for i in items] for k in keep])
    if method == "aip":
        w = np.exp(e @ np.log(priorities))
    else:
        logs = np.stack([np.log(mats[k]) for k in keep])
        with np.errstate(invalid="ignore"):
            known = ~np.isnan(logs)
            combined = np.exp(np.nansum(logs * e[:, None, None], axis=0) / np.maximum((known * e[:, None, None]).sum(axis=0), 1e-300))
        combined[~known.any(axis=0)] = np.nan
        w, _, _ = panel.harker(combined)
    w = w / w.sum()
    consensus = {reports[k]["expert"]: panel.gcci(panel.completed(mats[k], priorities[n]), w)
                 for n, k in enumerate(keep)}
    data = {"items": items, "method": method, "weights": dict(zip(items, w.tolist(), strict=True)),
            "experts": [reports[k]["expert"] for k in keep],
            "left_out": [r["expert"] for k, r in enumerate(reports) if k not in keep],
            "kendall_w": panel.kendall_w(priorities), "consensus_gcci": consensus}
    if output and output.endswith(".toml") and method != "aij":
        raise CityrankError("an [[experts.ahp]] table is combined by aij in a run; for aip write -o weights.csv")
    if output and output.endswith(".toml"):
        listed = ", ".join(f'"{reports[k]["expert"]}"' for k in keep)
        text = (f"# {method.upper()} of {len(keep)} experts; Kendall's W {data['kendall_w']:.3f} (cityrank experts combine)\n"
                f'[[experts.ahp]]\nnode = "{node}"\nitems = [{", ".join(chr(34) + i + chr(34) for i in items)}]\n'
                f"files = [{listed}]\n")
        return emit(text, output)
    if output and output.endswith(".csv"):
        return emit(csv_text(["id", "weight"], [[i, repr(float(v))] for i, v in zip(items, w, strict=True)]), output)
    if fmt == "json":
        return emit(to_json_text(data), output)
    lines = [f"{method.upper()} of {len(keep)} expert(s)" + (f" ({len(data['left_out'])} left out)" if data["left_out"] else ""),
             f"Kendall's W (agreement of the experts' orders): {data['kendall_w']:.3f}", "", "weights:"]
    lines += [f"  {i:<20} {v:.4f}" for i, v in data["weights"].items()]
    lines += ["", "consensus (GCCI, 0 = the group's priorities exactly):"]
    lines += [f"  {Path(k).name:<20} {v:.4f}" for k, v in consensus.items()]
    emit("\n".join(lines) + "\n", output)


def _expert_weights(path, names) -> list[float]:
    if not path:
        return [1.0] * len(names)
    from ..formats.csvfile import parse_number, read_rows

    _, rows = read_rows(path, error=SpecError, required=("expert", "weight"))
    given = {}
    for number, row in rows:
        if row["expert"] not in names:
            raise SpecError(f"unknown expert {row['expert']!r} (the files: {', '.join(names)})", file=path, row=number,
                            column="expert")
        w = parse_number(row["weight"], file=path, row=number, column="weight", error=SpecError, allow_missing=False)
        if w < 0:
            raise SpecError(f"negative weight {w:g}", file=path, row=number, column="weight")
        given[row["expert"]] = w
    out = [given.get(n, 1.0) for n in names]
    if not sum(out) > 0:
        raise SpecError("the expert weights are all zero", file=path)
    return out


COMMANDS = [experts]
