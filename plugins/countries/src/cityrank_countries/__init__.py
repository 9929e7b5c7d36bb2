"""cityrank-countries: country-level indicators (land borders and shared organisations within the bloc) for any set of cities."""

from __future__ import annotations

import cityrank


@cityrank.hookimpl
def cityrank_register_indicators(register):
    from cityrank import derived  # imported here, not at start-up: --help lists commands without numpy

    from .memberships import MEMBERSHIPS, organisations
    from .providers import DATA, PROVIDERS, shared_memberships

    table, recorded_to = organisations()
    derived.register_all(register, PROVIDERS, DATA)
    register("countries.shared_memberships", shared_memberships,
             params={"as_of": None, "countries": None, "organisations": None},
             unit="partner-memberships", direction=1, level="country", year="the as_of date",
             source=f"membership of {len(table)} regional and international organisations "
                    f"({', '.join(table)}) on the as_of date, each join, departure and suspension dated "
                    f"(changes recorded to {recorded_to.isoformat()}) and coded from a published page, "
                    "one address per fact in cityrank_countries/data/memberships.toml; facts, coding MIT",
             data_files=[MEMBERSHIPS])
