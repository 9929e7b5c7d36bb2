"""The whole pipeline against COINr's ASEM index and UNDP's HDI 2022, and by invariance."""

from __future__ import annotations

import csv

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from asem import matrix, read_table, units, write_edition
from cityrank.engine import Choices, run
from cityrank.formats.spec import load_edition
from cityrank.model import MethodChoice
from cityrank.ranking import min_ranks, tiers
from conftest import EXAMPLES, oracle_file

PIPE = ("coinr_asem", "expected", "pipeline_default")
AGGREGATES = ["Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P",
              "Environ", "Social", "SusEcFin"]


def _asem(tmp_path, data=("pipeline_default", "Treated.csv"), **kwargs):
    return load_edition(write_edition(tmp_path / "asem", oracle_file("coinr_asem", "expected", *data), **kwargs))


def _scores(result, ids):
    return np.column_stack([result.score(i) for i in ids])


def test_asem_default_pipeline_scores_and_ranks(tmp_path, registry):
    result = run(_asem(tmp_path), registry)
    us = units()
    assert [c.id for c in result.cities] == us
    want = matrix(oracle_file(*PIPE, "Aggregated.csv"), us, AGGREGATES)
    np.testing.assert_allclose(_scores(result, AGGREGATES), want, rtol=1e-10)
    ranks = matrix(oracle_file(*PIPE, "results_aggs_ranks.csv"), us, AGGREGATES)
    np.testing.assert_array_equal(np.column_stack([result.rank(i) for i in AGGREGATES]), ranks)
    # the COINr site prints CHE 68.38 first and IND 39.79 at rank 45
    top = result.cities[result.order()[0]]
    assert top.id == "CHE" and round(result.score()[us.index("CHE")], 2) == 68.38
    assert result.rank()[us.index("IND")] == 45


@pytest.mark.parametrize(("variant", "normaliser", "aggregator"), [
    ("minmax1_100_gmean", "minmax:lower=1,upper=100", "geometric"),
    ("minmax1_100_hmean", "minmax:lower=1,upper=100", "harmonic"),
    ("minmax1_100_genmean_p2", "minmax:lower=1,upper=100", "power:p=2"),
])
def test_asem_aggregation_variants(tmp_path, registry, variant, normaliser, aggregator):
    choices = Choices(normaliser=MethodChoice.parse(normaliser), aggregator=MethodChoice.parse(aggregator))
    result = run(_asem(tmp_path), registry, choices=choices)
    want = matrix(oracle_file("coinr_asem", "expected", "variants", f"{variant}__Aggregated.csv"), units(), AGGREGATES)
    np.testing.assert_allclose(_scores(result, AGGREGATES), want, rtol=1e-9)


@pytest.mark.parametrize(("variant", "aggregator"), [
    ("raw_minmax0_100_amean", "arithmetic"),
    ("raw_minmax0_100_amean_datthresh0.8", "arithmetic:min_share=0.8"),
])
def test_asem_missing_data_handling(tmp_path, registry, variant, aggregator):
    edition = _asem(tmp_path, ("pipeline_default", "Raw.csv"))
    result = run(edition, registry, choices=Choices(aggregator=MethodChoice.parse(aggregator)))
    want = matrix(oracle_file("coinr_asem", "expected", "variants", f"{variant}__Aggregated.csv"), units(), AGGREGATES)
    np.testing.assert_allclose(_scores(result, AGGREGATES), want, rtol=1e-9)


def test_asem_alternative_weights_file(tmp_path, registry):
    _, rows = read_table(oracle_file("coinr_asem", "expected", "variants", "altweights__weights.csv"))
    weights = tmp_path / "weights.csv"
    with open(weights, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "weight"])
        for code, r in rows.items():
            if code != "Index":
                w.writerow([code, r["Weight"]])
    result = run(_asem(tmp_path), registry, weights_file=weights)
    want = matrix(oracle_file("coinr_asem", "expected", "variants", "altweights_amean__Aggregated.csv"), units(), AGGREGATES)
    np.testing.assert_allclose(_scores(result, AGGREGATES), want, rtol=1e-9)


def test_hdi_2022_example_reproduces_every_published_value(registry):
    """UNDP HDI = geometric mean of goalpost indices; the example edition rebuilds it."""
    result = run(load_edition(EXAMPLES / "hdi-2022" / "edition.toml"), registry)
    _, published = read_table(oracle_file("undp_hdi", "hdi_2022_extract.csv"))
    ids = [c.id for c in result.cities]
    ours = np.round(result.score() / 100, 3)
    checked = 0
    for i, code in enumerate(ids):
        want = published[code]["hdi_2022"]
        if want == "":
            assert np.isnan(ours[i])
            continue
        assert ours[i] == float(want), code
        checked += 1
    assert checked == 193
    # UNDP ranks the rounded values with ties sharing the better rank
    ranks = min_ranks(ours)
    for i, code in enumerate(ids):
        if published[code]["hdi_rank_2022"]:
            assert ranks[i] == float(published[code]["hdi_rank_2022"]), code


