"""``cityrank weights ahp|budget``: weights from an expert panel's judgments."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CityrankError, SpecError
from ..formats.output import to_json_text
from .common import emit, format_option, output_option, registry


@click.group()
def weights():
    """Derive weights from expert judgments."""


def _call(kind, items, **params):
    from ..plugins import call

    return call(registry().get("weighting", kind), tuple(items), **params)


def _report(items, result, fmt, output, per_expert_lines):
    if fmt == "json":
        data = {"items": list(items), "weights": result.weights.tolist(), **result.diagnostics}
        return emit(to_json_text(data), output)
    lines = [*per_expert_lines, "", "weights:"]
    lines += [f"  {item:<20} {w:.4f}" for item, w in zip(items, result.weights, strict=True)]
    emit("\n".join(lines) + "\n", output)


@weights.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option
@output_option
def ahp(files, fmt, output, force):
    """Weights from one AHP pairwise-comparison matrix per expert (CSV: header ,a,b,c; rows a,1,3,1/5).

    Priorities are the principal eigenvector; each expert's consistency ratio is shown and a
    warning is given above 0.10; experts are combined by the element-wise geometric mean.
    """
    from ..formats.spec import read_matrix_file

    items, mats = None, []
    for f in files:
        file_items, m = read_matrix_file(f)
        if items is None:
            items = file_items
        elif file_items != items:
            raise SpecError(f"items {file_items} differ from {items} in {files[0]}", file=f)
        mats.append(m)
    result = _call("ahp", items, matrices=mats, labels=list(files))
    lines = ["expert                 CR     " + "  ".join(f"{i[:10]:>10}" for i in items)]
    for f, e in zip(files, result.diagnostics["experts"], strict=True):
        lines.append(f"{Path(f).stem[:20]:<20} {e['cr']:6.3f}  " + "  ".join(f"{w:10.4f}" for w in e["weights"]))
        if not e["consistent"]:
            click.echo(f"warning: {f}: consistency ratio {e['cr']:.3f} exceeds 0.10; revise these judgments", err=True)
    c = result.diagnostics["combined"]
    lines.append(f"{'combined (geo. mean)':<20} {c['cr']:6.3f}")
    _report(items, result, fmt, output, lines)


@weights.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--total", type=click.FloatRange(min=0, min_open=True, max=1e12), default=100.0, show_default=True,
              help="Points each expert allocates.")
@format_option
@output_option
def budget(file, total, fmt, output, force):
    """Weights from budget allocations (CSV: header expert,a,b,c; one row per expert, each summing to 100)."""
    from ..formats.spec import read_budget_file

    items, labels, table = read_budget_file(file)
    try:
        result = _call("budget", items, allocations=table, labels=labels, total=total)
    except CityrankError as exc:
        raise SpecError(exc.message, file=file) from None
    d = result.diagnostics
    lines = [f"{d['experts']} experts          mean      sd     min     max"]
    for j, item in enumerate(items):
        lines.append(f"  {item:<20} {result.weights[j]:7.4f} {d['sd'][j]:7.4f} {d['min'][j]:7.4f} {d['max'][j]:7.4f}")
    _report(items, result, fmt, output, lines)


COMMANDS = [weights]
