"""What a run has to say, in words: every note of :func:`cityrank.engine.run` is written here,
in the order a reader meets them (what was left out, what the data cover, what a method did
to the scale, what does not count, ties), from the run's intermediate results."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..model import Dataset, Framework, Spec
from ..ranking import tier_labels

#: the lower end of min-max scores under a mean that a zero would absorb: [1, 100], as COINr's
#: aggregation vignette normalises before a geometric mean (the engine applies it; the notes say it)
POSITIVE_LOWER = 1.0
_ISO3 = re.compile(r"[A-Z]{3}")
#: column names a cities file may use for what cityrank reads as latitude, longitude, geonameid
_ALIASES = {"latitude": {"lat", "lat_deg"}, "longitude": {"lon", "lng", "long", "lon_deg"},
            "geonameid": {"geoname_id", "geonames_id", "geonames", "gid"}}


def counted(n: int, noun: str = "city") -> str:
    """``1 city``, ``5 cities`` (``ranked city``: ``5 ranked cities``)."""
    return f"{n} {noun if n == 1 else noun[:-1] + 'ies'}"


def for_run(*, provider_notes: Sequence[str], edition: Spec, unscreened, screened, data: Dataset | None,
            unused_weights: Sequence[str], unused_columns: Sequence[str], providers_ran: bool,
            shifted: frozenset[str], absorbing: Mapping[str, str], scores: np.ndarray, node_scores: np.ndarray,
            local: Mapping[str, np.ndarray], coverage: Mapping[str, float], ranks: np.ndarray) -> list[str]:
    """Every note of a run. ``absorbing``: node → the id of its aggregator when a zero child
    score absorbs it; ``scores`` ``(N, K)`` and ``node_scores`` ``(N, M)``; ``ranks`` the
    index's ``(N,)``."""
    fw, cities = edition.framework, edition.cities
    notes = list(provider_notes)
    if unused_weights:
        notes.append(f"the weights given for {', '.join(unused_weights)} are not used: dropped (--drop)")
    if unused_columns:
        notes.append(f"{data.origin or 'the data given'}'s values for {', '.join(unused_columns)} are not used: "
                     "dropped (--drop)")
    notes += _screened(unscreened, screened, edition.methods.screen)
    notes += _data_file(data, len(cities))
    if providers_ran:
        notes += _countries(cities) + _positions(cities)
    if shifted:
        notes.append(f"min-max scaled to [{POSITIVE_LOWER:g}, 100], not [0, 100], for {', '.join(sorted(shifted))}, "
                     "since a zero would absorb their domain's geometric, harmonic or power (p ≤ 0) mean; "
                     "give minmax:lower=0 to keep zeros")
    ids = [i.id for i in fw.indicators] + [n.id for n in fw.nodes]
    notes += _zeros(fw, ids, np.column_stack([scores, node_scores]), absorbing, local)
    empty = [i.id for i in fw.indicators if coverage[i.id] == 0]
    if empty:
        notes.append(f"no data for {len(empty)} of {len(fw.indicators)} indicators: {', '.join(empty)}")
    notes += _nodes(fw, node_scores, local)
    scored = node_scores[:, 0][~np.isnan(node_scores[:, 0])]
    if len(scored) > 1 and np.all(ranks[~np.isnan(ranks)] == 1):
        notes.append(f"all {len(scored)} ranked cities tie: the ranking says nothing")
    return notes + _ties(ranks, edition.methods.tiers)


def _screened(unscreened, screened, share: float) -> list[str]:
    if not screened:
        return []
    names = {c.id: c.name for c in unscreened}
    return [f"{counted(len(screened))} screened out (data for under {share:.0%} of the indicators with data): "
            + ", ".join(f"{names[c]} ({c}, {s:.0%})" for c, s in screened[:10])
            + (f" and {len(screened) - 10} more (--format json lists every one)" if len(screened) > 10 else "")]


def _data_file(data: Dataset | None, cities: int) -> list[str]:
    """What a user's data file covers: columns without values, cities without values."""
    if data is None:
        return []
    origin = data.origin or "the data given"
    present = ~np.isnan(np.asarray(data.values, dtype=np.float64).reshape(len(data.city_ids), -1))
    used = [k for k in range(len(data.indicator_ids)) if present[:, k].any()]
    empty = [data.indicator_ids[k] for k in range(len(data.indicator_ids)) if k not in used]
    notes = []
    if empty:  # the edition's own column (data file or provider) is kept for these
        notes.append(f"{origin} has no values for {', '.join(empty)}: those columns are left as the edition has them")
    covered = int(present[:, used].any(axis=1).sum()) if used else 0
    if used and covered < cities:
        notes.append(f"{origin} has values for {covered} of {cities} cities; the others are missing "
                     f"{', '.join(data.indicator_ids[k] for k in used)}")
    return notes


