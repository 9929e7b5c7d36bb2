"""``cityrank data sheets|check|merge``: source data that a team collects and verifies."""

from __future__ import annotations

import click

from ..errors import CityrankError
from .common import WholeNumber, emit, format_option, output_option, registry


@click.group()
def data():
    """Collect values with their sources: sheets for collectors, check them, merge them into --data."""


def _edition_option(func):
    return click.option("--edition", help="The edition (an id or an edition.toml); default: the one collection.toml "
                                          "names.")(func)


@data.command()
@click.argument("edition")
@click.option("--indicators", help="Comma-separated indicator ids (default: those the edition has no data for).")
@click.option("--by", type=click.Choice(["indicator", "country"]), default="indicator", show_default=True,
              help="One sheet per indicator or per country; the groups are shared out between the collectors.")
@click.option("--collectors", type=WholeNumber(min=1, max=999), default=1, show_default=True,
              help="How many collectors: one workbook (and CSV twin) each.")
@click.option("--entries", type=WholeNumber(min=1), help="How many collectors get each row (default 2 when there "
                                                            "are two or more: double entry).")
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False), required=True, help="A folder to write into.")
@click.option("--force", is_flag=True, help="Overwrite existing sheets.")
def sheets(edition, indicators, by, collectors, entries, folder, force):
    """One XLSX per collector (and a CSV twin): a row per city × indicator with the indicator's
    definition, unit and ladder levels (a drop-down), and columns for the value and its source;
    an instructions sheet; collection.toml says what was handed out to whom."""
    from .. import collection

    wanted = [i.strip() for i in indicators.split(",") if i.strip()] if indicators else None
    if indicators is not None and not wanted:
        raise CityrankError("--indicators: no indicator ids given")
    registry()  # plugin failures said once, as in every command
    files = collection.sheets(edition, folder, indicators=wanted, by=by, collectors=collectors, entries=entries,
                              force=force)
    click.echo(f"wrote {len(files)} files to {folder}/ ({collectors} collector(s), by {by})", err=True)


@data.command()
@click.argument("folder", type=click.Path(file_okay=False))
@_edition_option
@format_option
@output_option
def check(folder, edition, fmt, output, force):
    """Problems (value, source, date, language, city or indicator, a row filled twice), every
    disagreement between collectors side by side, gaps, and the agreement per indicator and per
    collector (Cohen's kappa for ladder levels; relative difference for numbers). Exit 1 while
    anything is open."""
    from .. import collection
    from ..formats.output import to_json_text

    report = collection.check(folder, edition=edition)
    text = to_json_text(report.to_dict()) if fmt == "json" else _check_text(report)
    emit(text, output, force)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def _place(p: dict) -> str:
    parts = [p["file"]]
    if p.get("sheet"):
        parts.append(f"sheet {p['sheet']!r}")
    if p.get("row") is not None:
        parts.append(f"row {p['row']}")
    if p.get("column"):
        parts.append(f"column {p['column']!r}")
    return ", ".join(parts)


def _shown(e: dict) -> str:
    """A value as written, with the ladder level it is (``2 = gigabit …``, ``all-optical = 3``)."""
    if "level" not in e:
        return e["text"]
    number = f"{e['value']:g}"
    return f"{number} = {e['level']}" if e["text"].strip() == number else f"{e['text']} = {number}"


def _percent(x) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _gap_lines(gaps, listed: int = 20) -> list[str]:
    """Each gap on a line; beyond ``listed``, the rows of each sheet as runs (rows 2–139)."""
    if len(gaps) <= listed:
        return [f"  {_place(g)}: {g['city_id']} × {g['indicator_id']}"
                + (f" ({g['message']})" if g["message"] != "no value and no note" else "") for g in gaps]
    sheets: dict[tuple, list] = {}
    for g in gaps:
        sheets.setdefault((g["file"], g.get("sheet")), []).append(g["row"])
    lines = []
    for (file, sheet), rows in sheets.items():
        runs: list[list[int]] = []
        for r in sorted(r for r in rows if r is not None):
            if runs and runs[-1][1] == r - 1:
                runs[-1][1] = r
            else:
                runs.append([r, r])
        text = ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in runs)
        missing = sum(r is None for r in rows)
        lines.append(f"  {_place({'file': file, 'sheet': sheet})}: {len(rows)} row(s)" + (f": {text}" if text else "")
                     + (f" ({missing} missing from the sheet)" if missing else ""))
    return [*lines, "  (--format json lists each)"]


