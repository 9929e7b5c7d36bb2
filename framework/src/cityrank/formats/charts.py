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


def scatter_map(result):
    plt = _plt()
    pts = [(c.longitude, c.latitude, result.scores[i, 0]) for i, c in enumerate(result.cities)
           if c.longitude is not None and c.latitude is not None]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if pts:
        lon, lat, score = np.array(pts).T
        shown = ax.scatter(lon, lat, c=np.ma.masked_invalid(score), cmap="viridis", s=18, edgecolors="none")
        fig.colorbar(shown, ax=ax, label="score")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title("Cities by location, coloured by score")
    ax.set_aspect("equal", adjustable="datalim")
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
    ax.legend(loc="lower right")
    ax.set_title("Rank intervals")
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
