"""cityrank-internet: located IP address space and mobile operators for any set of cities."""

from __future__ import annotations

import cityrank
from cityrank import derived

from .providers import DATA, PROVIDERS


@cityrank.hookimpl
def cityrank_register_indicators(register):
    derived.register_all(register, PROVIDERS, DATA)
