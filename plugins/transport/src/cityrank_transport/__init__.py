"""cityrank-transport: scheduled airports and seaports near any set of cities."""

from __future__ import annotations

import cityrank
from cityrank import derived

from .providers import DATA, PROVIDERS


@cityrank.hookimpl
def cityrank_register_indicators(register):
    for ident, (function, params, unit, direction, name) in PROVIDERS.items():
        meta = derived.read_meta(DATA / name)
        register(ident, function, params=params, unit=unit, direction=direction, level="city",
                 year=meta.get("date", meta["version"]), source=derived.describe(meta))
