"""``cityrank audit``, ``compare`` and ``city``: the framework's coherence, editions side by side."""

from __future__ import annotations

import math

import click

from ..errors import CityrankError
from .common import emit, format_option, load, noted, output_option, quiet, registry


def _run(edition):
    """A run of an edition (by id or path) through the API, its notes left to the command."""
    return quiet(load(edition).run)


def _fmt(v, spec=".2f"):
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


@click.command()
@click.argument("edition")
@format_option
@output_option
def audit(edition, fmt, output, force):
    """Statistical coherence: correlations, Cronbach's alpha, first principal component, coverage."""
    from ..formats import output as writers

    run = _run(edition)
    result, a = run.result, run.audit()
    if fmt == "json":
        return emit(writers.to_json_text(a.as_dict()), output)
    lines = [f"{result.edition.title}: statistical audit", "",
             f"{'child':<22} {'in':<16} {'Pearson':>8} {'Spearman':>9} {'n':>5}"]
    for r in a.correlations:
        lines.append(f"{r['child'][:22]:<22} {r['parent'][:16]:<16} {_fmt(r['pearson']):>8} "
                     f"{_fmt(r['spearman']):>9} {r['n']:>5}")
    lines += ["", f"{'aggregate':<22} {'children':>8} {'with data':>9} {'alpha':>7} {'PC1':>6}"]
    for r in a.nodes:
        lines.append(f"{r['node'][:22]:<22} {r['children']:>8} {r['with_data']:>9} {_fmt(r['cronbach_alpha']):>7} "
                     f"{_fmt(r['pc1_share'], '.0%'):>6}")
    lines += ["", "coverage: " + ", ".join(f"{k} {v:.0%}" for k, v in a.coverage.items()), ""]
    lines += [f"flag: {f}" for f in a.flags] or ["no flags"]
    emit("\n".join(lines) + "\n", output)


@click.command()
@click.argument("edition_a")
@click.argument("edition_b")
@format_option
@output_option
def compare(edition_a, edition_b, fmt, output, force):
    """Cities ranked in both editions (matched by GeoNames id): rank and score changes (B − A)."""
    from ..api import comparison
    from ..formats import output as writers

    data = comparison(_run(edition_a), _run(edition_b))
    if fmt == "json":
        return emit(writers.to_json_text(data), output)
    lines = [f"{data['edition_a']} → {data['edition_b']}: {data['in_both']} cities in both "
             f"({data['only_a']} only in {data['edition_a']}, {data['only_b']} only in {data['edition_b']})",
             "(a positive rank change is a move up)", "",
             f"{'city':<24} {'country':<7} {'rank A':>6} {'rank B':>6} {'change':>6} {'score A':>8} {'score B':>8}"]
    for r in data["cities"]:
        change = "–" if r["rank_change"] is None else f"{r['rank_change']:+d}"
        lines.append(f"{r['name'][:24]:<24} {r['country']:<7} {r['rank_a'] or '–':>6} {r['rank_b'] or '–':>6} "
                     f"{change:>6} {_fmt(r['score_a']):>8} {_fmt(r['score_b']):>8}")
    emit("\n".join(lines) + "\n", output)



@click.command()
@click.argument("name")
@format_option
@output_option
def city(name, fmt, output, force):
    """One city's profile in every installed edition: ranks, tier, strongest and weakest indicators."""
    from ..api import city as city_profiles
    from ..api import close_city_names
    from ..formats import output as writers

    profiles = noted(city_profiles, name, registry=registry())
    if not profiles:
        close = close_city_names(name, registry=registry())
        raise CityrankError(f"no installed edition has a city called {name!r}"
                            + (f" (close: {', '.join(close)})" if close else ""))
    if fmt == "json":
        return emit(writers.to_json_text(profiles), output)
    lines = []
    for p in profiles:
        lines += [f"{p['name']} ({p['country']}) in {p['title']}: rank {p['rank'] or '–'} of {p['of']}, "
                  f"score {_fmt(p['score'])}, tier {p['tier'] or '–'}"]
        lines += ["  " + ", ".join(f"{d} #{v['rank'] or '–'}" for d, v in p["domains"].items())]
        if p["strongest"]:
            lines.append("  strongest: " + ", ".join(f"{s['name']} ({s['score']:.0f})" for s in p["strongest"]))
            lines.append("  weakest:   " + ", ".join(f"{s['name']} ({s['score']:.0f})" for s in p["weakest"]))
    emit("\n".join(lines) + "\n", output)


COMMANDS = [audit, compare, city]
