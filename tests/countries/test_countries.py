"""Land neighbours within a bloc, against the source's borders read by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cityrank.model import City
from conftest import ROOT

build = pytest.importorskip("cityrank_countries.build")
providers = pytest.importorskip("cityrank_countries.providers")
SAMPLE = json.loads((ROOT / "tests" / "data" / "samples" / "world-countries.json").read_text())


def test_build_keeps_each_countrys_borders():
    rows = dict(build.border_rows(SAMPLE))
    assert rows["EGY"] == "ISR LBY PSE SDN" and rows["BRA"].startswith("ARG BOL")
    assert set(rows) == {c["cca3"] for c in SAMPLE}


def test_bloc_neighbours_by_hand():
    """BRICS 2024 (with Saudi Arabia): China borders Russia and India; the UAE borders Saudi
    Arabia (and Oman, not a member); Egypt's neighbours are not members; Brazil has none."""
    bloc = ["BRA", "RUS", "IND", "CHN", "ZAF", "EGY", "ETH", "IRN", "ARE", "SAU"]
    cities = [City(c, c, c) for c in ("CHN", "RUS", "IND", "ARE", "EGY", "BRA")] + [City("hk", "Hong Kong", "HKG")]
    v = providers.bloc_neighbours(cities, countries=bloc)
    np.testing.assert_array_equal(v, [2, 1, 1, 1, 0, 0, 2])  # Hong Kong counts as China
    by_default = providers.bloc_neighbours(cities)  # the bloc is the ranked cities' countries
    assert by_default[0] == 2 and by_default[3] == 0  # no Saudi city ranked: the UAE has no member neighbour
    assert np.isnan(providers.bloc_neighbours([City("x", "X", "XXX")])[0])
