"""A run against the edition's published results (the named top-tier cities)."""

from __future__ import annotations

import math

import numpy as np


def compare(result) -> list[dict]:
    """One entry per published top list: each named city's rank and whether it is in our top."""
    ed = result.edition
    ids = [c.id for c in result.cities]
    facts = []
    for table in ed.published.get("top", ()):
        node, share = table["node"], float(table["share"])
        ranks = result.rank(node)
        n = int((~np.isnan(ranks)).sum())
        k = math.floor(share * n + 1e-9)
        entry = {"node": node, "node_name": ed.framework.node(node).name, "share": share, "ranked": n,
                 "top_size": k, "source": table["source"], "complete": table.get("complete", ""), "cities": []}
        for city in table["cities"]:
            r = ranks[ids.index(city)]
            entry["cities"].append({"id": city, "name": result.cities[ids.index(city)].name,
                                    "rank": None if math.isnan(r) else int(r),
                                    "in_top": bool(not math.isnan(r) and r <= k)})
        entry["agree"] = sum(c["in_top"] for c in entry["cities"])
        if n == 0:
            entry["status"] = "no data: this node has no indicator with data, so it cannot be compared"
        else:
            chance = len(entry["cities"]) * k / n
            entry["chance"] = chance
            entry["status"] = (f"{entry['agree']} of {len(entry['cities'])} published cities are in our top {k} "
                               f"(a random ranking would place {chance:.1f} there on average)")
        facts.append(entry)
    return facts
