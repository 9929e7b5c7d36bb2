"""newplugin: methods for cityrank, registered through its hooks (see cityrank.hookspecs).

The methods live in ``methods.py`` and are imported inside the hooks: ``cityrank --help``
loads every plugin to list commands, and stays fast when loading one imports no numpy.
"""

import cityrank


@cityrank.hookimpl
def cityrank_register_normalisers(register):
    from .methods import share_of_best

    register("newplugin.share-of-best", share_of_best, params={"scale": 100.0})


@cityrank.hookimpl
def cityrank_register_aggregators(register):
    from .methods import weighted_median

    register("newplugin.weighted-median", weighted_median)
