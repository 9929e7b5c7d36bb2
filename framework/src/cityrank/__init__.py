"""cityrank: build, run and audit composite city rankings.

In Python (see :mod:`cityrank.api` and ``docs/python.md``)::

    import cityrank
    ed = cityrank.load("path/to/edition.toml")   # or an installed edition's id
    res = ed.run(normaliser="rank")
    res.table()

The public names (``__all__``; each but :data:`hookimpl` is imported on first use, so that
``import cityrank`` and the CLI's start-up stay light):

- :func:`load`: an :class:`Edition` by its installed id or the path of its edition.toml;
- :func:`compare`: two runs' ranks and scores side by side; :func:`city`: one city in every
  installed edition;
- the results: :class:`Edition` (``run``, ``check``, ``uncertainty``, ``sensitivity``,
  ``acceptability``, ``weights``, ``verify``, ``report``…), :class:`Result` (one run),
  :class:`Uncertainty`, :class:`Sensitivity`, :class:`Acceptability`, :class:`Weighting`,
  and :class:`Table` (a table without pandas);
- :class:`CityrankError` (every error about the user's input) and :class:`CityrankWarning`
  (what a result should be read with);
- :data:`hookimpl`, to mark a plugin's hook implementations.

The documented modules, also loaded on first use: :mod:`cityrank.api`, :mod:`cityrank.analysis`,
:mod:`cityrank.model`, :mod:`cityrank.errors`, :mod:`cityrank.hookspecs`, :mod:`cityrank.derived`,
:mod:`cityrank.spatial` and :mod:`cityrank.testing` (checks for a plugin's methods).

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

#: the Python API (:mod:`cityrank.api`), imported on first use
_API = ("load", "compare", "city", "Edition", "Result", "Uncertainty", "Sensitivity", "Acceptability", "Weighting",
        "Table", "CityrankWarning")

#: the documented modules, imported on first use
_MODULES = ("api", "analysis", "model", "errors", "hookspecs", "derived", "spatial", "testing")

__all__ = ["hookimpl", "CityrankError", *_API]


def __getattr__(name: str):
    if name == "CityrankError":  # every error about the user's input is one of these
        from .errors import CityrankError

        return CityrankError
    if name in _API:
        from . import api

        return getattr(api, name)
    if name in _MODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'cityrank' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names and the documented modules (what ``dir()`` and completion show): not
    the internal modules that loading the API brings in."""
    return sorted({n for n in globals() if n.startswith("__")} | {*__all__, *_MODULES})
