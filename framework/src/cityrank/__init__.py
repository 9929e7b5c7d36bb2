"""cityrank: build, run and audit composite city rankings.

Plugin quick-start: write functions named after the hooks in :mod:`cityrank.hookspecs`,
mark them with :data:`hookimpl`, and expose the module through an entry point::

    # my_methods.py
    import numpy
    import cityrank

    def share_of_total(x, direction, scale=100.0):
        "Each city's share of the column total (for positive, more-is-better data)."
        return x / numpy.nansum(x, axis=-2, keepdims=True) * scale

    @cityrank.hookimpl
    def cityrank_register_normalisers(register):
        register("share", share_of_total, params={"scale": 100.0})

    # pyproject.toml
    [project.entry-points.cityrank]
    my-methods = "my_methods"
"""

from __future__ import annotations

import pluggy

hookimpl = pluggy.HookimplMarker("cityrank")

__all__ = ["hookimpl"]
