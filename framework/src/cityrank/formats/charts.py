"""Charts with matplotlib (imported only here, so that ``run`` stays fast): a bar chart of the
top cities, a heat map of domain scores, a map-like scatter by longitude and latitude, and
rank intervals from an uncertainty run. Output is deterministic (no dates, fixed SVG ids)."""

from __future__ import annotations

import io
import math

import numpy as np

KINDS = ("bar", "heatmap", "map", "intervals")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "cityrank"
    matplotlib.rcParams["svg.fonttype"] = "path"
    import matplotlib.pyplot as plt

    return plt


def bar(result, top: int = 20):
    plt = _plt()
    order = [i for i in result.order() if not math.isnan(result.scores[i, 0])][:top]
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(order) + 1.2))
    ax.barh([result.cities[i].name for i in order][::-1], [result.scores[i, 0] for i in order][::-1], color="#3b6ea8")
    ax.set_xlabel("score")
    ax.set_title(f"{result.edition.title}: top {len(order)}")
    fig.tight_layout()
    return fig


def heatmap(result, top: int = 40):
    plt = _plt()
    order = [i for i in result.order() if not math.isnan(result.scores[i, 0])][:top]
    domains = list(result.nodes[1:])
    values = np.array([[result.scores[i, k + 1] for k in range(len(domains))] for i in order])
    fig, ax = plt.subplots(figsize=(1.2 * len(domains) + 3, 0.25 * len(order) + 1.5))
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(domains)), [result.edition.framework.node(d).name for d in domains], rotation=30, ha="right")
    ax.set_yticks(range(len(order)), [result.cities[i].name for i in order])
    fig.colorbar(image, ax=ax, label="domain score")
    ax.set_title("Domain scores")
    fig.tight_layout()
    return fig


def apart(points, n: int, gap: float) -> list[int]:
    """Of ``points`` (x, y) in order of preference, the first ``n`` that lie at least ``gap``
    from every one taken before (so that labels do not pile up on one cluster of cities)."""
    taken: list[int] = []
    for k, (x, y) in enumerate(points):
        if len(taken) == n:
            break
        if all(math.hypot(x - points[j][0], y - points[j][1]) >= gap for j in taken):
            taken.append(k)
    return taken


def scatter_map(result, labels: int = 10):
    """The cities on a map: Natural Earth's country outlines (:mod:`.outlines`), each city a
    dot coloured and sized by its score, the ``labels`` best named that lie apart (a city
    within 4 % of the view of a named one is not named: the next best elsewhere is); the view
    is the cities' extent; dots shrink as cities grow many. Plate carrée (longitude, latitude)
    with the aspect corrected at the mid-latitude."""
    import textwrap

    from matplotlib.collections import LineCollection

    from .outlines import outlines

    plt = _plt()
    pts = [(c.longitude, c.latitude, result.scores[i, 0], result.ranks[i, 0], c.name)
           for i, c in enumerate(result.cities) if c.longitude is not None and c.latitude is not None]
    if not pts:
        from ..errors import CityrankError

        raise CityrankError("no city has a latitude and longitude in the cities file: nothing to put on a map")
    unplaced = len(result.cities) - len(pts)
    fig, ax = plt.subplots(figsize=(10, 6))
    segments = []
    for arc in outlines():  # split where an arc crosses the antimeridian
        cut = np.flatnonzero(np.abs(np.diff(arc[:, 0])) > 180) + 1
        segments += [part for part in np.split(arc, cut) if len(part) > 1]
    ax.add_collection(LineCollection(segments, colors="#9aa7b4", linewidths=0.5, zorder=1))
    lon, lat = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    score = np.ma.masked_invalid(np.array([p[2] for p in pts], dtype=float))
    shrink = min(1.0, math.sqrt(300 / len(pts)))  # thousands of cities: smaller dots, thinner edges
    size = shrink * (12 + 60 * np.nan_to_num((score.filled(np.nan) - np.nanmin(score)) / max(np.ptp(score.compressed()), 1e-12)
                                             if score.count() else np.zeros(len(pts))))
    shown = ax.scatter(lon, lat, c=score, s=size, cmap="viridis", edgecolors="white", linewidths=0.4 * shrink, zorder=2)
    fig.colorbar(shown, ax=ax, label="score", shrink=0.8)
    ranked = sorted((p for p in pts if not np.isnan(p[3])), key=lambda p: p[3])
    gap = 0.04 * max(np.ptp(lon), np.ptp(lat), 10.0)
    best = [ranked[k] for k in apart([(p[0], p[1]) for p in ranked], labels, gap)]
    for x, y, _, rank, name in best:
        ax.annotate(f"{int(rank)}. {name}", (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7, zorder=3)
    pad_x, pad_y = max(3.0, np.ptp(lon) * 0.08), max(3.0, np.ptp(lat) * 0.08)
    ax.set_xlim(max(-180, lon.min() - pad_x), min(180, lon.max() + pad_x))
    ax.set_ylim(max(-90, lat.min() - pad_y), min(90, lat.max() + pad_y))
    ax.set_aspect(1 / np.cos(np.radians(np.clip(np.mean(lat), -80, 80))))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    missing = f"; {unplaced} of {len(result.cities)} without a position are not shown" if unplaced else ""
    ax.set_title(textwrap.fill(f"{result.edition.title}: the cities, coloured and sized by score (the {labels} best "
                               f"named, apart from one another{missing})", 90), fontsize=10)
    fig.tight_layout()
    return fig


def intervals(rows: list[dict], top: int = 40):
    """Rank intervals (5–95 %) and medians from ``UncertaintyResult.rows()`` or its JSON."""
    plt = _plt()
    rows = [r for r in rows if r.get("median_rank") is not None][:top]
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(rows) + 1.2))
    y = np.arange(len(rows))[::-1]
    lo = [r["p05_rank"] for r in rows]
    hi = [r["p95_rank"] for r in rows]
    ax.hlines(y, lo, hi, color="#3b6ea8", lw=3)
    ax.plot([r["median_rank"] for r in rows], y, "o", color="black", ms=3, label="median")
    ax.plot([r["nominal_rank"] for r in rows], y, "|", color="#c0392b", ms=8, label="nominal")
    ax.set_yticks(y, [r["name"] for r in rows])
    ax.set_xlabel("rank (5–95 % interval)")
    ax.hlines([], [], [], color="#3b6ea8", lw=3, label="5–95 % interval")
    # the legend above the plot, never over the bars
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False, fontsize=8)
    ax.set_title("Rank intervals", pad=22)
    fig.tight_layout()
    return fig


