"""``cityrank report`` (a self-contained HTML file) and ``cityrank plot`` (PNG / SVG charts)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CityrankError
from ..formats.atomic import refuse_existing
from .common import SEED, WholeNumber, load, quiet


@click.command()
@click.argument("edition")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="The .html file to write.")
@click.option("--uncertainty", "uncertainty_file", type=click.Path(dir_okay=False),
              help="JSON from `cityrank uncertainty --format json` to chart rank intervals.")
@click.option("--samples", type=WholeNumber(min=1, max=10**9), help="Or run a Monte Carlo of this many samples for the rank intervals.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Indicator values to use (yours).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def report(edition, output, uncertainty_file, samples, seed, data_file, force):
    """Write one self-contained HTML report: sortable ranking, heat map, charts, profiles, provenance."""
    from ..formats.output import write_atomic

    if Path(output).suffix and Path(output).suffix.lower() not in (".html", ".htm"):
        raise CityrankError("the report is one HTML page: give a file ending in .html", file=output)
    refuse_existing(output, force)
    html = quiet(load(edition).report, uncertainty=uncertainty_file, samples=samples, seed=seed, data=data_file)
    write_atomic(output, html, force=force)
    click.echo(f"wrote {output}", err=True)


@click.command()
@click.argument("edition")
@click.option("--kind", type=click.Choice(["bar", "heatmap", "map", "intervals"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="A .png or .svg file.")
@click.option("--top", type=WholeNumber(min=1), default=20, show_default=True, help="Cities shown in bar, heatmap and intervals.")
@click.option("--uncertainty", "uncertainty_file", type=click.Path(dir_okay=False),
              help="For --kind intervals: JSON from `cityrank uncertainty --format json`.")
@click.option("--samples", type=WholeNumber(min=1, max=10**9), default=1000, show_default=True,
              help="For --kind intervals without --uncertainty: Monte Carlo samples.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def plot(edition, kind, output, top, uncertainty_file, samples, seed, force):
    """A chart for slides and papers: top-city bars, domain heat map, map-like scatter, rank intervals."""
    from ..formats import charts
    from ..formats.output import write_atomic

    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise CityrankError("the output must end in .png or .svg", file=output)
    refuse_existing(output, force)
    fig = quiet(load(edition).plot, kind, top=top, uncertainty=uncertainty_file, samples=samples, seed=seed)
    write_atomic(output, charts.render(fig, fmt), force=force)
    click.echo(f"wrote {output}", err=True)


COMMANDS = [report, plot]
