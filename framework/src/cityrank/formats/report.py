"""A self-contained HTML report (Jinja2, all text from data escaped; charts inline as SVG)."""

from __future__ import annotations

import math
import re
from importlib.resources import files

from ..model import Result, plain_text, thaw
from ..ranking import tier_labels
from . import charts
from .output import result_dict
from .summary import summary


def _colour(score: float | None) -> str:
    """A light-to-dark blue for 0 … 100 (heat map cells)."""
    if score is None or math.isnan(score):
        return "#eeeeee"
    t = max(0.0, min(1.0, score / 100))
    # rounded half up, as the page's script rounds when it recolours a cell
    r, g, b = (math.floor(a + (z - a) * t + 0.5) for a, z in ((240, 33), (245, 102), (255, 172)))
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(fig) -> str:
    text = charts.render(fig, "svg").decode("utf-8")
    return text[text.index("<svg"):]  # drop the XML prologue and doctype: inline SVG


_URL = re.compile(r"https?://[^\s\]\)<>\"';,]+")


def _linked(text) -> str:
    """``text`` escaped, with every URL in it a link (the text stays as written)."""
    from markupsafe import Markup, escape

    text, out, last = str(text), [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".")
        out += [escape(text[last:m.start()]), Markup('<a href="{0}">{0}</a>').format(url)]
        last = m.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def render(result: Result, *, uncertainty_rows: list[dict] | None = None, profiles: list[dict] | None = None,
           facts: list[dict] | None = None) -> str:
    try:
        import jinja2
    except ImportError:  # pragma: no cover - depends on the installation
        from ..errors import CityrankError

        raise CityrankError("the HTML report needs Jinja2 and matplotlib: pip install 'cityrank[report]'") from None
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["linked"] = _linked
    env.filters["plain"] = plain_text
    template = env.from_string((files(__package__) / "templates" / "report.html.j2").read_text(encoding="utf-8"))
    data = result_dict(result)
    fw = result.edition.framework
    domains = [{"id": d, "name": fw.node(d).name} for d in result.nodes[1:]]
    charts_svg = {}  # the top-city bars and their domain cells are drawn in the page, following the sliders
    if any(c.latitude is not None and c.longitude is not None for c in result.cities):
        charts_svg["map"] = _svg(charts.scatter_map(result))  # else no map (it would be an empty world)
    if uncertainty_rows:
        charts_svg["intervals"] = _svg(charts.intervals(uncertainty_rows))
    meta = {k: thaw(v) for k, v in result.edition.meta.items() if k not in ("id", "title", "cities", "data")}
    facts = facts or []
    agreement = [f for f in facts if "chance" in f]  # the published lists of nodes with data, followed by the page
    model = _page_model(result, agreement)
    return template.render(
        edition=data["edition"], meta=meta, cities=data["cities"], domains=domains, methods=data["methods"],
        indicators=data["indicators"], notes=data["notes"], digest=data["inputs_sha256"],
        version=data["cityrank_version"], weights=data["weights"], charts=charts_svg, colour=_colour,
        profiles=profiles or [], uncertainty=uncertainty_rows or [], published=thaw(result.edition.published),
        facts=facts, tier_order={label: k for k, label in enumerate(tier_labels(result.edition.methods.tiers))},
        model=model, model_json=_script_json(model), interval={r["id"]: r for r in uncertainty_rows or []},
        summary=summary(result, facts, uncertainty_rows), agreement=agreement,
        root_facts=[f for f in agreement if f["node"] == fw.root.id],
        node_names={n.id: n.name for n in fw.nodes},
    )


#: aggregators the page can recompute (with their default parameters)
PAGE_AGGREGATORS = ("arithmetic", "geometric")


def _page_model(result: Result, published: list[dict]) -> dict:
    """What the page needs to recompute the ranking for other weights: the tree (children
    before parents), each node's aggregator, the nominal local weights, every city's
    normalised indicator scores, the tier cuts, the run's own scores (drawn when the page
    cannot recompute), the sliders and the published top lists."""
    fw = result.edition.framework
    aggregator = {m["target"]: m for m in result.methods if m["stage"] == "aggregator"}
    recomputable = all(aggregator[n.id]["method"] in PAGE_AGGREGATORS and not aggregator[n.id]["params"].get("min_share")
                       for n in fw.nodes)
    has_data = _with_data(result)
    groups = []
    for _, n in fw.preorder():  # the sliders, in the order of the framework
        if n.id in fw.indicator_ids or n.id not in has_data or len(fw.children(n.id)) < 2:
            continue
        kids = fw.children(n.id)
        moving = [c for c in kids if c.id in has_data]
        # a weight moves the ranking only against a sibling with data: a lone child's is divided out
        groups.append({"id": n.id, "name": n.name,
                       "children": [{"id": c.id, "name": c.name} for c in moving] if len(moving) > 1 else [],
                       "alone": moving[0].name if len(moving) == 1 else None,
                       "no_data": [c.name for c in kids if c.id not in has_data]})
    return {
        "cities": [c.id for c in result.cities],
        "names": [c.name for c in result.cities],
        "indicators": list(fw.indicator_ids),
        "nodes": [{"id": n.id, "name": n.name, "aggregator": aggregator[n.id]["method"],
                   "children": [c.id for c in fw.children(n.id)]} for n in fw.postorder()],
        "root": fw.root.id,
        "domains": [{"id": d, "name": fw.node(d).name} for d in result.nodes[1:]],
        "weights": {k: float(v) for k, v in result.weights.values.items()},
        "scores": [[None if math.isnan(v) else float(v) for v in row] for row in result.indicator_scores],
        "nominal": {d: [None if math.isnan(v) else float(v) for v in result.scores[:, k]]
                    for k, d in enumerate(result.nodes)},
        "tiers": list(result.edition.methods.tiers), "tier_labels": tier_labels(result.edition.methods.tiers),
        "recomputable": recomputable,
        "groups": [g for g in groups if g["children"] or g["no_data"] or g["alone"]],
        "published": [{"node": f["node"], "share": f["share"], "cities": [c["id"] for c in f["cities"]]}
                      for f in published],
    }


def _with_data(result: Result) -> set[str]:
    """Ids of the indicators with data for some city and of the nodes with such an indicator below."""
    fw = result.edition.framework
    found = {i for i in fw.indicator_ids if result.coverage[i] > 0}
    for node in fw.postorder():
        if any(c.id in found for c in fw.children(node.id)):
            found.add(node.id)
    return found


def _script_json(data) -> str:
    """JSON safe inside a <script> element (no "</script>", no HTML comment openers)."""
    import json

    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False, allow_nan=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
