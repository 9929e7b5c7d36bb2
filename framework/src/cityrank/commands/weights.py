"""``cityrank weights ahp|budget``: weights from an expert panel's judgments."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CityrankError, SpecError
from .common import PRIORITISATION_OPTION, FiniteFloat, WholeNumber, emit, format_option, noted, output_option, registry


@click.group()
def weights():
    """Derive weights from expert judgments or data (-o FILE.csv writes id,weight for run --weights)."""


def _call(kind, items, **params):
    from ..plugins import call

    return call(registry().get("weighting", kind), tuple(items), **params)


def _report(items, weights, diagnostics, fmt, output, per_expert_lines):
    from ..formats import output as writers

    weights = [float(w) for w in weights]
    if output and output.lower().endswith(".csv"):  # id,weight: what run --weights reads
        rows = [[i, repr(w)] for i, w in zip(items, weights, strict=True)]
        return emit(writers.csv_text(["id", "weight"], rows), output)
    if fmt == "json":
        data = {"items": list(items), "weights": weights, **diagnostics}
        return emit(writers.to_json_text(data), output)
    lines = [*per_expert_lines, "", "weights:"]
    lines += [f"  {item:<20} {w:.4f}" for item, w in zip(items, weights, strict=True)]
    emit("\n".join(lines) + "\n", output)


@weights.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@PRIORITISATION_OPTION
@format_option
@output_option
def ahp(files, prioritisation, fmt, output, force):
    """Weights from one AHP pairwise-comparison matrix per expert (CSV: header ,a,b,c; rows a,1,3,1/5).

    Priorities are the principal eigenvector (or, with --prioritisation llsm, the logarithmic
    least squares solution); each expert's consistency ratio is shown and a warning is given
    above 0.10; experts are combined by the element-wise geometric mean.
    """
    from ..experts import read_panel

    _, items, (mats,) = noted(read_panel, files, kind="ahp")
    result = _call("ahp", items, matrices=mats, labels=list(files), prioritisation=prioritisation)
    lines = ["expert                 CR     " + "  ".join(f"{i[:10]:>10}" for i in items)]
    for f, e in zip(files, result.diagnostics["experts"], strict=True):
        lines.append(f"{Path(f).stem[:20]:<20} {e['cr']:6.3f}  " + "  ".join(f"{w:10.4f}" for w in e["weights"]))
        if not e["consistent"]:
            click.echo(f"warning: {f}: consistency ratio {e['cr']:.3f} exceeds 0.10; revise these judgments", err=True)
    c = result.diagnostics["combined"]
    lines.append(f"{'combined (geo. mean)':<20} {c['cr']:6.3f}")
    _report(items, result.weights, result.diagnostics, fmt, output, lines)


@weights.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--total", type=FiniteFloat(min=0, min_open=True, max=1e12), default=100.0, show_default=True,
              help="Points each expert allocates.")
@format_option
@output_option
def budget(file, total, fmt, output, force):
    """Weights from budget allocations (CSV: header expert,a,b,c; one row per expert, each summing to 100)."""
    from ..formats.experts import read_budget_file

    items, labels, table = read_budget_file(file)
    try:
        result = _call("budget", items, allocations=table, labels=labels, total=total)
    except CityrankError as exc:
        raise SpecError(exc.message, file=file) from None
    d = result.diagnostics
    lines = [f"{d['experts']} experts          mean      sd     min     max"]
    for j, item in enumerate(items):
        lines.append(f"  {item:<20} {result.weights[j]:7.4f} {d['sd'][j]:7.4f} {d['min'][j]:7.4f} {d['max'][j]:7.4f}")
    _report(items, result.weights, result.diagnostics, fmt, output, lines)


#: the factor analyses' choice of factors (see cityrank.methods.statistical)
FACTOR_OPTIONS = (
    click.option("--factors", type=WholeNumber(min=1), help="Keep exactly this many factors."),
    click.option("--retain", type=click.Choice(["share", "eigenvalue", "both"]), default=None,
                 help="Which factors the Handbook's rules keep: each explaining over 10 % of the variance "
                      "(share, the default, as the Handbook's worked example), eigenvalue over 1 (eigenvalue), "
                      "or both; then more until they explain over 60 % together."),
)


def _statistical(kind: str, summary: str, factor_options: bool = False):
    def command(edition, node, data_file, fmt, output, force, factors=None, retain=None):
        from .common import load

        ed = load(edition)
        chosen = {k: v for k, v in (("retain", retain), ("factors", factors)) if v is not None}
        method = kind + (":" + ",".join(f"{k}={v}" for k, v in chosen.items()) if chosen else "")
        found = ed.weights(method, node=node, data=data_file)
        kids, d = list(found.values), found.diagnostics
        lines = [f"{ed.title}: {kind} weights of the children of {found.node!r} ({d.get('cities')} cities "
                 "with every value)"]
        if "correlations" in d:
            lines += [f"  {k:<20} correlation with the parent {r:+.3f} (target share {t:.0%})"
                      for k, r, t in zip(kids, d["correlations"], d["target"], strict=True)]
        if "factors" in d:
            rule = "as asked" if d.get("retain") == "factors" else f"by rule {d.get('retain')}"
            lines.append(f"factors retained: {d['factors']} ({rule}); eigenvalues: "
                         + ", ".join(f"{v:.3g}" for v in d["eigenvalues"]))
            lines.append("variance shares: " + ", ".join(f"{v:.0%}" for v in d["variance_share"]))
            lines += [f"  {k:<20} factor {f + 1}, loadings " + ", ".join(f"{x:+.3f}" for x in row)
                      for k, f, row in zip(kids, d["factor_of"], d["loadings"], strict=True)]
        _report(kids, found.values.values(), d, fmt, output, lines)

    for option in (output_option, format_option, *reversed(FACTOR_OPTIONS if factor_options else ())):
        command = option(command)
    command = click.option("--data", "data_file", type=click.Path(dir_okay=False),
                           help="Indicator values to use (yours).")(command)
    command = click.option("--node", help="The node whose children are weighted (default: the index).")(command)
    command = click.argument("edition")(command)
    return weights.command(kind, help=f"{summary} Weights of the children of --node (default: the index), from a "
                                      "run of EDITION (their normalised or aggregated scores), with diagnostics.")(command)


for _kind, _summary in (("pca", "The Handbook's factor-analysis weights (principal components, varimax)."),
                        ("fa", "The Handbook's factor-analysis weights (principal-axis factoring, varimax)."),
                        ("entropy", "Entropy weights."), ("critic", "CRITIC weights (contrast × conflict)."),
                        ("optimal", "Weights giving each child an equal share of correlation with its parent.")):
    _statistical(_kind, _summary, factor_options=_kind in ("pca", "fa"))


COMMANDS = [weights]
