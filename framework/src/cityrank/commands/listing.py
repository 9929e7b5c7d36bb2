"""``cityrank editions``, ``methods``, ``plugins`` and ``show``: what is installed."""

from __future__ import annotations

import re
import shutil
import textwrap

import click

from ..errors import CityrankError
from ..formats.atomic import refuse_existing
from ..plugins import BUILTINS, KINDS
from .common import format_option, load, registry


def _json(data) -> None:
    from ..formats import output as writers

    click.echo(writers.to_json_text(data), nl=False)


@click.command()
@format_option
def editions(fmt):
    """List installed editions."""
    from ..formats.spec import read_toml

    rows = []
    for method in registry().methods("edition"):
        meta = read_toml(str(method.function)).get("edition", {})
        rows.append({"id": method.id, "title": meta.get("title", ""), "plugin": method.plugin,
                     "version": method.version, "path": str(method.function)})
    if fmt == "json":
        return _json(rows)
    if not rows:
        click.echo("no editions installed (run one from a path: cityrank run path/to/edition.toml)")
    for r in rows:
        click.echo(f"{r['id']:<14} {r['title']}")


@click.command()
@click.option("--kind", type=click.Choice([k for k in KINDS if k != "edition"]), help="Only this kind.")
@format_option
def methods(kind, fmt):
    """List normalisers, aggregators, weightings, imputation, outlier treatments and indicator providers."""
    from .. import model

    reg = registry()
    kinds = [kind] if kind else [k for k in KINDS if k != "edition"]
    rows = [
        {"kind": k, "id": m.id, "description": m.description, "params": model.thaw(m.params),
         "plugin": m.plugin, "version": m.version, **{k: v for k, v in model.thaw(m.extra).items() if not callable(v)}}
        for k in kinds for m in reg.methods(k)
    ]
    if fmt == "json":
        return _json(rows)
    width = max(60, shutil.get_terminal_size((100, 24)).columns)
    indent = " " * 17

    def wrapped(first: str, text: str) -> None:
        text = re.sub(r":\w+:`~?([^`]*)`", r"\1", text).replace("``", "")  # no reStructuredText roles
        click.echo(textwrap.fill(text, width, initial_indent=first, subsequent_indent=indent))

    for k in kinds:
        click.echo(f"{k}:")
        for r in (r for r in rows if r["kind"] == k):
            origin = "" if r["plugin"] == BUILTINS else f"  [{r['plugin']}]"
            if len(r["id"]) > 14:  # a long id on a line of its own
                click.echo(f"  {r['id']}")
                wrapped(indent, f"{r['description']}{origin}")
            else:
                wrapped(f"  {r['id']:<14} ", f"{r['description']}{origin}")
            if r["params"]:
                wrapped(indent, "params: " + ", ".join(f"{p}={model.plain_text(v)}" for p, v in r["params"].items()))
            if k == "indicator":
                wrapped(indent, f"unit: {r.get('unit', '')}; direction: {r.get('direction', 1):+d}; "
                                f"source: {r.get('source', '')}")


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include the built-in plugin.")
@format_option
def plugins(show_all, fmt):
    """List plugins: name, distribution, version, status, what each provides and any error."""
    rows = [p.as_dict() for p in registry().plugin_infos() if show_all or not p.builtin]
    if fmt == "json":
        return _json(rows)
    if not rows:
        click.echo("no plugins installed")
    for r in rows:
        provides = "; ".join(f"{k}: {', '.join(v)}" for k, v in r["provides"].items())
        click.echo(f"{r['name']:<16} {r['distribution']} {r['version']}  [{r['status']}]  {provides}")
        for e in r["errors"]:
            click.echo(f"{'':<16} error: {e}")