def render(fig, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, without dates or software stamps."""
    plt = _plt()
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, metadata=metadata, dpi=120)
    plt.close(fig)
    return buf.getvalue()


def framework_tree(edition, weights):
    """The framework as a tree, as COINr's ``plot_framework``: the index on the left, then
    each level of domains, indicators on the right; each label with its local weight share
    (its weight over its siblings' sum)."""
    plt = _plt()
    fw = edition.framework
    leaves = [el for _, el in fw.preorder() if not fw.children(el.id) or el.id in fw.indicator_ids]
    depth = {el.id: d for d, el in fw.preorder()}
    y: dict[str, float] = {el.id: float(len(leaves) - 1 - k) for k, el in enumerate(leaves)}
    for node in fw.postorder():  # a node sits at the middle of its children
        kids = [c.id for c in fw.children(node.id)]
        if kids:
            y[node.id] = float(np.mean([y[k] for k in kids]))
    levels = max(depth.values())
    x = {ident: 1.7 * d for ident, d in depth.items()}  # room for a label between levels
    fig, ax = plt.subplots(figsize=(3.6 * (levels + 1), 0.32 * len(leaves) + 1.0))
    for _, el in fw.preorder():
        kids = fw.children(el.id) if el.id not in fw.indicator_ids else []
        for c in kids:
            ax.plot([x[el.id], x[c.id]], [y[el.id], y[c.id]], color="#9aa7b4", lw=0.8, zorder=1)
        parent_kids = fw.children(el.parent) if el.parent else []
        siblings = sum(weights.values[c.id] for c in parent_kids) or 1.0
        share = f" ({weights.values[el.id] / siblings:.0%})" if el.parent else ""
        leaf = el.id in fw.indicator_ids
        ax.text(x[el.id], y[el.id], f" {el.name}{share}", va="center", ha="left", fontsize=8 if leaf else 9,
                fontweight="normal" if leaf else "bold", zorder=2,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#3b6ea8" if not leaf else "#cfd8e3"})
    ax.set_xlim(-0.1, 1.7 * levels + 2.4)
    ax.set_ylim(-1, len(leaves))
    ax.axis("off")
    ax.set_title(f"{edition.title}: framework (local weight shares)", fontsize=10)
    fig.tight_layout()
    return fig
