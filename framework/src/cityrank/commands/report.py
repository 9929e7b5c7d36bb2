"""``cityrank report`` (a self-contained HTML file) and ``cityrank plot`` (PNG / SVG charts)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from ..errors import CityrankError
from ..formats.atomic import refuse_existing
from .common import SEED, load, registry, run_edition

RANK_FIELDS = ("nominal_rank", "median_rank", "p05_rank", "p95_rank", "mean_rank")


def _check_uncertainty_rows(rows, ed, path) -> None:
    """Each row as `cityrank uncertainty --format json` writes it, for a city of the edition:
    every rank field present (a number, or null for a city without ranks), ranks within
    1 … the number of cities, the 5 % rank ≤ the median ≤ the 95 % rank, the top share in
    [0, 1], each city once."""
    ids = set(ed.city_ids)
    if not isinstance(rows, list):
        raise CityrankError("'cities' must be a list", file=path)
    seen = set()
    for n, row in enumerate(rows, start=1):
        where = f"cities[{n}]"
        if (not isinstance(row, dict) or not isinstance(row.get("id"), str) or row["id"] not in ids
                or not isinstance(row.get("name"), str)):
            raise CityrankError(f"{where}: expected an object with the 'id' and 'name' of a city of {ed.id!r}",
                                file=path)
        if row["id"] in seen:
            raise CityrankError(f"{where}: city {row['id']!r} is listed twice", file=path)
        seen.add(row["id"])
        for key in (*RANK_FIELDS, "top_share"):
            value = row.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or not math.isfinite(value)):
                raise CityrankError(f"{where}: {key!r} must be a number or null, got {value!r}", file=path)
            if key != "top_share" and value is not None and not 1 <= value <= len(ed.cities):
                raise CityrankError(f"{where}: {key!r} must be a rank from 1 to {len(ed.cities)}, got {value!r}",
                                    file=path)
        missing = [key for key in (*RANK_FIELDS, "top_share") if key not in row]
        if missing:
            raise CityrankError(f"{where}: {', '.join(map(repr, missing))} missing", file=path)
        if not isinstance(row.get("top_share"), int | float) or not 0 <= row["top_share"] <= 1:
            raise CityrankError(f"{where}: 'top_share' must be a share from 0 to 1", file=path)
        sampled = [row[k] for k in ("p05_rank", "median_rank", "p95_rank", "mean_rank")]
        if any(v is None for v in sampled) and not all(v is None for v in sampled):
            raise CityrankError(f"{where}: the 5 %, median, 95 % and mean ranks are all numbers or all null", file=path)
        if sampled[0] is not None and not sampled[0] <= sampled[1] <= sampled[2]:
            raise CityrankError(f"{where}: the ranks must be in order, 5 % ≤ median ≤ 95 %", file=path)


def _uncertainty_rows(ed, uncertainty_file, samples, seed):
    if uncertainty_file:
        try:
            data = json.loads(Path(uncertainty_file).read_text(encoding="utf-8"))
            rows = data["cities"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CityrankError(f"not the JSON of `cityrank uncertainty --format json`: {exc}",
                                file=uncertainty_file) from None
        if data.get("edition") != ed.id:
            raise CityrankError(f"it is for edition {data.get('edition')!r}, not {ed.id!r}", file=uncertainty_file)
        _check_uncertainty_rows(rows, ed, uncertainty_file)
        return rows
    if samples:
        from ..analysis import uncertainty

        return uncertainty(ed, registry(), samples=samples, seed=seed).rows()
    return None


@click.command()
@click.argument("edition")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="The .html file to write.")
@click.option("--uncertainty", "uncertainty_file", type=click.Path(dir_okay=False),
              help="JSON from `cityrank uncertainty --format json` to chart rank intervals.")
@click.option("--samples", type=click.IntRange(min=1, max=10**9), help="Or run a Monte Carlo of this many samples for the rank intervals.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Indicator values to use (yours).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def report(edition, output, uncertainty_file, samples, seed, data_file, force):
    """Write one self-contained HTML report: sortable ranking, heat map, charts, profiles, provenance."""
    from ..formats.output import write_atomic
    from ..formats.report import render
    from .audit import profile

    if Path(output).suffix and Path(output).suffix.lower() not in (".html", ".htm"):
        raise CityrankError("the report is one HTML page: give a file ending in .html", file=output)
    refuse_existing(output, force)
    ed = load(edition)
    result = run_edition(ed, data_file)
    rows = _uncertainty_rows(ed, uncertainty_file, samples, seed)
    profiles = [profile(result, i) for i in result.order()]
    from ..analysis.published import compare

    html = render(result, uncertainty_rows=rows, profiles=profiles, facts=compare(result))
    write_atomic(output, html, force=force)
    click.echo(f"wrote {output}", err=True)


@click.command()
@click.argument("edition")
@click.option("--kind", type=click.Choice(["bar", "heatmap", "map", "intervals"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="A .png or .svg file.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Cities shown in bar, heatmap and intervals.")
@click.option("--uncertainty", "uncertainty_file", type=click.Path(dir_okay=False),
              help="For --kind intervals: JSON from `cityrank uncertainty --format json`.")
@click.option("--samples", type=click.IntRange(min=1, max=10**9), default=1000, show_default=True,
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
    ed = load(edition)
    if kind == "intervals":
        fig = charts.intervals(_uncertainty_rows(ed, uncertainty_file, samples, seed), top=top)
    else:
        result = run_edition(ed)
        fig = {"bar": lambda: charts.bar(result, top), "heatmap": lambda: charts.heatmap(result, top),
               "map": lambda: charts.scatter_map(result)}[kind]()
    write_atomic(output, charts.render(fig, fmt), force=force)
    click.echo(f"wrote {output}", err=True)


COMMANDS = [report, plot]
