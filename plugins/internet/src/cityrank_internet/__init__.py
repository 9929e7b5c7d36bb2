"""cityrank-internet: located IP address space and mobile operators for any set of cities."""

from __future__ import annotations

import cityrank


@cityrank.hookimpl
def cityrank_register_indicators(register):
    from cityrank import derived  # imported here, not at start-up: --help lists commands without numpy

    from .providers import DATA, PROVIDERS

    derived.register_all(register, PROVIDERS, DATA)
