"""cityrank-newplugin: indicator providers for any set of cities (see cityrank.hookspecs)."""

from __future__ import annotations

import cityrank


@cityrank.hookimpl
def cityrank_register_indicators(register):
    # imported here rather than at the top: `cityrank --help` loads every plugin to list its
    # commands, and stays fast when no plugin imports numpy just by being loaded
    from cityrank import derived

    from .providers import DATA, PROVIDERS

    derived.register_all(register, PROVIDERS, DATA)
