"""cityrank-mcda: TOPSIS, VIKOR, Copeland, Kemeny–Young and benefit-of-the-doubt aggregators.

Each follows the aggregator contract of ``cityrank_register_aggregators``: scores
``(…, N, K)`` (higher is better, as normalisers return them), weights ``(…, K)`` → one score
per city ``(…, N)``, higher is better. A missing score is handled as the arithmetic mean
handles it, each method saying how in its docstring; a city with no score at all gets NaN.
"""

from __future__ import annotations

import cityrank


@cityrank.hookimpl
def cityrank_register_aggregators(register):
    from .methods import bod, copeland, kemeny, topsis, vikor  # here, not at start-up (numpy)

    register("topsis", topsis, params={"normalise": "vector"}, bounds=(0, 1))
    register("vikor", vikor, params={"v": 0.5}, bounds=(0, 1))
    register("copeland", copeland, params={})
    register("bod", bod, params={"lower": 0.0}, bounds=(0, 1))
    register("kemeny", kemeny, params={})


@cityrank.hookimpl
def cityrank_register_commands(cli):
    import click

    @cli.command("kemeny")
    @click.argument("edition")
    @click.option("--node", help="Rank the children scores of this node's cities (default: the index's children).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    def kemeny_command(edition, node, fmt):
        """Kemeny–Young orders of EDITION's cities on a node's children: every tying optimal
        order up to 12 cities (exact); beyond, one order within 5 times the least disagreement."""
        import warnings

        from cityrank.api import CityrankWarning, json_text

        from .methods import kemeny_orders

        ed = cityrank.load(edition)
        with warnings.catch_warnings():  # the run's notes are for `cityrank run`; these are orders
            warnings.simplefilter("ignore", CityrankWarning)
            run = ed.run()
        _, x, w = run.children(node)
        target, cities = node or ed.spec.framework.root.id, run.result.cities
        found = kemeny_orders(x, w)
        names = [c.name for c in cities]
        data = {"edition": ed.id, "node": target, "exact": found.exact, "method": found.method,
                "guarantee": found.guarantee, "agreement": found.agreement, "agreement_bound": found.bound,
                "disagreement_ratio_at_most": found.ratio,
                "orders": [[cities[i].id for i in o] for o in found.orders]}
        if fmt == "json":
            return click.echo(json_text(data), nl=False)
        click.echo(f"{ed.title}: Kemeny–Young on the children of {target!r} ({found.method}), "
                   f"agreement {found.agreement:.3f} (no order exceeds {found.bound:.3f})")
        if not found.exact:
            click.echo(f"  Not proven optimal: {found.guarantee}. On these cities its disagreement is at most "
                       f"{found.ratio:.3f} times the least possible.")
        for k, o in enumerate(found.orders, start=1):
            click.echo(f"  {k}. " + " > ".join(names[i] for i in o))
