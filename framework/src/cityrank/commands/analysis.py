"""``cityrank uncertainty`` and ``cityrank sensitivity``: how robust is a ranking?"""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from ..errors import CityrankError
from .common import SEED, FiniteFloat, WholeNumber, emit, format_option, load, output_option, quiet


def _list(ctx, param, value):
    return [v.strip() for v in value.split(";") if v.strip()] if value else None


def assumption_options(func):
    options = [
        # 1000 is cityrank.api.SAMPLES (not imported here: --help imports no numpy)
        click.option("--samples", type=WholeNumber(min=1, max=10**9), default=1000, show_default=True,
                     help="Number of Monte Carlo samples (base samples for sensitivity); at 1000 a share of samples is "
                          "known to within ±3.1 points at 95 %."),
        click.option("--seed", type=SEED, default=0, show_default=True),
        click.option("--normalisers", callback=_list, help="Alternatives, separated by ';' (e.g. 'minmax;rank')."),
        click.option("--aggregators", callback=_list, help="Alternatives, separated by ';' (e.g. 'arithmetic;geometric')."),
        click.option("--imputations", callback=_list, help="Alternatives, separated by ';' (e.g. 'none;mean')."),
        click.option("--weights", "weights_file", type=click.Path(dir_okay=False),
                     help="CSV id,weight overriding the nominal weights (as for run)."),
        click.option("--weight-noise", "weight_noise", type=click.Choice(["dirichlet", "uniform", "none"]),
                     help="How weights vary (default: the edition's [uncertainty] or dirichlet)."),
        click.option("--panel", type=click.Choice(["none", "bootstrap"]), default="none", show_default=True,
                     help="bootstrap: resample the experts of every [[experts.ahp]] table in each sample."),
        click.option("--concentration", type=FiniteFloat(min=0, min_open=True, max=1e9),
                     help="Dirichlet concentration (sum of parameters); larger = closer to the nominal weights "
                          "(default: the edition's [uncertainty] or 50)."),
        click.option("--spread", type=FiniteFloat(min=0, max=1, max_open=True),
                     help="Uniform noise: ±spread × weight (default: the edition's [uncertainty] or 0.25)."),
        click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Indicator values to use (yours)."),
        click.option("--chunk-size", type=WholeNumber(min=1), help="Samples evaluated per batch (results do not depend on it)."),
        click.option("--cluster", metavar="local|ADDRESS",
                     help="Run the samples as Dask tasks: 'local' (a LocalCluster of --workers processes) or a "
                          "scheduler address such as tcp://scheduler:8786. Same results as without.",),
        click.option("--workers", type=WholeNumber(min=1, max=64), help="Threads (default: 1 below 2,000 cities, else the cores, at most 4; results do not depend on it)."),
        click.option("--keep-degenerate", is_flag=True,
                     help="Keep the samples of degenerate models (most cities tied, a domain that scores every city "
                          "alike, no city scored); by default they are left out and counted in a note."),
    ]
    for option in reversed(options):
        func = option(func)
    return output_option(func)


def _options(normalisers, aggregators, imputations, weights_file, weight_noise, panel, concentration, spread,
             data_file, chunk_size, workers, keep_degenerate, progress):
    """The API's keywords for the options every Monte Carlo command shares."""
    return {"normalisers": normalisers, "aggregators": aggregators, "imputations": imputations,
            "weights": weights_file, "weight_noise": weight_noise, "panel": panel, "concentration": concentration,
            "spread": spread, "data": data_file, "chunk_size": chunk_size, "workers": workers,
            "keep_degenerate": keep_degenerate, "progress": progress}


@contextmanager
def _progress(label):
    """A progress bar on a terminal, made when the work says its total; nothing in pipes or files."""
    if not sys.stderr.isatty():
        yield None
        return
    bars = []

    def update(done, total):
        if not bars:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr).__enter__())
        bars[0].update(done)

    try:
        yield update
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


@click.command()
@click.argument("edition")
@assumption_options
@click.option("--top", type=FiniteFloat(min=0, max=1, min_open=True), default=0.1, show_default=True, help="Share of cities in the top tier.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--limit", type=WholeNumber(min=1), help="Show only the first N cities in the table.")
def uncertainty(edition, samples, seed, normalisers, aggregators, imputations, weights_file, weight_noise, panel,
                concentration, spread, data_file, chunk_size, cluster, workers, keep_degenerate, output, force, top, fmt,
                limit):
    """Monte Carlo over weights, normaliser, aggregator and imputation: rank intervals per city."""
    from .. import model
    from ..formats import output as writers

    ed = load(edition)
    with _progress("samples") as progress:
        found = quiet(ed.uncertainty, samples, seed=seed, top=top, cluster=cluster, **_options(
            normalisers, aggregators, imputations, weights_file, weight_noise, panel, concentration, spread,
            data_file, chunk_size, workers, keep_degenerate, progress))
    rows, info, result = found.rows(), found.info(), found.result
    for note in found.notes:
        click.echo(f"warning: {note}", err=True)
    if fmt == "json":
        return emit(writers.to_json_text({**info, "cities": rows}), output)
    if fmt == "csv":
        return emit(writers.csv_text(list(rows[0]), [list(r.values()) for r in rows]), output)
    exact = "exact rank quantiles" if result.resolution == 1 else \
        f"rank quantiles within {result.resolution - 1} ranks (counted in bins of {result.resolution})"
    lines = [f"{ed.title}: {samples} samples, seed {seed}, {exact}",
             "varying: " + "; ".join(f"{k} = {model.plain_text(v)}" for k, v in info["assumptions"].items()), "",
             f"{'rank':>4}  {'city':<24} {'median':>6} {'5–95% interval':>15} {f'in top {top:.0%}':>11}"]
    for r in rows[:limit]:
        interval = "–" if r["p05_rank"] is None else f"{r['p05_rank']:g}–{r['p95_rank']:g}"
        median = "–" if r["median_rank"] is None else f"{r['median_rank']:g}"
        lines.append(f"{r['nominal_rank'] or '–':>4}  {r['name'][:24]:<24} {median:>6} {interval:>15} "
                     f"{r['top_share']:>11.1%}")
    emit("\n".join(lines) + "\n", output)


