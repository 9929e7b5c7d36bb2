"""cityrank-mcda: TOPSIS, VIKOR, Copeland and benefit-of-the-doubt aggregators.

Each follows the aggregator contract of ``cityrank_register_aggregators``: scores
``(…, N, K)`` (higher is better, as normalisers return them), weights ``(…, K)`` → one score
per city ``(…, N)``, higher is better. A city with a missing score gets NaN (these methods
compare cities with each other, so a partial profile has no meaning for them).
"""

from __future__ import annotations

import cityrank

from .methods import bod, copeland, topsis, vikor


@cityrank.hookimpl
def cityrank_register_aggregators(register):
    register("topsis", topsis, params={"normalise": "vector"})
    register("vikor", vikor, params={"v": 0.5})
    register("copeland", copeland, params={})
    register("bod", bod, params={"lower": 0.0})