@click.command()
@click.argument("edition")
@format_option
@click.option("--tree", is_flag=True, help="Draw the framework (index → domains → indicators, with weights) to -o.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="With --tree: a .png or .svg file.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def show(edition, fmt, tree, output, force):
    """Show an edition: metadata, sources, cities, framework tree with weights, data coverage."""
    from .. import model

    ed = load(edition)
    if tree or output:
        return _draw_tree(ed, output, force)
    info = ed.show()
    tree, spec = info["framework"], ed.spec
    if fmt == "json":
        return _json(info)
    click.echo(f"{ed.title} ({ed.id})")
    for key, value in spec.meta.items():
        if key not in ("id", "title", "cities", "data"):
            _echo_meta(key, model.thaw(value), 1)
    click.echo(f"\nmethods: {'; '.join(f'{k}={model.plain_text(v)}' for k, v in info['methods'].items())}")
    click.echo(f"weights: {info['weights_source']}\n\nframework (local weight, data coverage, source):")
    for entry in tree:
        pad = "  " * (entry["depth"] + 1)
        if entry["kind"] == "node":
            agg = f"  [{entry['aggregator']}]" if entry["aggregator"] else ""
            click.echo(f"{pad}{entry['name']} ({entry['id']})  w={entry['weight']:g}{agg}")
        else:
            data = (f"{entry['coverage']:.0%} — {entry['data_source']}" if entry["coverage"] > 0
                    else f"no data: provider {entry['provider']} gave no value" if entry["provider"]
                    else "no data (user-supplied: --data FILE)")
            click.echo(f"{pad}- {entry['name']} ({entry['id']})  w={entry['weight']:g}  {data}")
            facts = [f"unit: {entry['unit'] or '–'}", f"direction: {'more' if entry['direction'] > 0 else 'less'} is better"]
            if entry["level"]:
                facts.append("city level" if entry["level"] == "city"
                             else f"{entry['level']} level (each city gets its {entry['level']}'s value)")
            if entry["year"]:
                later = " — later than the edition: the values describe a later time" if entry["later_than_edition"] else ""
                facts.append(f"data of {entry['year']}{later}")
            click.echo(f"{pad}    {'; '.join(facts)}")
            if entry["measures"]:
                click.echo(f"{pad}    measures: {entry['measures']}")
            if entry["notes"]:
                click.echo(f"{pad}    {entry['notes']}")
    if spec.published:
        click.echo("")
        _echo_meta("published", model.thaw(spec.published), 0)
    click.echo(f"\ncities ({len(ed.cities)}):")
    by_reason: dict[str, list[str]] = {}
    for c in ed.cities:
        by_reason.setdefault(c.attributes.get("selected_by", ""), []).append(f"{c.name} ({c.country})")
    for reason, names in by_reason.items():
        click.echo(f"  {reason + ': ' if reason else ''}{', '.join(names)}")


def _draw_tree(ed, output, force) -> None:
    from pathlib import Path

    from ..formats import charts
    from ..formats.output import write_atomic

    if not output:
        raise CityrankError("--tree needs -o FILE.png or -o FILE.svg")
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise CityrankError("the output must end in .png or .svg", file=output)
    refuse_existing(output, force)
    weights = ed.weights()
    try:
        fig = charts.framework_tree(ed.spec, weights)
    except ImportError:
        raise CityrankError("drawing needs matplotlib: pip install 'cityrank[report]'") from None
    write_atomic(output, charts.render(fig, suffix), force=force)
    click.echo(f"wrote {output}", err=True)


def _echo_meta(key, value, depth):
    from .. import model

    pad = "  " * depth
    if isinstance(value, dict):
        click.echo(f"{pad}{key}:")
        for k, v in value.items():
            _echo_meta(k, v, depth + 1)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        click.echo(f"{pad}{key}:")
        for v in value:
            if {"fact", "value", "source"} <= set(v):
                click.echo(f"{pad}  - {v['fact']}: {v['value']}  [{v['source']}]")
            else:
                click.echo(f"{pad}  - " + ", ".join(f"{k}={model.plain_text(x)}" for k, x in v.items()))
    elif isinstance(value, list) and all(isinstance(v, str) and len(v) > 40 for v in value):
        click.echo(f"{pad}{key}:")
        for v in value:
            click.echo(f"{pad}  - {v}")
    else:
        click.echo(f"{pad}{key}: {model.plain_text(value)}")


COMMANDS = [editions, methods, plugins, show]
