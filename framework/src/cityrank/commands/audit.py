"""``cityrank audit``, ``compare`` and ``city``: the framework's coherence, editions side by side."""

from __future__ import annotations

import math
import re
import unicodedata

import click

from ..errors import CityrankError
from .common import emit, format_option, lazy, load, output_option, registry, run_edition

np = lazy("numpy")
writers = lazy("cityrank.formats.output")


def _run(edition):
    return run_edition(load(edition) if isinstance(edition, str) else edition)


def _fmt(v, spec=".2f"):
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


@click.command()
@click.argument("edition")
@format_option
@output_option
def audit(edition, fmt, output, force):
    """Statistical coherence: correlations, Cronbach's alpha, first principal component, coverage."""
    from ..analysis.audit import audit as run_audit

    result = _run(edition)
    a = run_audit(result)
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


def compare_results(a, b) -> dict:
    """Cities in both runs (:func:`cityrank.api.matched`: by GeoNames id, else name and
    country) with their ranks and scores."""
    from ..api import matched as pairs_of

    pairs = pairs_of(a.cities, b.cities)
    domains = [d for d in a.nodes[1:] if d in b.nodes[1:]]
    rows, matched = [], set()
    for i, c in enumerate(a.cities):
        j = pairs.get(i)
        if j is None:
            continue
        matched.add(j)
        ra, rb = a.ranks[i, 0], b.ranks[j, 0]
        row = {"name": c.name, "country": c.country, "id_a": c.id, "id_b": b.cities[j].id,
               "rank_a": writers.optional_int(ra), "rank_b": writers.optional_int(rb), "rank_change": writers.optional_int(ra - rb),
               "score_a": writers.optional_float(a.scores[i, 0]), "score_b": writers.optional_float(b.scores[j, 0]),
               "score_change": writers.optional_float(b.scores[j, 0] - a.scores[i, 0]),
               "domains": {d: {"rank_a": writers.optional_int(a.rank(d)[i]), "rank_b": writers.optional_int(b.rank(d)[j])} for d in domains}}
        rows.append(row)
    rows.sort(key=lambda r: (r["rank_a"] is None, r["rank_a"] or 0, r["name"]))
    return {"edition_a": a.edition.id, "edition_b": b.edition.id, "in_both": len(rows),
            "only_a": len(a.cities) - len(rows), "only_b": len(b.cities) - len(matched), "cities": rows}


@click.command()
@click.argument("edition_a")
@click.argument("edition_b")
@format_option
@output_option
def compare(edition_a, edition_b, fmt, output, force):
    """Cities ranked in both editions (matched by GeoNames id): rank and score changes (B − A)."""
    data = compare_results(_run(edition_a), _run(edition_b))
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


#: the region an edition adds to tell same-named cities apart, "Suzhou (Jiangsu)"
_REGION = re.compile(r"\s*\([^()]*\)$")


def _folded(text: str) -> str:
    """A name as a reader may type it: case and accents aside (São Paulo = sao paulo)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def close_names(name: str, most: int = 5) -> list[str]:
    """The installed editions' city names closest to ``name`` (for a name that matched none)."""
    import difflib

    names = {}
    for method in registry().methods("edition"):
        try:
            names.update((_folded(c.name), c.name) for c in load(method.id, with_data=False).cities)
        except CityrankError:
            continue
    return [names[k] for k in difflib.get_close_matches(_folded(name), sorted(names), n=most, cutoff=0.75)]


def city_profiles(name: str) -> list[dict]:
    """The city called ``name`` (or with that id) in every installed edition; a name matches
    the cities an edition tells apart by their region too (Suzhou: Suzhou (Jiangsu) and
    Suzhou (Anhui))."""
    wanted = _folded(name)

    def names(c):
        full = _folded(c.name)
        return full, _REGION.sub("", full), _folded(c.id)

    out = []
    for method in registry().methods("edition"):
        try:  # one installed edition that cannot load or rank does not hide the others
            ed = load(method.id)
            hits = [i for i, c in enumerate(ed.cities) if wanted in names(c)]
            if not hits:
                continue
            result = _run(ed)
        except CityrankError as exc:
            click.echo(f"warning: edition {method.id!r} (plugin {method.plugin!r}) skipped: {exc}", err=True)
            continue
        for i in hits:
            out.append(profile(result, i))
    return out


def profile(result, i: int) -> dict:
    """One city in one run: ranks overall and per domain, tier, strongest and weakest indicators."""
    fw = result.edition.framework
    c = result.cities[i]
    scores = result.indicator_scores[i]
    have = [(float(scores[j]), ind) for j, ind in enumerate(fw.indicators) if not math.isnan(scores[j])]
    have.sort(key=lambda t: (-t[0], t[1].id))
    ranked = int((~np.isnan(result.ranks[:, 0])).sum())
    return {"edition": result.edition.id, "title": result.edition.title, "id": c.id, "name": c.name,
            "country": c.country, "rank": writers.optional_int(result.ranks[i, 0]), "of": ranked,
            "score": writers.optional_float(result.scores[i, 0]), "tier": result.tiers[i],
            "domains": {d: {"rank": writers.optional_int(result.ranks[i, k]), "score": writers.optional_float(result.scores[i, k])}
                        for k, d in enumerate(result.nodes) if k > 0},
            "strongest": [{"indicator": ind.id, "name": ind.name, "score": s} for s, ind in have[:2]],
            "weakest": [{"indicator": ind.id, "name": ind.name, "score": s} for s, ind in have[::-1][:2]]}


@click.command()
@click.argument("name")
@format_option
@output_option
def city(name, fmt, output, force):
    """One city's profile in every installed edition: ranks, tier, strongest and weakest indicators."""
    profiles = city_profiles(name)
    if not profiles:
        close = close_names(name)
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
