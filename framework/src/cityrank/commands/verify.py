"""``cityrank verify``: compare a run with the edition's published results."""

from __future__ import annotations

import click

from .common import FiniteFloat, emit, format_option, load, output_option


@click.command()
@click.argument("edition")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Indicator values to use (yours).")
@format_option
@output_option
@click.option("--strict", is_flag=True, help="Exit 1 unless every published city is in our corresponding top tier.")
@click.option("--bound", "with_bound", is_flag=True,
              help="Also the most published cities any non-negative weighting of the indicators could put in the "
                   "top (exact by mixed-integer programming for arithmetic means; sampled otherwise).")
@click.option("--time-limit", type=FiniteFloat(min=1, max=3600), default=60, show_default=True,
              help="Seconds for each --bound programme (then the best found, marked not proven).")
def verify(edition, data_file, fmt, output, force, strict, with_bound, time_limit):
    """Compare a run of EDITION with its published results (e.g. the named top-10% cities)."""
    from ..formats import output as writers

    ed = load(edition)
    found = ed.verify(data=data_file, bound=with_bound, time_limit=time_limit)
    facts = found["facts"]
    if fmt == "json":
        emit(writers.to_json_text(found), output)
    else:
        lines = [f"{ed.title}: {len(facts)} published fact(s) to compare"]
        lines += [f"note: {n}" for n in found["notes"]]
        for f in facts:
            lines += ["", f"top {f['share']:.0%} of {f['node_name']} ({f['node']}): {f['status']}",
                      f"  source: {f['source']}"]
            if f["complete"]:
                lines.append(f"  published list complete? {f['complete']}")
            for c in f["cities"]:
                mark = "yes" if c["in_top"] else "no "
                rank = "–" if c["rank"] is None else c["rank"]
                lines.append(f"  {mark}  {c['name']:<24} our rank {rank} of {f['ranked']}")
            if "baselines" in f:  # what the composite adds: chance, population alone, the best single indicator
                lines += ["  against baselines on the same list (hypergeometric p-values):"]
                lines += [f"    {line}" for line in f["baselines"]["summary"]]
            if "bound" in f:
                b = f["bound"]
                proven = "" if b["proven"] else " (not proven optimal)"
                lines.append(f"  bound: at most {b['reachable']} of {b['published']} with any weighting of its "
                             f"indicators, by {b['method']}{proven}")
                top = sorted(b["weights"].items(), key=lambda kv: -kv[1])
                if top:
                    lines.append("  reached with weights " + ", ".join(f"{k} {v:.2f}" for k, v in top if v >= 0.005))
        if not facts:
            lines.append("nothing published to compare")
        emit("\n".join(lines) + "\n", output)
    if strict and any(f["agree"] < len(f["cities"]) for f in facts):
        raise SystemExit(1)


COMMANDS = [verify]
