"""The providers against values computed by hand."""

import csv
import io
import math

import pytest
from cityrank_newplugin import build, providers

from cityrank.model import City


def _km(lat1, lon1, lat2, lon2):
    """Great-circle distance by the spherical law of cosines (a second formula)."""
    p1, p2, d = map(math.radians, (lat1, lat2, lon2 - lon1))
    return 6371.0088 * math.acos(min(1.0, math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(d)))


def test_points_within_by_hand():
    beijing = City("beijing", "Beijing", "CHN", latitude=39.9075, longitude=116.39723)
    tianjin = City("tianjin", "Tianjin", "CHN", latitude=39.14222, longitude=117.17667)
    assert _km(39.9075, 116.39723, 39.14222, 117.17667) == pytest.approx(108, abs=2)
    values = providers.points_within((beijing, tianjin), radius_km=50)
    assert list(values) == [1.0, 0.0]  # Beijing's own point; Tianjin is 108 km away
    assert providers.points_within((tianjin,), radius_km=150)[0] == 1.0


def test_build_checks_and_sorts_rows():
    rows = build.point_rows(csv.DictReader(io.StringIO("lat,lon\n55.75,37.62\n28.64,77.22\n")))
    assert rows == [(28.64, 77.22, 1.0), (55.75, 37.62, 1.0)]
    with pytest.raises(ValueError, match="row 2"):
        build.point_rows(csv.DictReader(io.StringIO("lat,lon\n95,0\n")))
