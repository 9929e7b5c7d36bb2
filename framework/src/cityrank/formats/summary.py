"""The report's summary in plain words, made from a run: what is ranked, how a score is made,
what a score means, and three things to know (the data, where it comes from, and the published
results or how firm the ranks are). Every sentence is plain text: the template escapes it."""

from __future__ import annotations

import math
import statistics
from typing import Any

from ..model import Result

#: normalisers whose scores depend on which other cities are in the set
RELATIVE = frozenset({"minmax", "rank", "borda", "zscore", "leader", "categorical", "above_mean"})

#: aggregators in words, as "the overall score is … of the domain scores"
_MEANS = {"arithmetic": "the weighted average", "geometric": "the weighted geometric mean",
          "harmonic": "the weighted harmonic mean", "power": "a weighted power mean"}


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def normaliser_words(method: str, params) -> str:
    """One normaliser in words, as "each indicator is …"."""
    p = dict(params)
    scale = _num(p.get("scale", 100))
    words = {
        "minmax": lambda: (f"rescaled so that the lowest city gets {_num(p.get('lower', 0))} and the highest "
                           f"{_num(p.get('upper', 100))} (min-max)"),
        "rank": lambda: f"replaced by its percentile rank among the cities, from 0 to {scale}",
        "borda": lambda: "replaced by the number of cities it beats (Borda points)",
        "zscore": lambda: "standardised: the distance from the average city, in standard deviations",
        "leader": lambda: f"expressed as a share of the leading city's value (the leader gets {scale})",
        "goalposts": lambda: (f"scored between fixed goalposts, {_num(p.get('lower'))} and {_num(p.get('upper'))}, "
                              f"from 0 to {scale}"),
        "ladder": lambda: f"scored by the level reached on a ladder of levels, from 0 to {scale}",
        "categorical": lambda: f"put into categories by percentiles, from 0 to {scale}",
        "above_mean": lambda: "scored 1, 0 or −1 for above, near or below the average",
        "reference": lambda: f"measured against a reference value (the reference gets {scale})",
    }
    return words[method]() if method in words else f"normalised by the method {method!r}"


