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


HONG_KONG, MACAO, KOWLOON = 1819729, 1821274, 1819609


def test_population_and_capital():
    cities = (city(BEIJING, "CHN"), city(SHANGHAI, "CHN"), city(BRASILIA, "BRA"),
              City("x", "Nowhere", "XXX", None, None, None))
    pop = geo.population(cities)
    assert pop[0] == raw(BEIJING)["population"] and pop[1] == raw(SHANGHAI)["population"]
    assert np.isnan(pop[3])
    np.testing.assert_array_equal(geo.national_capital(cities)[:3], [1, 0, 1])


def test_a_territorys_seat_is_no_national_capital():
    """GeoNames lists Hong Kong and Macao as countries with a capital; neither is a sovereign
    state (both are special administrative regions of China), so neither seat is a national
    capital, while Beijing is."""
    countries = data.raw_geonames()[1]
    assert countries["HK"]["capital"] == "Hong Kong" and countries["MO"]["capital"]  # what GeoNames says
    cities = (city(HONG_KONG, "HKG"), city(MACAO, "MAC"), city(BEIJING, "CHN"))
    np.testing.assert_array_equal(geo.national_capital(cities), [0, 0, 1])


def _places():
    """The rows of data/places.csv read with the csv module (not the providers' loader)."""
    import csv

    with open(data.PLACES, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _brute_sum(c, radius, predicate):
    """Σ population of the places within ``radius`` km (chord formula) that ``predicate``
    keeps, with the counting rule written out again: no PPLX/PPLH/PPLQ/PPLW, and in a country
    with a place holding the whole country (whole = 1) only that place."""
    rows = _places()
    whole = {r["country"] for r in rows if r["whole"] == "1"}
    total = 0.0
    for r in rows:
        if r["code"] in ("PPLX", "PPLH", "PPLQ", "PPLW") or (r["country"] in whole and r["whole"] != "1"):
            continue
        if predicate(r) and chord_km(c.latitude, c.longitude, float(r["lat"]), float(r["lon"])) <= radius:
            total += float(r["population"])
    return total


def test_urban_population_by_brute_force():
    doha = city(DOHA, "QAT")
    got = geo.urban_population((doha,), radius_km=30, same_country=False)[0]
    assert got == pytest.approx(_brute_sum(doha, 30, lambda r: True)) and got > 5e5


def test_urban_population_counts_no_district_with_its_city():
    """Population within 50 km against SimpleMaps' urban-area populations, an independent
    source (NGIA, USGS, Census Bureau, NASA) that counts each urban area once. Band: within a
    factor of 1.5 either way. The two do not measure the same area (a 50 km disc against an
    urban area's own extent, which is larger for Mumbai's or Moscow's sprawl and smaller where
    the disc takes in neighbouring towns), so they cannot agree exactly; a district added to its
    own city, as before (Shanghai 61.2 million, 2.5 times SimpleMaps' 24.1; Hong Kong 50.4
    million, 6.8 times its 7.5), doubles a figure and falls far outside."""
    import csv

    with open(data.Path(data.__file__).parent / "data" / "simplemaps.csv", encoding="utf-8") as fh:
        simplemaps = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    cases = {"Shanghai": (SHANGHAI, "CHN"), "Hong Kong": (HONG_KONG, "HKG"), "Cairo": (360630, "EGY"),
             "Moscow": (524901, "RUS"), "Mumbai": (1275339, "IND")}
    for name, (geonameid, iso3) in cases.items():
        reference = max(float(r["population"]) for r in simplemaps if r["name"] == name and r["country"] == iso3)
        got = geo.urban_population((city(geonameid, iso3),), radius_km=50)[0]
        assert 1 / 1.5 <= got / reference <= 1.5, (name, got, reference)


def test_sections_and_territory_districts_are_not_counted():
    """Zhabei (a PPLX section of Shanghai, 4 km from its centre) and Kowloon (a district of
    Hong Kong, whose GeoNames place holds the whole territory) are in the data but count
    nothing, not even at their own position; Hong Kong's 50 km within the territory is its own
    place alone."""
    rows = _places()
    zhabei = next(r for r in rows if r["code"] == "PPLX" and r["country"] == "CHN" and r["population"] == "840000")
    kowloon = next(r for r in rows if r["country"] == "HKG" and r["population"] == "2303100")
    hong_kong = next(r for r in rows if r["country"] == "HKG" and r["whole"] == "1")
    for r in (zhabei, kowloon):
        here = City("here", "Here", r["country"], None, float(r["lat"]), float(r["lon"]))
        assert geo.urban_population((here,), radius_km=0.01)[0] == 0  # only itself lies within 10 m
    hk = city(HONG_KONG, "HKG")
    assert geo.urban_population((hk,), radius_km=50)[0] == float(hong_kong["population"])


JERUSALEM, EAST_JERUSALEM = 281184, 7303419


def test_radius_population_keeps_to_the_city_s_country_when_asked():
    """East Jerusalem (PSE) lies 2 km from Jerusalem (ISR): with same_country its 50 km count
    is the Palestinian places alone (checked by brute force), without it Jerusalem's people
    are in; Hong Kong's stops at the boundary with Shenzhen."""
    ej = city(EAST_JERUSALEM, "PSE")
    own = geo.urban_population((ej,), radius_km=50, same_country=True)[0]
    both = geo.urban_population((ej,), radius_km=50, same_country=False)[0]
    assert own == pytest.approx(_brute_sum(ej, 50, lambda r: r["country"] == "PSE"))
    assert both == pytest.approx(_brute_sum(ej, 50, lambda r: True))
    assert both - own >= raw(JERUSALEM)["population"] * 0.5  # Jerusalem's people, in GeoNames 2023 terms
    hk = city(HONG_KONG, "HKG")
    assert geo.urban_population((hk,), same_country=False)[0] > 2 * geo.urban_population((hk,))[0]  # Shenzhen


def test_cross_border_counts_only_other_members():
    dubai = city(DUBAI, "ARE")
    got = geo.cross_border((dubai,), radius_km=150, min_population=15000, countries=["ARE", "OMN"])[0]
    want = _brute_sum(dubai, 150, lambda r: r["country"] == "OMN" and float(r["population"]) >= 15000)
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
    assert geo.air_gateways((doha,), radius_km=40, same_country=False)[0] == want >= 1
    ej = city(EAST_JERUSALEM, "PSE")  # Ben Gurion (TLV) is 42 km away, in Israel
    abroad = sum(1 for a in airportsdata.load("IATA").values()
                 if a["country"] != "PS" and chord_km(ej.latitude, ej.longitude, a["lat"], a["lon"]) <= 50)
    assert geo.air_gateways((ej,), radius_km=50, same_country=False)[0] - geo.air_gateways((ej,), radius_km=50)[0] == abroad >= 1


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


def test_build_keeps_places_of_1000_with_their_feature_code():
    """Six real lines of GeoNames' dump: Soldeu (602 inhabitants) is left out; Hong Kong, whose
    population (7,482,500) is at least its country's, holds the whole territory; Kowloon does
    not; codes and countries (ISO3) are kept as given; a country GeoNames does not know is an
    error naming the line."""
    from conftest import ROOT

    build = pytest.importorskip("cityrank_geo.build")
    lines = (ROOT / "tests" / "data" / "samples" / "geonames-cities500.txt").read_text(encoding="utf-8").splitlines()
    countries = {"HK": {"iso3": "HKG", "population": 7396076}, "CN": {"iso3": "CHN", "population": 1411778724},
                 "RU": {"iso3": "RUS", "population": 144478050}, "AD": {"iso3": "AND", "population": 77006}}
    rows = build.place_rows(lines, countries)
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [
        ("CHN", "PPLA", 22315474, 0), ("CHN", "PPLX", 840000, 0),
        ("HKG", "PPLA", 2303100, 0), ("HKG", "PPLC", 7482500, 1), ("RUS", "PPLH", 118000, 0)]
    assert build.dump_date(lines) == "2022-06-08"
    with pytest.raises(ValueError, match="line 2: country code 'CN'"):
        build.place_rows(lines, {k: v for k, v in countries.items() if k != "CN"})


def test_new_delhi_and_delhi_both_hold_the_capital():
    """GeoNames names India's capital "New Delhi"; Delhi (the urban area, more populous) has it
    as an alternate name. Both are the capital: an edition may list either (the scaffold lists
    New Delhi, the editions Delhi); Mumbai is not."""
    from cityrank.model import City

    cities = (City("new-delhi", "New Delhi", "IND", 1261481, 28.63576, 77.22445),
              City("delhi", "Delhi", "IND", 1273294, 28.65195, 77.23149),
              City("mumbai", "Mumbai", "IND", 1275339, 19.07283, 72.88261))
    assert geo.national_capital(cities).tolist() == [1.0, 1.0, 0.0]
