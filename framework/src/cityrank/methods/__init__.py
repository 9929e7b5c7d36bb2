"""The built-in methods, registered through the same hooks as any third-party plugin."""

from __future__ import annotations

from ..hookspecs import hookimpl
from . import aggregators, imputation, normalisers, outliers, statistical, weightings


def _register_all(register, table, **extra):
    for ident, (function, params) in table.items():
        register(ident, function, params=params, **extra.get(ident, {}))


@hookimpl
def cityrank_register_normalisers(register):
    _register_all(register, normalisers.BUILTIN)


@hookimpl
def cityrank_register_aggregators(register):
    _register_all(register, aggregators.BUILTIN, **aggregators.CONTRACT)


@hookimpl
def cityrank_register_weightings(register):
    _register_all(register, weightings.BUILTIN | statistical.BUILTIN)


@hookimpl
def cityrank_register_imputations(register):
    _register_all(register, imputation.BUILTIN)


@hookimpl
def cityrank_register_outliers(register):
    _register_all(register, outliers.BUILTIN)
