"""cityrank-mcda: TOPSIS, VIKOR, Copeland, Kemeny–Young and benefit-of-the-doubt aggregators.

Each follows the aggregator contract of ``cityrank_register_aggregators``: scores
``(…, N, K)`` (higher is better, as normalisers return them), weights ``(…, K)`` → one score
per city ``(…, N)``, higher is better. A missing score is handled as the arithmetic mean
handles it, each method saying how in its docstring; a city with no score at all gets NaN.
"""

from __future__ import annotations

import cityrank

from .methods import bod, copeland, kemeny, topsis, vikor


@cityrank.hookimpl
def cityrank_register_aggregators(register):
    register("topsis", topsis, params={"normalise": "vector"}, bounds=(0, 1))
    register("vikor", vikor, params={"v": 0.5}, bounds=(0, 1))
    register("copeland", copeland, params={})
    register("bod", bod, params={"lower": 0.0}, bounds=(0, 1))
    register("kemeny", kemeny, params={})