@click.command()
@click.argument("edition")
@assumption_options
@click.option("--bootstrap", type=WholeNumber(min=0, max=100_000), default=1000, show_default=True, help="Bootstrap resamples for the intervals.")
@format_option
def sensitivity(edition, samples, seed, normalisers, aggregators, imputations, weights_file, weight_noise, panel,
                concentration, spread, data_file, chunk_size, cluster, workers, keep_degenerate, output, force,
                bootstrap, fmt):
    """First-order and total sensitivity indices of the mean absolute rank shift."""
    from ..formats import output as writers

    ed = load(edition)
    with _progress("runs") as progress:
        found = quiet(ed.sensitivity, samples, seed=seed, bootstrap=bootstrap, cluster=cluster, **_options(
            normalisers, aggregators, imputations, weights_file, weight_noise, panel, concentration, spread,
            data_file, chunk_size, workers, keep_degenerate, progress))
    rows, result = found.rows(), found.result
    for note in found.notes:
        click.echo(f"warning: {note}", err=True)
    if fmt == "json":
        return emit(writers.to_json_text({**found.info(), "indices": rows, "notes": list(found.notes)}), output)
    level = f"{result.confidence:.0%}"
    lines = [f"{ed.title}: {samples} base samples, {result.runs} runs, seed {seed}",
             "output: mean absolute rank shift from the nominal ranking", "",
             f"{'assumption':<12} {'first-order':>11} {level + ' interval':>18} {'total':>7} {level + ' interval':>18}"]
    for r in rows:
        fi = f"{r['first_order_ci'][0]:.3f}–{r['first_order_ci'][1]:.3f}"
        ti = f"{r['total_ci'][0]:.3f}–{r['total_ci'][1]:.3f}"
        lines.append(f"{r['assumption']:<12} {r['first_order']:>11.3f} {fi:>18} {r['total']:>7.3f} {ti:>18}"
                     .replace("nan", "  –"))
    emit("\n".join(lines) + "\n", output)


@click.command()
@click.argument("edition")
@assumption_options
@click.option("--top", type=FiniteFloat(min=0, max=1, min_open=True), default=0.1, show_default=True,
              help="Share of cities in the top tier.")
@click.option("--ranks", type=WholeNumber(min=1), default=10, show_default=True,
              help="Rank acceptability shown for ranks 1 … RANKS.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def acceptability(edition, samples, seed, normalisers, aggregators, imputations, weights_file, weight_noise, panel,
                  concentration, spread, data_file, chunk_size, cluster, workers, keep_degenerate, output, force, top,
                  ranks, fmt):
    """SMAA-2: rank acceptability per city and rank, central weights, confidence factors."""
    from ..formats import output as writers

    if cluster is not None:
        raise CityrankError("--cluster is for uncertainty and sensitivity; acceptability runs in this process")
    ed = load(edition)
    with _progress("samples") as progress:
        found = quiet(ed.acceptability, samples, seed=seed, top=top, **_options(
            normalisers, aggregators, imputations, weights_file, weight_noise, panel, concentration, spread,
            data_file, chunk_size, workers, keep_degenerate, progress))
    rows, info, result = found.rows(ranks), found.info(), found.result
    for note in found.notes:
        click.echo(f"warning: {note}", err=True)
    if fmt == "json":
        return emit(writers.to_json_text({**info, "cities": rows}), output)
    if fmt == "csv":
        return emit(writers.csv_text(list(rows[0]), [list(r.values()) for r in rows]), output)
    shown = min(ranks, result.acceptability.shape[1])
    lines = [f"{ed.title}: SMAA-2 over {samples} samples, seed {seed}", "rank acceptability (share of samples "
             "at each rank), share first, confidence factor", "",
             f"{'#':>4}  {'city':<24} " + " ".join(f"{f'r{r + 1}':>5}" for r in range(shown)) + "  first   conf."]
    for r in rows:
        conf = "–" if r["confidence"] is None else f"{r['confidence']:.2f}"
        lines.append(f"{r['nominal_rank'] or '–':>4}  {r['name'][:24]:<24} "
                     + " ".join(f"{r[f'rank_{k + 1}']:>5.2f}" for k in range(shown))
                     + f"  {r['first_share']:>5.2f}  {conf:>5}")
    emit("\n".join(lines) + "\n", output)


COMMANDS = [uncertainty, sensitivity, acceptability]