def test_ranks_invariant_under_city_permutation_and_weight_scaling(tmp_path, registry):
    edition = _asem(tmp_path)
    base = run(edition, registry)
    rng = np.random.default_rng(3)
    perm = rng.permutation(len(edition.cities))
    shuffled = attrs.evolve(edition, cities=[edition.cities[i] for i in perm])
    moved = run(shuffled, registry)
    np.testing.assert_array_equal(moved.ranks, base.ranks[perm])
    scaled = attrs.evolve(edition, weights=attrs.evolve(edition.weights, values={k: 7.5 * v for k, v in edition.weights.values.items()}))
    np.testing.assert_array_equal(run(scaled, registry).ranks, base.ranks)


def test_same_inputs_same_digest_and_different_inputs_differ(tmp_path, registry):
    edition = _asem(tmp_path)
    a, b = run(edition, registry), run(edition, registry)
    assert a.inputs_sha256 == b.inputs_sha256 and len(a.inputs_sha256) == 64
    c = run(edition, registry, choices=Choices(aggregator=MethodChoice("geometric")))
    assert c.inputs_sha256 != a.inputs_sha256


def test_min_ranks_ties_and_nan():
    np.testing.assert_array_equal(min_ranks([3.0, 5.0, 5.0, 1.0, np.nan]), [3, 1, 1, 4, np.nan])


def test_tiers_use_floor_of_share():
    ranks = np.arange(1, 139, dtype=float)
    labels = tiers(ranks, (0.1, 0.3, 0.6, 1.0))
    assert labels.count("top 10%") == 13  # BRICS 2024 named 13 of 138 cities
    assert labels.count("10–30%") == 41 - 13 and labels[-1] == "60–100%"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40), st.randoms())
def test_ranks_are_permutation_invariant(values, rnd):
    x = np.array(values)
    perm = list(range(len(x)))
    rnd.shuffle(perm)
    np.testing.assert_array_equal(min_ranks(x[perm]), min_ranks(x)[perm])
    # ranks are 'min' ranks: 1 + the number of values in better tie groups
    np.testing.assert_array_equal(min_ranks(x), _chained_min_ranks(values))


def _chained_min_ranks(values):
    """Independent reference: sort descending, start a new tie group where the gap to the
    previous value exceeds TIE_TOLERANCE × the largest |value|; rank = 1 + members of better groups."""
    from cityrank.ranking import TIE_TOLERANCE

    scale = max(abs(v) for v in values)
    ordered = sorted(values, reverse=True)
    group_rank, rank = {}, 1
    for position, v in enumerate(ordered, start=1):
        if position > 1 and ordered[position - 2] - v > TIE_TOLERANCE * scale:
            rank = position
        group_rank.setdefault(v, rank)
    return [group_rank[v] for v in values]


@given(st.floats(0.5, 1e6), st.integers(2, 30), st.randoms())
def test_rounding_noise_never_splits_a_tie(base, n, rnd):
    """Equal weighted means computed in different summation orders (and a solver's last
    digits: 1 ± a few ulps) tie; a difference of a millionth of the scale does not."""
    noisy = np.array([base * (1 + rnd.uniform(-50, 50) * np.finfo(float).eps) for _ in range(n)])
    assert np.all(min_ranks(noisy) == 1)
    apart = np.append(noisy, base * (1 - 1e-6))
    assert min_ranks(apart)[-1] == n + 1


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 15), st.integers(1, 5)), elements=st.floats(0.1, 100)),
       st.floats(0.01, 1000), st.data())
def test_scaling_all_weights_changes_no_score(x, factor, data):
    from cityrank.methods import aggregators as ag

    w = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=x.shape[1], max_size=x.shape[1])))
    for func in (ag.arithmetic, ag.geometric, ag.harmonic):
        np.testing.assert_allclose(func(x, w * factor), func(x, w), rtol=1e-9)


