"""cityrank-countries: country-level indicators (land borders and shared organisations within the bloc) for any set of cities."""

from __future__ import annotations

import cityrank


@cityrank.hookimpl
def cityrank_register_indicators(register):
    from cityrank import derived  # imported here, not at start-up: --help lists commands without numpy

    from .providers import DATA, PROVIDERS, member_lists, shared_memberships

    derived.register_all(register, PROVIDERS, DATA)
    register("countries.shared_memberships", shared_memberships, params={"countries": None, "organisations": None},
             unit="partner-memberships", direction=1, level="country", year="2024",
             source=f"membership of {len(member_lists())} regional and international organisations "
                    f"({', '.join(member_lists())}), coded from their published member lists, one address per "
                    "list in cityrank_countries/data/memberships.toml; facts, coding MIT")
