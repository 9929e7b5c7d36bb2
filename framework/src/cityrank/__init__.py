"""cityrank: build, run and audit composite city rankings.

In Python (see :mod:`cityrank.api` and ``docs/python.md``)::

    import cityrank
    ed = cityrank.load("path/to/edition.toml")   # or an installed edition's id
    res = ed.run(normaliser="rank")
    res.table()

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

from .hookspecs import hookimpl

#: the Python API (:mod:`cityrank.api`), imported on first use so that ``import cityrank``
#: (and the CLI's start-up) stays light
_API = ("load", "compare", "Edition", "Result", "Uncertainty", "Table", "CityrankWarning")

__all__ = ["hookimpl", "CityrankError", *_API]


def __getattr__(name: str):
    if name == "CityrankError":  # every error about the user's input is one of these
        from .errors import CityrankError

        return CityrankError
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'cityrank' has no attribute {name!r}")