def _check_text(report) -> str:
    d = report.to_dict()
    lines = [f"{d['edition']}: {len(d['files'])} sheet(s), {d['entries']} entries, indicators {', '.join(d['indicators'])}"]
    if d["problems"]:
        lines += ["", f"problems ({len(d['problems'])}):"]
        lines += [f"  {_place(p)}: {p['message']}" for p in d["problems"]]
    if d["disagreements"]:
        lines += ["", f"disagreements ({len(d['disagreements'])}):"]
        for item in d["disagreements"]:
            diff = f" (relative difference {item['relative_difference']:.1%})" if "relative_difference" in item else ""
            lines.append(f"  {item['city_id']} × {item['indicator_id']}{diff}:")
            lines += [f"    {e['collector']:<16} {_shown(e):<34} {e['source_url'] or '(no URL)'}  [{_place(e)}]"
                      for e in item["entries"]]
    if d["gaps"]:
        lines += ["", f"gaps ({len(d['gaps'])}): rows with no value and no note saying why"]
        lines += _gap_lines(d["gaps"])
    agreement = d["agreement"]
    if any(a["pairs"] for a in agreement["indicators"].values()):
        lines += ["", "agreement of double entries, per indicator:"]
        for ind, a in agreement["indicators"].items():
            if not a["pairs"]:
                continue
            extra = (f", Cohen's kappa {'undefined' if a['kappa'] is None else format(a['kappa'], '.2f')}"
                     if "kappa" in a else f", mean relative difference {a['mean_relative_difference']:.1%}")
            lines.append(f"  {ind}: {a['agreeing']} of {a['pairs']} agree ({_percent(a['agreement'])}){extra}")
        lines += ["per collector:"]
        lines += [f"  {who}: {a['agreeing']} of {a['pairs']} agree ({_percent(a['agreement'])})"
                  for who, a in agreement["collectors"].items()]
    lines += ["", "values per indicator: verified / collected only / disputed / unsourced / missing"]
    lines += [f"  {ind}: " + " / ".join(str(s[k]) for k in ("verified", "collected", "disputed", "unsourced", "missing"))
              for ind, s in d["statuses"].items()]
    lines += ["", f"{d['open']} open (problems, disagreements, gaps)" if d["open"] else "nothing open"]
    return "\n".join(lines) + "\n"


@data.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The data file to write (the provenance goes beside it: NAME.provenance.csv).")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@_edition_option
def merge(folder, output, force, edition):
    """The data file `run --data` reads, and its provenance (one row per value: source, URL,
    language, date, collector, verified-by, status). A disputed or unsourced value is left out,
    with a note; a problem merge cannot settle writes nothing."""
    from .. import collection

    if not output.lower().endswith(".csv"):
        raise CityrankError(f"-o {output}: cityrank data merge writes a CSV data file (name it .csv)")
    result = collection.merge(folder, output, edition=edition, force=force)
    c = result.counts
    click.echo(f"wrote {output} and {collection.provenance_path(output)}: {c['verified']} verified, "
               f"{c['collected']} collected only; left out: {c['disputed']} disputed, {c['unsourced']} unsourced "
               f"({c['missing']} not found)", err=True)
    for item in result.left_out:
        click.echo(f"  {item['city_id']} × {item['indicator_id']}: {item['note']}", err=True)


COMMANDS = [data]