def test_a_tie_across_a_tier_cut_is_said():
    from cityrank.engine.notes import _ties as _tie_notes

    ranks = np.array([1.0, 2.0, *[3.0] * 18, np.nan])  # 20 ranked: the top 10% holds 2, the tie is below
    assert _tie_notes(ranks, (0.1, 1.0)) == []
    ranks = np.array([1.0, *[2.0] * 19])  # 19 tie at rank 2, inside the top-10% cut of 2
    assert _tie_notes(ranks, (0.1, 1.0)) == ["19 cities tie at rank 2 across the top 10% cut: the tier holds 20 cities, not 2"]
    ranks = np.array([1.0, 1.0, 1.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])  # 3 tie at 1; the top 10% is 1 city
    assert _tie_notes(ranks, (0.1, 1.0)) == ["3 cities tie at rank 1 across the top 10% cut: the tier holds 3 cities, not 1"]


@given(st.lists(st.one_of(st.integers(1, 60).map(float), st.just(float("nan"))), min_size=1, max_size=60),
       st.sampled_from([(0.1, 0.3, 0.6, 1.0), (0.5, 1.0), (1.0,), (0.05, 0.25, 1.0)]))
def test_tiers_by_their_definition(ranks, cuts):
    """Each city's tier is the first cut c with rank ≤ floor(c·n), n the cities ranked."""
    import math

    from cityrank.ranking import tier_labels

    n = sum(1 for r in ranks if not math.isnan(r))
    labels = tier_labels(cuts)
    want = [None if math.isnan(r) else next((lab for c, lab in zip(cuts, labels, strict=True)
                                             if r <= math.floor(c * n + 1e-9)), labels[-1]) for r in ranks]
    assert tiers(np.array(ranks), cuts) == want


def test_screening_by_data_availability(tmp_path, registry, fresh_cli):
    """Lisbon has 3 of 4 indicators (75 %): a min_coverage of 0.8 leaves it out of the run,
    the Monte Carlo and the outputs, which say so."""
    import json

    from cityrank.analysis import uncertainty
    from conftest import tiny_copy

    folder = tiny_copy(tmp_path / "ed", ("edition.toml", 'aggregator = "arithmetic"',
                                         'aggregator = "arithmetic"\nscreen = { min_coverage = 0.8 }'))
    toml = folder / "edition.toml"
    ed = load_edition(folder)
    result = run(ed, registry)
    assert [c.id for c in result.cities] == ["ams", "ber", "osl", "rom"]
    assert list(result.screened) == [("lis", 0.75)]
    assert any("screened out" in n and "Lisbon (lis, 75%)" in n for n in result.notes)
    ua = uncertainty(ed, registry, samples=50, seed=1)
    assert len(ua.median) == 4 and {r["id"] for r in ua.rows()} == {"ams", "ber", "osl", "rom"}
    assert {r["id"]: r["nominal_rank"] for r in ua.rows()} == {c.id: int(r) for c, r in zip(result.cities, result.rank(), strict=True)}
    data = json.loads(fresh_cli("run", folder, "--format", "json").stdout)
    assert data["screened"] == [{"id": "lis", "coverage": 0.75}] and len(data["cities"]) == 4
    toml.write_text(toml.read_text().replace("min_coverage = 0.8", "min_coverage = 2"))
    bad = fresh_cli("run", folder)
    assert bad.exit_code == 2 and "screen must be" in bad.stderr


def test_an_indicator_denominated_by_another(tmp_path, registry):
    """denominator = "transit": speed per transit line, before the log transform."""
    from conftest import tiny_copy

    folder = tiny_copy(tmp_path / "ed", ("edition.toml", 'unit = "Mbit/s"', 'unit = "Mbit/s per line"\ndenominator = "transit"'))
    toml = folder / "edition.toml"
    ed = load_edition(folder)
    res = run(ed, registry)
    speed, transit = ed.framework.indicator_ids.index("speed"), ed.framework.indicator_ids.index("transit")
    raw = res.stages["raw"]
    np.testing.assert_allclose(res.stages["denominated"][:, speed], raw[:, speed] / raw[:, transit])
    np.testing.assert_allclose(res.stages["transformed"][:, speed], np.log(raw[:, speed] / raw[:, transit]))
    assert np.isnan(res.stages["denominated"][ed.city_ids.index("lis"), speed])  # Lisbon has no transit value
    toml.write_text(toml.read_text().replace('denominator = "transit"', 'denominator = "speed"'))
    with pytest.raises(Exception, match="must be another indicator"):
        load_edition(folder)


