"""``cityrank run`` and ``cityrank validate``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import CityrankError, one_line
from ..formats.atomic import refuse_existing
from .common import WholeNumber, emit, format_option, load, output_option, run_edition, write_folder

METHOD_HELP = "name or name:key=value,… (see `cityrank methods`); replaces the edition's default"


def _choice(ctx, param, value):
    from .. import model

    if value is None:
        return None
    return model.MethodChoice.parse(value, what=f"--{param.name}")


@click.command()
@click.argument("edition")
@click.option("--data", "data_file", type=click.Path(dir_okay=False),
              help="A data.csv with indicator values (yours); its columns replace the edition's.")
@click.option("--normaliser", callback=_choice, help=METHOD_HELP)
@click.option("--aggregator", callback=_choice, help=METHOD_HELP)
@click.option("--imputation", callback=_choice, help=METHOD_HELP)
@click.option("--outliers", callback=_choice, help=METHOD_HELP)
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False),
              help="CSV with columns id,weight overriding domain and indicator weights.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
              show_default=True, help="xlsx needs -o.")
@click.option("-o", "--output", type=click.Path(), help="Write to this file instead of stdout (a folder with --stages).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--limit", type=WholeNumber(min=1), help="Show only the first N cities in the table.")
@click.option("--drop", multiple=True, metavar="INDICATOR",
              help="Leave an indicator out (a what-if, as COINr's change_ind); repeatable.")
@click.option("--stages", is_flag=True,
              help="Every stage's data too: with -o FILE.xlsx one sheet per stage, with -o FOLDER/ one CSV per stage.")
def run(edition, data_file, normaliser, aggregator, imputation, outliers, weights_file, fmt, output, force, limit,
        drop, stages):
    """Rank EDITION (an installed edition's id or the path of an edition.toml)."""
    from ..formats.output import FORMATS

    to_folder = stages and output and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    if stages and not (to_folder or (output and fmt == "xlsx")):
        raise CityrankError("--stages needs -o FOLDER/ (one CSV per stage) or --format xlsx -o FILE.xlsx")
    if fmt == "xlsx" and not output:
        raise CityrankError("--format xlsx needs -o FILE.xlsx")
    if output and not to_folder and Path(output).is_dir():
        raise CityrankError("is a folder, not a file (give --stages for one CSV per stage)", file=output)
    if output and not to_folder:
        refuse_existing(output, force)
    result = run_edition(load(edition), data_file, normaliser=normaliser, aggregator=aggregator,
                         imputation=imputation, outliers=outliers, weights=weights_file, drop=drop)
    if fmt != "table":  # the table prints its notes; other formats carry them, and say them here
        for note in result.notes:
            click.echo(one_line(f"warning: {note}"), err=True)
    if to_folder:
        return _write_stages(result, Path(output), force)
    if fmt == "xlsx":
        from ..formats.xlsx import to_xlsx

        text = to_xlsx(result, stages=stages)
    else:
        text = FORMATS[fmt](result, limit) if fmt == "table" else FORMATS[fmt](result)
    emit(text, output, force=force)


def _write_stages(result, folder: Path, force: bool) -> None:
    """One CSV per stage (and the ranking) into ``folder``; every file or none is new."""
    from ..formats.output import stage_csv, to_csv

    files = {f"{name}.csv": stage_csv(result, name) for name in result.stages} | {"ranking.csv": to_csv(result)}
    write_folder(folder, files, force)


@click.command()
@click.argument("edition")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Also check this data file.")
@format_option
def validate(edition, data_file, fmt):
    """Check an edition's spec, cities, data, weights and methods: everything a run checks,
    without printing a ranking. Exit 2 when it cannot be ranked."""
    from ..formats.output import to_json_text

    ed = load(edition)
    report = ed.check(data=data_file)
    warnings, error = report["warnings"], report["error"]
    if fmt == "json":
        emit(to_json_text(report), None)
    else:
        click.echo(f"{ed.id}: {report['cities']} cities, {report['domains']} domains, {report['indicators']} indicators")
        for line in warnings:
            click.echo(f"warning: {line}", err=True)
        if report["without_data"]:
            click.echo(f"indicators without data ({len(report['without_data'])}): {', '.join(report['without_data'])}")
            by_id = {i.id: i for i in ed.spec.framework.indicators}
            for ident in report["without_data"]:
                if by_id[ident].provider is not None:
                    click.echo(f"  {ident}: its provider {by_id[ident].provider.name} gave no value for any city "
                               "(does cities.csv have what it needs, such as latitude and longitude?)")
            if any(by_id[i].provider is None for i in report["without_data"]):
                click.echo("give their values with --data FILE (columns city_id and the indicator ids)")
        for line in report["to_do"]:
            click.echo(f"to do: {line}")
        if error is None:
            click.echo("ok")
    if error is not None:
        raise CityrankError(error)


@click.command()
@click.argument("edition")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Indicator values to use (yours).")
@click.option("--imputation", callback=_choice, help=METHOD_HELP)
@click.option("--outliers", callback=_choice, help=METHOD_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@output_option
def stats(edition, data_file, imputation, outliers, fmt, output, force):
    """Per indicator: coverage; min, max, mean, sd, skewness and kurtosis of the data as given
    and of what the normaliser receives (after transform, imputation, outlier treatment)."""
    from ..api import indicator_stats
    from ..formats.output import csv_text, to_json_text

    ed = load(edition)
    result = run_edition(ed, data_file, imputation=imputation, outliers=outliers)
    columns, ids = indicator_stats(result)
    rows = [{"indicator": ident, **{k: v[j] for k, v in columns.items()}} for j, ident in enumerate(ids)]
    if fmt == "json":
        return emit(to_json_text({"edition": ed.id, "indicators": rows}), output)
    if fmt == "csv":
        return emit(csv_text(list(rows[0]), [[_num(v) for v in r.values()] for r in rows]), output)
    head = f"{'indicator':<22} {'coverage':>8}  {'min':>10} {'max':>10} {'mean':>10} {'sd':>10} {'skew':>6} {'kurt':>6}"
    lines = [f"{ed.title}: indicator statistics (as given → after transform, imputation and outlier treatment)", "", head]
    for r in rows:
        for when in ("before", "after"):
            label = r["indicator"][:22] if when == "before" else "  after treatment"
            cov = f"{r['coverage']:.0%}" if when == "before" else ""
            lines.append(f"{label:<22} {cov:>8}  " + " ".join(
                f"{_num(r[f'{k}_{when}'], '.4g'):>{10 if k not in ('skew', 'kurt') else 6}}"
                for k in ("min", "max", "mean", "sd", "skew", "kurt")))
        lines.append(f"{'':<22} treatment: {r['treatment']}")
    emit("\n".join(lines) + "\n", output)


def _num(value, spec: str = "r") -> str:
    if isinstance(value, float):
        if value != value:
            return "–" if spec != "r" else ""
        return repr(value) if spec == "r" else format(value, spec)
    return str(value)


COMMANDS = [run, validate, stats]