def _counted(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(items) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _stage(result: Result, stage: str) -> dict[str, tuple[str, dict]]:
    return {m["target"]: (m["method"], dict(m["params"])) for m in result.methods if m["stage"] == stage}


def summary(result: Result, facts: list[dict], uncertainty_rows: list[dict] | None = None) -> dict[str, Any]:
    """The summary's parts: ``lead`` (a sentence), ``status`` (the edition's own word on what
    it is, or ""), ``measured`` (per domain: name, indicators with data, without), ``how``
    and ``meaning`` (paragraphs), ``things`` (three sentences)."""
    ed, fw = result.edition, result.edition.framework
    ranked = [i for i in result.order() if not math.isnan(result.ranks[i, 0])]
    with_data = [ind for ind in fw.indicators if result.coverage[ind.id] > 0]
    no_data = [ind for ind in fw.indicators if result.coverage[ind.id] == 0]
    domains = [c for c in fw.children(fw.root.id)]
    lead = (f"{_counted(len(ranked), 'city', 'cities')} ranked on {_counted(len(with_data), 'indicator')} "
            f"in {_counted(len(domains), 'domain')}")
    if len(ranked) < len(result.cities):
        lead += f" ({len(result.cities) - len(ranked)} of the {len(result.cities)} cities have too little data to be ranked)"
    return {
        "lead": lead + ".", "status": str(ed.meta.get("status") or ""),
        "measured": _measured(result, domains), "how": _how(result, with_data),
        "meaning": _meaning(result, with_data, ranked),
        "things": [_coverage(result, with_data, no_data), _provenance(result, with_data, no_data),
                   _third(result, facts, uncertainty_rows)],
    }


def _measured(result: Result, domains) -> list[dict]:
    fw = result.edition.framework

    def leaves(el):
        if el.id in fw.indicator_ids:
            return [el]
        return [leaf for c in fw.children(el.id) for leaf in leaves(c)]

    out = []
    for d in domains:
        inds = leaves(d)
        out.append({"name": d.name,
                    "indicators": [ind.name + (" (lower is better)" if ind.direction < 0 else "")
                                   for ind in inds if result.coverage[ind.id] > 0],
                    "no_data": [ind.name for ind in inds if result.coverage[ind.id] == 0]})
    return out


def _how(result: Result, with_data) -> list[str]:
    fw = result.edition.framework
    normalisers, transforms = _stage(result, "normaliser"), _stage(result, "transform")
    groups: dict[str, list[str]] = {}
    for ind in with_data:
        method, params = normalisers[ind.id]
        groups.setdefault(normaliser_words(method, params), []).append(ind.name)
    if len(groups) == 1:
        scale = f"Each indicator is first {next(iter(groups))}."
    else:
        scale = "Each indicator is first put on a common scale: " + "; ".join(
            f"{_names(names)}: {words}" for words, names in groups.items()) + "."
    logs = [ind.name for ind in with_data if ind.id in transforms]
    if logs:  # named when few, else counted with two examples
        which = (f"{_names(logs)} {'is' if len(logs) == 1 else 'are'}" if len(logs) <= 3 else
                 f"{len(logs)} of the {len(with_data)} indicators (such as {logs[0]} and {logs[1]}) are")
        scale += (f" {which} taken on a logarithmic scale first, so that a few very large values do not squeeze the "
                  "other cities together.")
    aggregators = _stage(result, "aggregator")
    kinds = {aggregators[n.id][0] for n in fw.nodes}
    if len(kinds) == 1:
        mean = _MEANS.get(next(iter(kinds)), f"the {next(iter(kinds))} method")
        combine = (f"The scores are then combined upwards, indicators into domains and domains into the overall "
                   f"score, each by {mean} of the scores below it.")
    else:
        combine = "The scores are then combined upwards: " + "; ".join(
            f"{n.name} by {_MEANS.get(aggregators[n.id][0], 'the ' + aggregators[n.id][0] + ' method')}"
            for n in fw.postorder()) + "."
    paragraphs = [scale, combine + " " + _weights(result)]
    if any(result.coverage[ind.id] < 1 for ind in with_data):
        imputation = _stage(result, "imputation")
        methods = {m for m, _ in imputation.values()} or {"none"}
        if methods == {"none"}:
            paragraphs.append("A city without a value for an indicator is scored on the indicators it has: the missing "
                              "one is left out of its average, not counted as zero.")
        else:
            paragraphs.append(f"Missing values are filled in ({', '.join(sorted(methods))}) before scoring.")
    return paragraphs


def _weights(result: Result) -> str:
    """The weights in words: equal, or each domain's share of the overall score."""
    fw = result.edition.framework
    w = result.weights.values
    groups = [[c.id for c in fw.children(n.id) if _has_data(result, c.id)] for n in fw.nodes]
    if all(len({w[k] for k in g}) <= 1 for g in groups):
        return ("All weights are equal: each domain counts the same, and each indicator counts the same within its "
                "domain.")
    kids = [c for c in fw.children(fw.root.id) if _has_data(result, c.id)]
    total = sum(w[c.id] for c in kids) or 1.0
    shares = ", ".join(f"{c.name} {100 * w[c.id] / total:.0f} %" for c in kids)
    source = result.weights.source
    origin = "as the edition sets them" if source == "edition" else f"from {source}"
    return (f"The weights are not all equal ({origin}): of the overall score, {shares}; the weights within each "
            "domain are under Methods and data below.")


def _has_data(result: Result, ident: str) -> bool:
    """Whether an indicator, or any indicator below a node, has data for some city."""
    fw = result.edition.framework
    if ident in fw.indicator_ids:
        return result.coverage[ident] > 0
    return any(_has_data(result, c.id) for c in fw.children(ident))


def _meaning(result: Result, with_data, ranked) -> str:
    normalisers, aggregators = _stage(result, "normaliser"), _stage(result, "aggregator")
    fw = result.edition.framework
    n = len(ranked)
    best = (f"{result.cities[ranked[0]].name}'s {result.scores[ranked[0], 0]:.1f}, the best score," if ranked else "")
    methods = {normalisers[ind.id][0] for ind in with_data}
    minmax_0_100 = all(normalisers[ind.id][0] == "minmax" and float(normalisers[ind.id][1].get("lower", 0)) == 0
                       and float(normalisers[ind.id][1].get("upper", 100)) == 100 for ind in with_data)
    arithmetic = all(aggregators[node.id][0] == "arithmetic" for node in fw.nodes)
    compare = ("Adding or removing cities changes every score, so a score cannot be compared with another edition's or "
               "another year's; ranks within this page can be compared.")
    if with_data and minmax_0_100 and arithmetic and ranked:
        return (f"A score is a relative position among these {n} cities, not a percentage of anything. On each "
                f"indicator the lowest city gets 0 and the highest 100; {best} is where it stands on that scale, "
                "averaged over its indicators with their weights. Only a city leading on every indicator would score "
                f"100, and only one trailing on every indicator 0. {compare}")
    if methods and methods <= RELATIVE and ranked:
        return (f"A score is a relative position among these {n} cities, not a percentage of anything: it compares a "
                f"city with the others in this set ({best.rstrip(',')}). {compare}")
    relative = sorted(methods & RELATIVE)
    fixed = sorted(methods - RELATIVE)
    parts = "partly a position relative to the other cities, partly points on fixed scales" if relative else \
        "points on fixed scales"
    return (f"A score is a weighted mean of indicator scores, {parts} ({', '.join(fixed)}): it is not a percentage of "
            f"anything{' (' + best.rstrip(',') + ')' if best else ''}.")


def _coverage(result: Result, with_data, no_data) -> str:
    k = len(result.edition.framework.indicators)
    full = [ind for ind in with_data if result.coverage[ind.id] >= 1]
    partial = [ind for ind in with_data if result.coverage[ind.id] < 1]
    text = (f"Data: {'all' if len(with_data) == k else f'{len(with_data)} of the'} {_counted(k, 'indicator')} "
            f"{'has' if len(with_data) == 1 else 'have'} data")
    if not partial:
        text += " for every city" if with_data else ""
    else:
        text += (f" ({len(full)} for every city; " + ", ".join(
            f"{ind.name} for {100 * result.coverage[ind.id]:.0f}\u00a0% of the cities" for ind in partial) + ")")
    text += "."
    if no_data:
        text += (f" {len(no_data)} {'has' if len(no_data) == 1 else 'have'} none ({_names([i.name for i in no_data])}): "
                 f"{'it plays' if len(no_data) == 1 else 'they play'} no part in the scores and {'has' if len(no_data) == 1 else 'have'} "
                 "no slider.")
    return text


def _provenance(result: Result, with_data, no_data) -> str:
    proxies = [ind for ind in with_data if "proxy" in ind.notes.lower()]
    computed = [ind for ind in with_data if ind.provider is not None]
    if proxies:
        count = f"all {len(with_data)}" if len(proxies) == len(with_data) else f"{len(proxies)} of the {len(with_data)}"
        text = (f"Proxies: {count} indicators with data are open-data proxies, as the edition marks them: stand-ins "
                "computed from public data for what each domain is about, not direct measurements of it.")
    elif with_data:
        files = len(with_data) - len(computed)
        if not files or not computed:
            text = (f"Sources: {'all ' if len(with_data) > 1 else ''}{_counted(len(with_data), 'indicator')} with data "
                    f"{'is' if len(with_data) == 1 else 'are'} "
                    + ("computed from open data by cityrank's data plugins" if computed else "read from data files"))
        else:
            text = (f"Sources: {len(computed)} of the {len(with_data)} indicators with data are computed from open data "
                    f"by cityrank's data plugins, {files} read from data files")
        text += "; each source is under Methods and data below."
    else:
        text = "Sources: no indicator has data."
    if no_data:
        text += (f" The {'indicator' if len(no_data) == 1 else 'indicators'} without data can be filled with your own "
                 "values (cityrank report EDITION --data FILE).")
    return text


def _third(result: Result, facts: list[dict], uncertainty_rows: list[dict] | None) -> str:
    """The published results against ours; else how firm the ranks are; else the weights."""
    if facts:
        said = []
        for f in facts:
            where = "" if f["node"] == result.edition.framework.root.id else f" of {f['node_name']}"
            top = f"top {100 * f['share']:g}\u00a0%{where}"
            if "chance" not in f:
                said.append(f"the published {top}: {f['status']}")
                continue
            said.append(f"{f['agree']} of the {len(f['cities'])} cities the publisher named in its {top} are in this "
                        f"ranking's top {f['top_size']} (a random ranking would place {f['chance']:.1f} there on "
                        "average)")
        return "Against the published results: " + "; ".join(said) + "."
    spans = [r["p95_rank"] - r["p05_rank"] for r in uncertainty_rows or () if r.get("median_rank") is not None]
    if spans:
        span = statistics.median(spans)
        return (f"How firm the ranks are: over the Monte Carlo samples, half the cities' ranks stay within a span of "
                f"{span:g} {'place' if span == 1 else 'places'} or fewer (5–95\u00a0% interval); see “How robust the "
                "ranks are” below.")
    return ("The weights are a choice, not a measurement: move the sliders below to see how much the order depends on "
            "them.")
