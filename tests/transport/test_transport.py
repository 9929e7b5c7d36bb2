"""The transport providers against hand computation, and their build on samples of the sources."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cityrank import derived
from cityrank.model import City
from conftest import ROOT

build = pytest.importorskip("cityrank_transport.build")
providers = pytest.importorskip("cityrank_transport.providers")
SAMPLES = ROOT / "tests" / "data" / "samples"


def _cosine_km(lat1, lon1, lat2, lon2):
    """A second formula for the great-circle distance (spherical law of cosines)."""
    p1, p2, d = map(math.radians, (lat1, lat2, lon2 - lon1))
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(d)
    return 6371.0088 * math.acos(max(-1.0, min(1.0, c)))


def test_build_keeps_scheduled_large_and_medium_airports():
    rows = build.airport_rows((SAMPLES / "ourairports-airports.csv").read_text())
    # the heliport 00A is left out; the seven airports all have scheduled service
    assert [r[0] for r in rows] == ["EGKK", "EGLC", "EGLL", "KJFK", "LFPG", "OMDB", "SBGR"]
    assert rows[2] == ("EGLL", "LHR", "large_airport", "GB", 51.4706, -0.461941)


def test_build_keeps_ports_near_the_maritime_network():
    """A one-lane network off the Dutch coast (52.0 N, 3.9-4.0 E): Rotterdam (NLRTM, 35 km
    away by hand) is a seaport; London (GBLON, 250 km), Jebel Ali and Alexandria are not."""
    lane = {"features": [{"geometry": {"type": "LineString", "coordinates": [[3.9, 52.0], [4.0, 52.0]]}}]}
    ports = json.loads((SAMPLES / "searoute-ports.geojson").read_text())
    rows = build.port_rows(ports, build.network_vertices(lane))
    assert [r[0] for r in rows] == ["NLRTM"] and rows[0][2] == "NL"
    rtm = next(f for f in ports["features"] if f["properties"]["port"] == "NLRTM")["geometry"]["coordinates"]
    assert _cosine_km(rtm[1], rtm[0], 52.0, 4.0) < build.SEA_KM


def test_london_airports_by_hand():
    """Heathrow, Gatwick and City lie 23, 45 and 10 km from central London (by a second
    formula); Stansted and Luton are also in the data: count the shipped file by brute force."""
    london = City("london", "London", "GBR", latitude=51.50853, longitude=-0.12574)
    _, cols = derived.load(providers.DATA / "airports.csv")
    by_hand = sum(1 for la, lo in zip(cols["lat"], cols["lon"], strict=True)
                  if _cosine_km(london.latitude, london.longitude, la, lo) <= 50)
    assert _cosine_km(51.50853, -0.12574, 51.4706, -0.461941) == pytest.approx(23.7, abs=0.5)
    value = providers.scheduled_airports((london,), radius_km=50)
    assert value[0] == by_hand >= 4  # Heathrow, Gatwick, City, Luton or Stansted
    assert providers.scheduled_airports((london,), radius_km=15)[0] >= 1  # London City


def test_build_adds_the_alpha3_country_and_names_an_unknown_code():
    rows = build.airport_rows((SAMPLES / "ourairports-airports.csv").read_text())
    iso3 = {"GB": "GBR", "US": "USA", "FR": "FRA", "AE": "ARE", "BR": "BRA"}
    assert [r[-1] for r in build.with_iso3(rows, 3, iso3)] == ["GBR", "GBR", "GBR", "USA", "FRA", "ARE", "BRA"]
    with pytest.raises(ValueError, match="AE"):
        build.with_iso3(rows, 3, {k: v for k, v in iso3.items() if k != "AE"})


def test_airports_across_a_border_count_only_when_asked():
    """Detroit and Windsor face each other across the Detroit River: Detroit Metropolitan
    (DTW, US) and Windsor (YQG, CA) are each within 50 km of both (by a second formula, from
    the shipped file). With same_country each city has its own country's airports alone."""
    detroit = City("det", "Detroit", "USA", latitude=42.33143, longitude=-83.04575)
    windsor = City("win", "Windsor", "CAN", latitude=42.30008, longitude=-83.01654)
    _, cols = derived.load(providers.DATA / "airports.csv")
    near = {c.id: [iso for la, lo, iso in zip(cols["lat"], cols["lon"], cols["iso3"], strict=True)
                   if _cosine_km(c.latitude, c.longitude, la, lo) <= 50] for c in (detroit, windsor)}
    assert {"USA", "CAN"} <= set(near["det"]) and {"USA", "CAN"} <= set(near["win"])
    both = providers.scheduled_airports((detroit, windsor), radius_km=50, same_country=False)
    own = providers.scheduled_airports((detroit, windsor), radius_km=50, same_country=True)
    np.testing.assert_array_equal(both, [len(near["det"]), len(near["win"])])
    np.testing.assert_array_equal(own, [near["det"].count("USA"), near["win"].count("CAN")])
    assert providers.scheduled_airports((detroit,))[0] == own[0]  # the default keeps to the country


def test_seaport_distance_within_the_country_when_asked():
    """Addis Ababa's nearest seaport is abroad (Ethiopia has none in searoute's list): the
    default distance crosses the border; with same_country there is none (NaN)."""
    addis = City("add", "Addis Ababa", "ETH", latitude=9.02497, longitude=38.74689)
    _, cols = derived.load(providers.DATA / "seaports.csv")
    assert "ETH" not in set(cols["iso3"])
    assert providers.seaport_distance((addis,))[0] > 300
    assert np.isnan(providers.seaport_distance((addis,), same_country=True)[0])
    rotterdam = City("rtm", "Rotterdam", "NLD", latitude=51.9225, longitude=4.47917)
    assert providers.seaport_distance((rotterdam,), same_country=True)[0] == providers.seaport_distance((rotterdam,))[0]


def test_seaports_and_distance_by_hand():
    rotterdam = City("rtm", "Rotterdam", "NLD", latitude=51.9225, longitude=4.47917)
    madrid = City("mad", "Madrid", "ESP", latitude=40.4165, longitude=-3.70256)
    nowhere = City("x", "No coordinates", "XXX")
    _, cols = derived.load(providers.DATA / "seaports.csv")
    dists = [_cosine_km(madrid.latitude, madrid.longitude, la, lo) for la, lo in zip(cols["lat"], cols["lon"], strict=True)]
    near = providers.seaport_distance((rotterdam, madrid, nowhere))
    assert near[1] == pytest.approx(min(dists), rel=1e-6) and near[1] > 200  # Madrid's dry port is not a seaport
    assert near[0] < 20 and np.isnan(near[2])
    counts = providers.seaports((rotterdam, madrid, nowhere))
    assert counts[0] >= 1 and counts[1] == 0 and np.isnan(counts[2])


def test_shipped_files_name_their_source_and_licence():
    for name in ("airports.csv", "seaports.csv"):
        meta, _ = derived.load(providers.DATA / name)
        assert meta["licence"] and meta["package"] and meta["version"] and meta["built_by"]


def test_registered_with_unit_level_and_source(registry):
    import cityrank_transport

    from cityrank.plugins import Registry

    reg = Registry(environ={}, entry_points=[], extra_plugins={"transport": cityrank_transport})
    m = reg.get("indicator", "transport.scheduled_airports")
    assert m.extra["level"] == "city" and "public domain" in m.extra["source"] and m.extra["unit"] == "airports"
