"""The newplugin edition loads, is consistent and runs."""

from importlib.resources import files

import numpy as np
import pytest

from cityrank.engine import run
from cityrank.errors import MethodError
from cityrank.formats.spec import load_edition
from cityrank.plugins import Registry


def test_edition_loads_and_runs():
    edition = load_edition(files("cityrank_newplugin") / "edition.toml")
    assert edition.id == "newplugin"
    assert len(edition.cities) == len(set(edition.city_ids))
    registry = Registry(environ={}, entry_points=[])
    if edition.data is None or np.isnan(edition.data.values).all():
        with pytest.raises(MethodError, match="no city can be scored"):  # until data.csv has values
            run(edition, registry)
        return
    result = run(edition, registry)
    assert result.scores.shape[0] == len(edition.cities)
