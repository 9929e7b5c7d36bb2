"""Open-data providers against brute-force computations on the raw GeoNames / airports data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cityrank.model import City

geo = pytest.importorskip("cityrank_geo.providers")
data = pytest.importorskip("cityrank_geo.data")


def chord_km(lat1, lon1, lat2, lon2):
    """Great-circle distance by the chord of unit vectors: an independent formula."""
    def unit(lat, lon):
        la, lo = math.radians(lat), math.radians(lon)
        return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])

    chord = np.linalg.norm(unit(lat1, lon1) - unit(lat2, lon2))
    return 2 * data.EARTH_RADIUS_KM * math.asin(chord / 2)


def raw(geonameid):
    return data.raw_geonames()[0][str(geonameid)]


def city(geonameid, country):
    r = raw(geonameid)
    return City(str(geonameid), r["name"], country, geonameid, r["latitude"], r["longitude"])


BEIJING, SHANGHAI, DUBAI, DOHA, BRASILIA = 1816670, 1796236, 292223, 290030, 3469058


def test_haversine_against_chord_formula_and_a_meridian_degree():
    pairs = [(39.9075, 116.39723, 31.22222, 121.45806), (51.5, -0.12, 48.85, 2.35), (-33.9, 18.4, 64.1, -21.9)]
    for lat1, lon1, lat2, lon2 in pairs:
        assert data.haversine_km(lat1, lon1, lat2, lon2) == pytest.approx(chord_km(lat1, lon1, lat2, lon2), rel=1e-9)
    assert data.haversine_km(10.0, 20.0, 11.0, 20.0) == pytest.approx(data.EARTH_RADIUS_KM * math.pi / 180)


def test_population_and_capital():
    cities = (city(BEIJING, "CHN"), city(SHANGHAI, "CHN"), city(BRASILIA, "BRA"),
              City("x", "Nowhere", "XXX", None, None, None))
    pop = geo.population(cities)
    assert pop[0] == raw(BEIJING)["population"] and pop[1] == raw(SHANGHAI)["population"]
    assert np.isnan(pop[3])
    np.testing.assert_array_equal(geo.national_capital(cities)[:3], [1, 0, 1])


def _brute_sum(c, radius, predicate):
    total = 0.0
    for r in data.raw_geonames()[0].values():
        if predicate(r) and chord_km(c.latitude, c.longitude, r["latitude"], r["longitude"]) <= radius:
            total += r["population"]
    return total


def test_urban_population_by_brute_force():
    doha = city(DOHA, "QAT")
    assert geo.urban_population((doha,), radius_km=30)[0] == pytest.approx(_brute_sum(doha, 30, lambda r: True))


def test_cross_border_counts_only_other_members():
    dubai = city(DUBAI, "ARE")
    got = geo.cross_border((dubai,), radius_km=150, min_population=15000, countries=["ARE", "OMN"])[0]
    want = _brute_sum(dubai, 150, lambda r: r["countrycode"] == "OM" and r["population"] >= 15000)
    assert got == pytest.approx(want) and got > 0
    # with no other member nearby there is nothing across the border
    assert geo.cross_border((dubai,), radius_km=150, countries=["ARE", "BRA"])[0] == 0


def test_market_potential_by_hand():
    cities = (city(BEIJING, "CHN"), city(SHANGHAI, "CHN"), city(DOHA, "QAT"))
    pop = [raw(c.geonameid)["population"] for c in cities]
    d = lambda a, b: chord_km(a.latitude, a.longitude, b.latitude, b.longitude)  # noqa: E731
    want = [pop[1] / d(cities[0], cities[1]) + pop[2] / d(cities[0], cities[2]),
            pop[0] / d(cities[1], cities[0]) + pop[2] / d(cities[1], cities[2]),
            pop[0] / d(cities[2], cities[0]) + pop[1] / d(cities[2], cities[1])]
    np.testing.assert_allclose(geo.market_potential(cities), want, rtol=1e-9)


def test_air_gateways_by_brute_force():
    import airportsdata

    doha = city(DOHA, "QAT")
    want = sum(1 for a in airportsdata.load("IATA").values()
               if chord_km(doha.latitude, doha.longitude, a["lat"], a["lon"]) <= 40)
    assert geo.air_gateways((doha,), radius_km=40)[0] == want >= 1


def test_bad_parameters():
    with pytest.raises(ValueError, match="radius_km"):
        geo.urban_population((city(DOHA, "QAT"),), radius_km=0)
    with pytest.raises(ValueError, match="1,000"):
        data.places(500)


def test_half_a_position_is_no_position():
    """A city with a latitude but no longitude (and no GeoNames id) gets NaN from every
    distance-based provider, and does not change the others' values."""
    half = City("half", "Half", "CHN", latitude=39.9)
    full = [city(BEIJING, "CHN"), city(SHANGHAI, "CHN")]
    for provider in (geo.urban_population, geo.market_potential, geo.cross_border, geo.air_gateways):
        with_half = provider([*full, half])
        assert np.isnan(with_half[2]), provider.__name__
        np.testing.assert_allclose(with_half[:2], provider(full), rtol=1e-12)


def test_airports_cache_gives_the_parsed_arrays(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYRANK_CACHE", str(tmp_path))
    built = data.airports.__wrapped__()  # parses airportsdata and writes the cache
    assert list(tmp_path.glob("airportsdata-*.arrays"))
    loaded = data.airports.__wrapped__()  # reads the cache
    for a, b in zip(built, loaded, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(built[0]) > 5000


def test_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
    """A cache file cut short or of another shape is a cache miss, never an error."""
    from cityrank import derived

    monkeypatch.setenv("CITYRANK_CACHE", str(tmp_path))
    built = data.airports.__wrapped__()
    path = next(tmp_path.glob("airportsdata-*.arrays"))
    path.write_bytes(path.read_bytes()[:100])  # cut short
    np.testing.assert_array_equal(data.airports.__wrapped__()[0], built[0])
    derived.save_arrays(path, {"other": np.zeros(2)})  # another shape
    np.testing.assert_array_equal(data.airports.__wrapped__()[1], built[1])