def _countries(cities) -> list[str]:
    """A provider looks countries up by their ISO 3166-1 alpha-3 code: other codes find nothing."""
    odd = sorted({c.country for c in cities if not _ISO3.fullmatch(c.country)})
    if not odd:
        return []
    shown = ", ".join(repr(c) for c in odd[:5]) + (f" and {len(odd) - 5} more" if len(odd) > 5 else "")
    return [f"country {shown} in the cities file is not an ISO 3166-1 alpha-3 code (such as NLD): "
            "indicator providers that look countries up find nothing for those cities"]


def _positions(cities) -> list[str]:
    """A note when cities have no position or GeoNames id but a column of another name that
    looks like one (``lat``, ``lng``, ``geoname_id``): providers read only the names cityrank knows."""
    notes = []
    columns = {k.lower(): k for c in cities[:1] for k in c.attributes}
    for field, aliases in _ALIASES.items():
        found = [columns[a] for a in sorted(aliases) if a in columns]
        if found and all(getattr(c, field) is None for c in cities):
            notes.append(f"no city has a {field}, but the cities file has {', '.join(map(repr, found))}: indicator "
                         f"providers read only a column named {field!r}")
    return notes


def _zeros(framework: Framework, ids: list[str], scores: np.ndarray, absorbing: Mapping[str, str],
           weights: Mapping[str, np.ndarray]) -> list[str]:
    """A note per node whose zero-absorbed aggregator receives a zero child score.
    ``scores`` ``(N, len(ids))`` holds every indicator's and node's score, by ``ids``."""
    notes = []
    for node in framework.nodes:
        if node.id not in absorbing:
            continue
        kids = [c.id for c in framework.children(node.id)]
        zero = np.column_stack([scores[:, ids.index(k)] == 0 for k in kids]) & (weights[node.id] > 0)
        if zero.any():
            culprits = ", ".join(k for k, z in zip(kids, zero.any(axis=0), strict=True) if z)
            notes.append(f"{absorbing[node.id]!r} at {node.id!r} gets a zero score (from {culprits}) for "
                         f"{counted(int(zero.any(axis=1).sum()))}, which makes their {node.id!r} score 0; "
                         "use a normaliser whose scale starts above 0")
    return notes


def _nodes(framework: Framework, node_scores: np.ndarray, local: Mapping[str, np.ndarray]) -> list[str]:
    """Domains that do not count: no data for any city, or weight 0."""
    notes = []
    for j, node in enumerate(framework.nodes):
        if node.parent is None:
            continue
        if np.all(np.isnan(node_scores[:, j])):
            notes.append(f"{node.id!r} has no data for any city and is left out of {node.parent!r}")
        elif local[node.parent][[c.id for c in framework.children(node.parent)].index(node.id)] == 0:
            notes.append(f"{node.id!r} has weight 0 and does not count in {node.parent!r}")
    return notes


def _ties(ranks: np.ndarray, cuts) -> list[str]:
    """A note for each tier that a tie across its cut makes larger than its share, and for
    the tiers too small to hold a city (the top 10 % of 5 cities)."""
    ranked = ranks[~np.isnan(ranks)]
    n = len(ranked)
    limits = np.floor(np.asarray(cuts, dtype=np.float64) * n + 1e-9)
    empty = [label for label, lo, hi in zip(tier_labels(cuts), [0.0, *limits[:-1]], limits, strict=True) if hi == lo]
    notes = []
    if empty and n:
        which = f"tiers {', '.join(empty)} hold" if len(empty) > 1 else f"tier {empty[0]} holds"
        notes.append(f"with {counted(n, 'ranked city')} the {which} no city (a tier holds floor(share × n) cities)")
    for cut, label in zip(cuts[:-1], tier_labels(cuts)[:-1], strict=True):
        k = int(np.floor(cut * len(ranked) + 1e-9))
        size = int(np.sum(ranked <= k))
        if size > k:
            last = int(ranked[ranked <= k].max())
            notes.append(f"{int(np.sum(ranked == last))} cities tie at rank {last} across the {label} cut: "
                         f"the tier holds {size} cities, not {k}")
    return notes