def test_inputs_digest_sees_every_city_field(registry):
    """Changing any one field of one city (name, country, GeoNames id, a coordinate, an extra
    column) changes the inputs' SHA-256; the same cities give the same digest."""
    from conftest import ROOT

    tiny = ROOT / "tests" / "data" / "tiny"
    edition = load_edition(tiny)
    base = run(edition, registry).inputs_sha256
    assert run(load_edition(tiny), registry).inputs_sha256 == base
    first = edition.cities[0]
    variants = [attrs.evolve(first, name=first.name + "x"), attrs.evolve(first, country="XXX"),
                attrs.evolve(first, geonameid=(first.geonameid or 0) + 1), attrs.evolve(first, latitude=1.5),
                attrs.evolve(first, longitude=None), attrs.evolve(first, attributes={"region": "north"})]
    digests = {run(attrs.evolve(edition, cities=(v, *edition.cities[1:])), registry).inputs_sha256 for v in variants}
    assert base not in digests and len(digests) == len(variants)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.text("ab", max_size=3)), max_size=30,
                unique_by=lambda r: r[1]))
def test_result_order_is_rank_then_city_id(rows):
    """Result.order: by overall rank, unranked last, ties by city id (as a lexicographic sort
    on (rank, id) gives)."""
    import math
    from types import SimpleNamespace

    from cityrank.model import Result

    ranks = np.array([np.nan if r is None else r for r, _ in rows], dtype=float).reshape(-1, 1)
    fake = SimpleNamespace(ranks=ranks, cities=[SimpleNamespace(id=i) for _, i in rows])
    expected = sorted(range(len(rows)), key=lambda k: (math.inf if rows[k][0] is None else rows[k][0], rows[k][1]))
    assert Result.order(fake).tolist() == expected


def test_cities_digest_is_unambiguous():
    """Moving text from one city's cell to the next, an absent extra column against an empty
    one, and no GeoNames id against id 0 each give another digest."""
    from cityrank.engine import _cities_digest
    from cityrank.model import City

    def digest(*cities):
        return _cities_digest(tuple(cities))

    assert digest(City("a", "ab"), City("b", "c")) != digest(City("a", "a"), City("b", "bc"))
    assert digest(City("a", "x", attributes={"r": ""}), City("b", "y", attributes={"r": "n"})) != \
        digest(City("a", "x"), City("b", "y", attributes={"r": "n"}))
    assert digest(City("a", "x", geonameid=0)) != digest(City("a", "x"))
    assert digest(City("a", "é")) != digest(City("a", "e\u0301"))
    assert digest(City("a", "x"), City("b", "y")) == digest(City("a", "x"), City("b", "y"))


def test_result_arrays_cannot_change_under_it(registry):
    """A result's arrays are read-only; a caller's writable array, or a read-only view of
    one, is copied (writing the original changes nothing); the engine's own are kept."""
    from cityrank.model import hand_over, readonly_array

    mine = np.arange(4.0)
    kept = readonly_array(mine)
    mine[0] = 99.0
    assert kept[0] == 0.0 and not kept.flags.writeable
    view = mine[:2]
    view.setflags(write=False)
    assert readonly_array(view) is not view
    owned = hand_over(np.arange(3.0))
    assert readonly_array(owned) is owned
    from conftest import ROOT

    result = run(load_edition(ROOT / "tests" / "data" / "tiny"), registry)
    for arr in (result.scores, result.ranks, result.indicator_scores, *result.stages.values()):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[...] = 0.0


def test_a_method_parameter_may_be_called_method(registry):
    """``rank:method=n`` (a documented normaliser choice) reaches the normaliser: it crashed the
    host's call, whose own first parameter was named ``method``. Checked against 100·r/n by hand."""
    from conftest import ROOT

    edition = load_edition(ROOT / "tests" / "data" / "tiny")
    result = run(edition, registry, choices=Choices(normaliser=MethodChoice.parse("rank:method=n")))
    treated, normalised = result.stages["treated"], result.stages["normalised"]
    checked = 0
    for j, ind in enumerate(edition.framework.indicators):
        if ind.normaliser is not None:
            continue  # its own normaliser is kept
        checked += 1
        col = treated[:, j] * ind.direction
        present = col[~np.isnan(col)]
        want = [np.nan if np.isnan(v) else 100.0 * (1 + np.sum(present < v)) / len(present) for v in col]
        np.testing.assert_allclose(normalised[:, j], want, rtol=1e-12)
    assert checked


