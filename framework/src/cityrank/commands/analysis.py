"""``cityrank uncertainty`` and ``cityrank sensitivity``: how robust is a ranking?"""

from __future__ import annotations

import sys
from contextlib import contextmanager, nullcontext

import click

from ..errors import CityrankError
from .common import SEED, FiniteFloat, emit, format_option, lazy, load, output_option, registry

writers = lazy("cityrank.formats.output")
model = lazy("cityrank.model")


def _list(ctx, param, value):
    return [v.strip() for v in value.split(";") if v.strip()] if value else None


def assumption_options(func):
    options = [
        click.option("--samples", type=click.IntRange(min=1, max=10**9), required=True, help="Number of Monte Carlo samples (base samples for sensitivity)."),
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
        click.option("--concentration", type=FiniteFloat(min=0, min_open=True, max=1e9), default=50.0, show_default=True,
                     help="Dirichlet concentration (sum of parameters); larger = closer to the nominal weights."),
        click.option("--spread", type=FiniteFloat(min=0, max=1, max_open=True), default=0.25, show_default=True, help="Uniform noise: ±spread × weight."),
        click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Indicator values to use (yours)."),
        click.option("--chunk-size", type=click.IntRange(min=1), help="Samples evaluated per batch (results do not depend on it)."),
        click.option("--cluster", metavar="local|ADDRESS",
                     help="Run the samples as Dask tasks: 'local' (a LocalCluster of --workers processes) or a "
                          "scheduler address such as tcp://scheduler:8786. Same results as without.",),
        click.option("--workers", type=click.IntRange(min=1, max=64), help="Threads (default: 1 below 2,000 cities, else the cores, at most 4; results do not depend on it)."),
    ]
    for option in reversed(options):
        func = option(func)
    return output_option(func)


def _setup(edition, normalisers, aggregators, imputations, weight_noise, concentration, spread, data_file,
           weights_file, panel="none"):
    import attrs

    from ..analysis import Assumptions, WeightNoise
    from ..engine import resolve_weights
    from ..formats.spec import read_data

    ed = load(edition)
    if weights_file:  # nominal weights from the file (after any expert panel), as run does
        weights, _ = resolve_weights(ed, registry(), weights_file)
        ed = attrs.evolve(ed, weights=weights, experts={})
    noise = None if weight_noise is None else WeightNoise(weight_noise, concentration, spread)
    assumptions = Assumptions.for_edition(ed, normalisers=normalisers, aggregators=aggregators,
                                          imputations=imputations, weights=noise, panel=panel)
    if weight_noise is None and (concentration != 50.0 or spread != 0.25):
        assumptions = Assumptions(assumptions.normalisers, assumptions.aggregators, assumptions.imputations,
                                  WeightNoise(assumptions.weights.kind, concentration, spread), panel)
    data = read_data(data_file, ed.cities, ed.framework) if data_file else None
    return ed, assumptions, data


def _client(address, workers):
    """A Dask client for --cluster (imported only then), or None."""
    if not address:
        return nullcontext(None)
    from ..analysis.cluster import connect

    return connect(address, workers)


@contextmanager
def _progress(total, label):
    """A progress bar on a terminal; nothing in pipes or files."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.command()
@click.argument("edition")
@assumption_options
@click.option("--top", type=FiniteFloat(min=0, max=1, min_open=True), default=0.1, show_default=True, help="Share of cities in the top tier.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Show only the first N cities in the table.")
def uncertainty(edition, samples, seed, normalisers, aggregators, imputations, weights_file, weight_noise, panel,
                concentration, spread, data_file, chunk_size, cluster, workers, output, force, top, fmt, limit):
    """Monte Carlo over weights, normaliser, aggregator and imputation: rank intervals per city."""
    from ..analysis import uncertainty as run_uncertainty

    ed, assumptions, data = _setup(edition, normalisers, aggregators, imputations, weight_noise,
                                   concentration, spread, data_file, weights_file, panel)
    with _client(cluster, workers) as client, _progress(samples, "samples") as progress:
        result = run_uncertainty(ed, registry(), samples=samples, seed=seed, assumptions=assumptions, data=data,
                                 top=top, chunk_size=chunk_size, workers=workers, progress=progress, client=client)
    rows = result.rows()
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    info = {"edition": ed.id, "samples": samples, "seed": seed, "top": top,
            "assumptions": _describe(assumptions), "rank_resolution": result.resolution, "notes": list(result.notes)}
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
@click.option("--bootstrap", type=click.IntRange(min=0, max=100_000), default=1000, show_default=True, help="Bootstrap resamples for the intervals.")
@format_option
def sensitivity(edition, samples, seed, normalisers, aggregators, imputations, weights_file, weight_noise, panel,
                concentration, spread, data_file, chunk_size, cluster, workers, output, force, bootstrap, fmt):
    """First-order and total sensitivity indices of the mean absolute rank shift."""
    from ..analysis import sensitivity as run_sensitivity

    ed, assumptions, data = _setup(edition, normalisers, aggregators, imputations, weight_noise,
                                   concentration, spread, data_file, weights_file, panel)
    runs = samples * (len(assumptions.factors()) + 2)
    with _client(cluster, workers) as client, _progress(runs, "runs") as progress:
        result = run_sensitivity(ed, registry(), samples=samples, seed=seed, assumptions=assumptions, data=data,
                                 bootstrap=bootstrap, chunk_size=chunk_size, workers=workers, progress=progress,
                                 client=client)
    rows = result.rows()
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    if fmt == "json":
        data = {"edition": ed.id, "base_samples": samples, "runs": result.runs, "seed": seed,
                "confidence": result.confidence, "assumptions": _describe(assumptions), "indices": rows,
                "notes": list(result.notes)}
        return emit(writers.to_json_text(data), output)
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
@click.option("--ranks", type=click.IntRange(min=1), default=10, show_default=True,
              help="Rank acceptability shown for ranks 1 … RANKS.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def acceptability(edition, samples, seed, normalisers, aggregators, imputations, weights_file, weight_noise, panel,
                  concentration, spread, data_file, chunk_size, cluster, workers, output, force, top, ranks, fmt):
    """SMAA-2: rank acceptability per city and rank, central weights, confidence factors."""
    from ..analysis import acceptability as run_acceptability

    if cluster:
        raise CityrankError("--cluster is for uncertainty and sensitivity; acceptability runs in this process")
    ed, assumptions, data = _setup(edition, normalisers, aggregators, imputations, weight_noise,
                                   concentration, spread, data_file, weights_file, panel)
    with _progress(samples, "samples") as progress:
        result = run_acceptability(ed, registry(), samples=samples, seed=seed, assumptions=assumptions, data=data,
                                   top=top, chunk_size=chunk_size, workers=workers, progress=progress)
    rows = result.rows(ranks)
    info = {"edition": ed.id, "samples": samples, "seed": seed, "top": top, "assumptions": _describe(assumptions),
            "rank_resolution": result.resolution}
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


def _describe(assumptions) -> dict:
    w = assumptions.weights
    noise = {"dirichlet": f"dirichlet (concentration {w.concentration:g})",
             "uniform": f"uniform ±{w.spread:.0%}", "none": "fixed"}[w.kind]
    return {"weights": noise, "panel": assumptions.panel,
            "normaliser": [str(c) for c in assumptions.normalisers],
            "aggregator": [str(c) for c in assumptions.aggregators],
            "imputation": [str(c) for c in assumptions.imputations]}


COMMANDS = [uncertainty, sensitivity, acceptability]
