"""cityrank-internet: located IP address space and mobile operators for any set of cities."""

from __future__ import annotations

import cityrank
from cityrank import derived

from .providers import DATA, PROVIDERS


@cityrank.hookimpl
def cityrank_register_indicators(register):
    for ident, (function, params, unit, direction, level, name) in PROVIDERS.items():
        meta = derived.read_meta(DATA / name)
        register(ident, function, params=params, unit=unit, direction=direction, level=level,
                 year=meta.get("date", meta["version"])[:4], source=derived.describe(meta))