def test_a_country_that_is_no_iso3_code_is_said_where_providers_look_countries_up(registry, tmp_path):
    """Providers look countries up by ISO 3166-1 alpha-3: 'Netherlands' finds nothing, and the
    run says so; without providers the country is only a label and nothing is said."""
    from conftest import tiny_copy

    plain = tiny_copy(tmp_path / "plain", ("cities.csv", ",NLD,", ",Netherlands,"))
    assert not [n for n in run(load_edition(plain), registry).notes if "ISO 3166" in n]
    edits = [("cities.csv", ",NLD,", ",Netherlands,"),
             ("edition.toml", 'name = "Transit lines"', 'name = "Transit lines"\nprovider = "geo.capital"')]
    given = tiny_copy(tmp_path / "given", *edits)  # data.csv has transit: the provider does not run
    assert not [n for n in run(load_edition(given), registry).notes if "ISO 3166" in n]
    folder = tiny_copy(tmp_path / "provided", *edits)
    rows = list(csv.reader((folder / "data.csv").read_text().splitlines()))
    gone = rows[0].index("transit")
    (folder / "data.csv").write_text("".join(",".join(r[:gone] + r[gone + 1:]) + "\n" for r in rows))
    from cityrank.plugins import Registry

    notes = run(load_edition(folder), Registry()).notes  # the installed plugins: geo's providers
    assert any("country 'Netherlands' in the cities file is not an ISO 3166-1 alpha-3 code" in n for n in notes)


def test_a_position_column_of_another_name_is_said_where_providers_run(tmp_path):
    """cities.csv with lat/lng instead of latitude/longitude: the providers find no position
    (scheduled airports are missing for every city) and the run says which column to rename; with
    the columns named as cityrank reads them, nothing is said and the provider has values."""
    from cityrank.plugins import Registry
    from conftest import tiny_copy

    edits = [("edition.toml", 'name = "Transit lines"', 'name = "Transit lines"\nprovider = "transport.scheduled_airports"')]
    named = tiny_copy(tmp_path / "named", *edits)
    renamed = tiny_copy(tmp_path / "renamed", *edits, ("cities.csv", "latitude,longitude", "lat,lng"))
    for folder in (named, renamed):
        rows = list(csv.reader((folder / "data.csv").read_text().splitlines()))
        gone = rows[0].index("transit")
        (folder / "data.csv").write_text("".join(",".join(r[:gone] + r[gone + 1:]) + "\n" for r in rows))
    good = run(load_edition(named), Registry())
    assert not [n for n in good.notes if "no city has a" in n]
    assert not np.isnan(good.stages["raw"][:, good.edition.framework.indicator_ids.index("transit")]).any()
    bad = run(load_edition(renamed), Registry())
    assert np.isnan(bad.stages["raw"][:, bad.edition.framework.indicator_ids.index("transit")]).all()
    assert any("no city has a latitude, but the cities file has 'lat'" in n for n in bad.notes), bad.notes
    assert any("no city has a longitude, but the cities file has 'lng'" in n for n in bad.notes)


def test_a_long_screening_note_names_ten_and_counts_the_rest(tmp_path, registry):
    """Twelve cities screened out: the note names the first ten and counts the other two (it
    listed thousands on one line at scale); the result still holds all twelve."""
    from conftest import tiny_copy

    folder = tiny_copy(tmp_path / "ed", ("edition.toml", 'aggregator = "arithmetic"',
                                         'aggregator = "arithmetic"\nscreen = { min_coverage = 0.8 }'))
    cities = ["id,name,country"] + [f"c{k},City {k},XXX" for k in range(15)]
    data = ["city_id,fibre,speed,transit,congestion"] + [
        f"c{k},1,{100 + k},," if k < 12 else f"c{k},2,{100 + k},{k},{k}" for k in range(15)]
    (folder / "cities.csv").write_text("\n".join(cities) + "\n")
    (folder / "data.csv").write_text("\n".join(data) + "\n")
    result = run(load_edition(folder), registry)
    assert [c for c, _ in result.screened] == [f"c{k}" for k in range(12)]
    note = next(n for n in result.notes if "screened out" in n)
    assert note.startswith("12 cities screened out") and "City 9 (c9, 50%)" in note
    assert "c10," not in note and note.endswith("and 2 more (--format json lists every one)")


def test_tiers_too_small_to_hold_a_city_are_said(registry):
    """Five cities: floor(0.1 × 5) = 0, so the top-10% tier holds no city, and the run says so;
    every city is in a tier that holds cities."""
    from conftest import ROOT

    result = run(load_edition(ROOT / "tests" / "data" / "tiny"), registry)
    assert "top 10%" not in result.tiers
    assert "with 5 ranked cities the tier top 10% holds no city (a tier holds floor(share × n) cities)" in result.notes


def test_notes_count_cities_in_words():
    from cityrank.engine import counted

    assert [counted(1), counted(0), counted(14286), counted(1, "ranked city"), counted(5, "ranked city")] == [
        "1 city", "0 cities", "14286 cities", "1 ranked city", "5 ranked cities"]
