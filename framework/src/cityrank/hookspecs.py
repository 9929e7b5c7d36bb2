"""Hook specifications: the contract between cityrank and its plugins.

A plugin is a module (or object) with functions marked ``@cityrank.hookimpl`` whose names are
those below, exposed through an entry point in the group ``cityrank``::

    [project.entry-points.cityrank]
    my-methods = "my_methods"

Every ``register_*`` hook receives a ``register`` callback; call it once per thing the plugin
provides. The host checks each registration (type, id, contract) and rejects a duplicate id
with an error naming both plugins. Built-in methods are registered through these same hooks.

Array contract (all methods): work on whole arrays, never city by city. Leading batch axes
``…`` are allowed everywhere so that a Monte Carlo evaluates thousands of variants in one
call. Missing values are NaN and each method says what it does with them. A method signals
bad parameters or unusable data by raising ``ValueError`` with a one-line message; the host
adds the plugin, method and indicator names.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("cityrank")
#: marks a plugin's hook implementations (``@cityrank.hookimpl``, the same object)
hookimpl = pluggy.HookimplMarker("cityrank")


# --- methods ---------------------------------------------------------------------------


@hookspec
def cityrank_register_normalisers(register):
    """Register normalisers: functions that map raw indicator columns to comparable scores.

    :param register: call ``register(id, function, *, description, params)``.

    ``function(x, direction, **params) -> array``: ``x`` has shape ``(…, N, K)`` (cities ×
    indicators, float64, NaN = missing); ``direction`` has shape ``(K,)`` with +1 where more
    is better and -1 where less is better. Return an array of the same shape in which higher
    is always better; keep NaN where the input is NaN. ``params`` is a dict of keyword names
    to defaults, shown by ``cityrank methods``; a user sets them as ``name:key=value``.
    """


@hookspec
def cityrank_register_aggregators(register):
    """Register aggregators: functions that combine children's scores into their parent's.

    :param register: call ``register(id, function, *, description, params, bounds, positive)``.

    ``function(scores, weights, **params) -> array``: ``scores`` has shape ``(…, N, K)``,
    ``weights`` shape ``(…, K)`` (non-negative, not necessarily summing to one); return
    ``(…, N)``. A NaN child is left out and the remaining weights renormalised; a city with
    no child present gets NaN.

    ``bounds``: ``(lower, upper)`` that every score lies in, or ``"children"`` for a mean
    (between the smallest and largest present child); the host clips rounding beyond them
    and reports anything more. ``positive``: ``True`` (or a function of the parameters
    returning it) when a zero score absorbs the result, as in a geometric mean; the default
    min-max scale then starts at 1. The host checks every result (:mod:`cityrank.contract`):
    numbers of the right shape, no infinity, a score for every city whose children are all
    present, and not NaN for every city when some have data.
    """


@hookspec
def cityrank_register_weightings(register):
    """Register weightings: functions that produce the weights of a node's children.

    :param register: call ``register(id, function, *, description, params)``.

    ``function(items, **params) -> WeightingResult``: ``items`` is the tuple of child ids;
    params carry what the method needs (``matrices`` ``(E, K, K)`` for AHP, ``allocations``
    ``(E, K)`` for budget allocation, ``data`` ``(N, K)`` for statistical weights). Return a
    :class:`cityrank.methods.weightings.WeightingResult` (weights ``(K,)`` summing to one
    and a dict of diagnostics such as consistency ratios).
    """


@hookspec
def cityrank_register_imputations(register):
    """Register imputation methods that fill missing indicator values (the kind
    ``imputation``: ``[methods] imputation``, ``--imputation``).

    :param register: call ``register(id, function, *, description, params)``.

    ``function(x, *, groups, **params) -> array``: ``x`` has shape ``(…, N, K)``; ``groups``
    is a callable ``groups(attribute) -> (N,)`` array of group labels (``"country"`` or a
    cities.csv column). Return the same shape; values that cannot be imputed stay NaN.
    """


@hookspec
def cityrank_register_outliers(register):
    """Register outlier treatments applied to raw indicator columns before normalisation (the
    kind ``outliers``: ``[methods] outliers``, ``--outliers``).

    :param register: call ``register(id, function, *, description, params)``.

    ``function(x, **params) -> (array, details)``: ``x`` has shape ``(N, K)``; return the
    treated array of the same shape and a list of ``K`` dicts describing what was done to
    each column (empty dicts if nothing).
    """


@hookspec
def cityrank_register_imputers(register):
    """Deprecated: the former name of :func:`cityrank_register_imputations` (still called)."""


@hookspec
def cityrank_register_outlier_treatments(register):
    """Deprecated: the former name of :func:`cityrank_register_outliers` (still called)."""


# --- content ---------------------------------------------------------------------------


@hookspec
def cityrank_register_indicators(register):
    """Register indicator providers: compute one indicator for any set of cities.

    :param register: call ``register(id, function, *, description, params, unit, direction,
        source, level, year, data_files, data_packages)``.

    ``function(cities, **params) -> array``: ``cities`` is a tuple of
    :class:`cityrank.model.City` (each with GeoNames id and coordinates where known);
    return ``(N,)`` float64 with NaN where the provider has no value. ``unit``,
    ``direction`` (+1 / -1), ``source`` (where the data comes from, with its licence and a
    URL), ``level`` (``"city"``, or ``"country"`` for a country's value given to each of its
    cities) and ``year`` (of the data) are shown to users next to every value the provider
    produces. An edition uses a provider with ``provider = "id"`` (or a table with
    parameters) on an indicator. ``cityrank.spatial`` measures distances and counts points
    within a radius; ``cityrank.derived`` reads and writes data files that carry their
    provenance; ``cityrank new plugin NAME --kind indicator`` writes a data plugin to start from.

    Results are cached between runs only for a provider that declares what it reads:
    ``data_files`` (paths of the files it reads, known by their content) and
    ``data_packages`` (names of installed distributions whose data it reads, known by their
    version); an empty list declares none. Its values are then kept in the cache folder
    (``cityrank cache``) under the SHA-256 of its id, plugin and version, the Python source of
    its package, the declared files' bytes and packages' versions, its parameters and every
    field of every city, so any change of these computes them anew. A provider that declares
    neither is called on every run: the safe default, since its values may depend on anything.
    Declare only when the values depend on nothing else: a value that also depends on the
    clock, the network, an environment variable or an undeclared file would be served from the
    cache unchanged. ``cityrank.derived.register_all`` declares each provider's data file.
    ``CITYRANK_CACHE=0`` turns the cache of results off.
    """


@hookspec
def cityrank_register_editions(register):
    """Register ranking editions.

    :param register: call ``register(path)`` with the path of an ``edition.toml``
        (a :class:`pathlib.Path` or an ``importlib.resources`` file); its ``[edition] id``
        is the edition's id. The file format is documented in the README.
    """


# --- command line ----------------------------------------------------------------------


@hookspec
def cityrank_register_commands(cli):
    """Add commands to the ``cityrank`` command line.

    :param cli: the root :class:`click.Group`; call ``cli.add_command(command)``.
    """
