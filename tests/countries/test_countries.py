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


BRICS = ["BRA", "RUS", "IND", "CHN", "ZAF", "EGY", "ETH", "IRN", "ARE", "SAU"]


def test_shared_memberships_by_hand():
    """Counted from the member lists by hand, for the BRICS 2024 bloc on 19 Sep 2024:
    Russia: BRICS 9 partners + SCO (China, India, Iran) 3 + EAEU 0 + APEC (China) 1 +
    G20 (Brazil, China, India, Saudi Arabia, South Africa) 5 = 18;
    Egypt: BRICS 9 + LAS (Saudi Arabia, UAE) 2 = 11;
    UAE: BRICS 9 + LAS (Egypt, Saudi Arabia) 2 + GCC (Saudi Arabia) 1 = 12;
    Hong Kong: as China (BRICS 9 + SCO (Russia, India, Iran) 3 + G20 (Brazil, India, Russia,
    Saudi Arabia, South Africa) 5) and APEC in its own right (Russia; China is its own state) 1
    = 18, and China itself: the same 18 (APEC: Russia)."""
    cities = [City(c, c, c) for c in ("RUS", "EGY", "ARE", "CHN")] + [City("hk", "Hong Kong", "HKG")]
    day = "2024-09-19"
    np.testing.assert_array_equal(providers.shared_memberships(cities, day, countries=BRICS), [18, 11, 12, 18, 18])
    # one organisation only: LAS within the bloc
    np.testing.assert_array_equal(providers.shared_memberships(cities, day, countries=BRICS, organisations=["las"]),
                                  [0, 2, 2, 0, 0])
    assert providers.shared_memberships([City("x", "X", "XXX")], day, countries=BRICS)[0] == 0  # in no coded list
    with pytest.raises(ValueError, match="unknown organisation"):
        providers.shared_memberships(cities, day, organisations=["nato"])


def test_one_code_may_be_given_as_a_string():
    cities = [City(c, c, c) for c in ("EGY", "ARE")]
    day = "2024-09-19"
    np.testing.assert_array_equal(providers.shared_memberships(cities, day, organisations="gcc"), [0, 0])
    np.testing.assert_array_equal(providers.shared_memberships(cities, day, countries=BRICS, organisations="las"), [2, 2])
    assert providers.bloc_neighbours([City("c", "C", "CHN")], countries="RUS")[0] == 1
