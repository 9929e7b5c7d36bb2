"""Degenerate models in the Monte Carlo: found by hand-checkable cases, counted against the
draws themselves, left out of every statistic (checked against brute force) or kept."""

from __future__ import annotations

import json
import re
import warnings

import attrs
import numpy as np
import pytest

import cityrank
from cityrank.analysis import Assumptions, WeightNoise, acceptability, sensitivity, uncertainty
from cityrank.analysis.sampler import Model, UncertaintyJob, degeneracy
from cityrank.engine import Choices, run
from cityrank.errors import MethodError
from cityrank.formats.spec import load_edition
from cityrank.model import Weights
from conftest import ROOT

# Four cities, each the worst on one indicator (values − min per column are a permutation of
# 0 … 3 with the 0 on the diagonal). Under the rank normaliser the worst city of an indicator
# scores 0, and a geometric mean makes that 0 its domain's and then its index score: all four
# cities score 0 and tie at rank 1. Min-max scores are shifted above 0 under a geometric mean,
# and arithmetic means give index sums 9, 4, 5, 6: no tie.
FOUR = "city_id,i1,i2,i3,i4\na,0,3,3,3\nb,1,0,2,1\nc,2,1,0,2\nd,3,2,1,0\n"
# i3 and i4 in opposite orders: min-max or rank scores of one are 100 less the other's, so
# their arithmetic mean at equal weights is 50 for every city (any other weights separate them)
MIRROR = "city_id,i1,i2,i3,i4\na,0,3,0,3\nb,1,0,1,2\nc,2,1,2,1\nd,3,2,3,0\n"
# i3 and i4 the same for every city: domain "two" scores every city alike under any method
FLAT = "city_id,i1,i2,i3,i4\na,0,3,5,5\nb,1,0,5,5\nc,2,1,5,5\nd,3,2,5,5\n"


def _edition(folder, data: str):
    folder.mkdir()
    (folder / "edition.toml").write_text(
        f'[edition]\nid = "{folder.name}"\ntitle = "Hand-made degenerate case"\n\n'
        '[[domains]]\nid = "one"\n\n[[domains]]\nid = "two"\n\n'
        + "".join(f'[[indicators]]\nid = "i{j}"\ndomain = "{"one" if j < 3 else "two"}"\n\n' for j in range(1, 5)))
    (folder / "cities.csv").write_text("id,name,country\na,A,XXX\nb,B,XXX\nc,C,XXX\nd,D,XXX\n")
    (folder / "data.csv").write_text(data)
    return load_edition(folder)


def _methods(edition, noise="dirichlet"):
    return Assumptions.for_edition(edition, normalisers=["minmax", "rank"], aggregators=["arithmetic", "geometric"],
                                   weights=WeightNoise(noise, 5.0) if noise == "dirichlet" else WeightNoise(noise))


def _count(note: str) -> int:
    return int(re.search(r"left out: ([\d,]+) of", note).group(1).replace(",", ""))


def test_the_three_kinds_of_degenerate_scores():
    """degeneracy() on scores (N, M) made by hand: no city scored; 3 of 5 tied (more than
    half); 2 of 4 tied (half: not most); a domain equal for every city it scores."""
    from types import SimpleNamespace as Node

    fw = Node(nodes=[Node(id="index", parent=None), Node(id="d1", parent="index"), Node(id="d2", parent="index")])
    nan = np.nan
    assert degeneracy(np.full((3, 3), nan), fw) == {"nobody": "no city is scored"}
    tied = np.array([[5, 1, 2], [5, 2, 1], [5, 3, 3], [7, 4, 5], [9, 5, 4]], dtype=float)
    assert degeneracy(tied, fw) == {"tied": "3 of 5 ranked cities tie at rank 3"}
    half = np.array([[5, 1, 2], [5, 2, 1], [6, 3, 3], [7, 4, 5]], dtype=float)
    assert degeneracy(half, fw) == {}
    flat = np.array([[1, 2, 7], [2, 3, 7], [3, 1, nan], [4, 4, 7]], dtype=float)
    assert degeneracy(flat, fw) == {"constant:d2": "'d2' scores every city alike"}


def test_one_combination_that_ties_everyone_is_left_out(tmp_path, registry):
    """Only rank + geometric is degenerate; the statistics are those of a brute-force loop
    (one full pipeline run per sample) over the samples whose draws are not rank + geometric."""
    edition = _edition(tmp_path / "four", FOUR)
    assumptions = _methods(edition)
    model = Model(edition, registry, assumptions)
    assert model.reasons == {(0, 1, 1): "4 of 4 ranked cities tie at rank 1"}
    samples, seed = 300, 4
    result = uncertainty(edition, registry, samples=samples, seed=seed, assumptions=assumptions, top=0.5)
    d = model.draw(seed, 0)
    bad = (d["normaliser"][:samples] == 1) & (d["aggregator"][:samples] == 1)
    assert 0 < bad.sum() < samples and result.left_out == bad.sum() == _count(result.notes[0])
    assert "rank + aggregator geometric" in result.notes[0] and "4 of 4 ranked cities tie" in result.notes[0]
    ranks = []
    for s in np.flatnonzero(~bad):
        values = dict(edition.weights.values)
        for node, w in d["weights"].items():
            values.update(zip([c.id for c in edition.framework.children(node)], w[s], strict=True))
        choices = Choices(normaliser=assumptions.normalisers[d["normaliser"][s]],
                          aggregator=assumptions.aggregators[d["aggregator"][s]])
        ranks.append(run(attrs.evolve(edition, weights=Weights(values)), registry, choices=choices).rank())
    ranks = np.array(ranks)
    np.testing.assert_array_equal(result.median, np.quantile(ranks, 0.5, axis=0))
    np.testing.assert_allclose(result.p05, np.quantile(ranks, 0.05, axis=0))
    np.testing.assert_allclose(result.p95, np.quantile(ranks, 0.95, axis=0))
    np.testing.assert_allclose(result.mean, ranks.mean(axis=0))
    np.testing.assert_allclose(result.top_share, (ranks <= 2).mean(axis=0))
    # kept: every degenerate sample puts all four cities at rank 1, in the top half
    kept = uncertainty(edition, registry, samples=samples, seed=seed, assumptions=assumptions, top=0.5,
                       keep_degenerate=True)
    assert kept.left_out == 0 and kept.notes[0].startswith("degenerate models kept, as asked")
    np.testing.assert_allclose(kept.top_share * samples, bad.sum() + (ranks <= 2).sum(axis=0))


def test_acceptability_and_sensitivity_leave_them_out_too(tmp_path, registry):
    edition = _edition(tmp_path / "four", FOUR)
    assumptions = _methods(edition)
    samples, seed = 400, 2
    r = acceptability(edition, registry, samples=samples, seed=seed, assumptions=assumptions)
    bad = int(_count(r.notes[0]))
    assert r.left_out == bad > 0
    # every city is ranked in every sample kept: its acceptabilities sum to 1, its firsts to
    # the share of samples kept in which some city is first (all of them)
    np.testing.assert_allclose(r.acceptability.sum(axis=1), 1.0)
    assert r.first_share.sum() == pytest.approx(1.0)
    kept = acceptability(edition, registry, samples=samples, seed=seed, assumptions=assumptions, keep_degenerate=True)
    # kept, the degenerate samples make all four first: b_i^1 counts them for every city
    np.testing.assert_allclose(kept.acceptability[:, 0] * samples, bad + r.acceptability[:, 0] * (samples - bad))

    # sensitivity: a base row goes when any of its runs is rank + geometric, i.e. when rank is
    # among its two normalisers (A's, B's) and geometric among its two aggregators:
    # P = (1 − (1/2)²)² = 9/16 with two equally likely alternatives each
    n = 2000
    s = sensitivity(edition, registry, samples=n, seed=1, assumptions=assumptions, bootstrap=0)
    assert s.factors == ("weights", "normaliser", "aggregator")
    assert abs(s.left_out - 9 / 16 * n) < 4 * np.sqrt(n * 9 / 16 * 7 / 16)
    assert f"{s.left_out:,} of {n:,} base samples" in s.notes[0]
    assert np.all(np.isfinite(s.first)) and np.all(np.isfinite(s.total))


def test_a_domain_equal_for_every_city_at_the_nominal_weights_only(tmp_path, registry):
    """MIRROR's domain 'two' is 50 for every city under arithmetic at equal weights: with fixed
    weights every sample has it (degenerate); with weight noise almost none does (not)."""
    edition = _edition(tmp_path / "mirror", MIRROR)
    fixed = Model(edition, registry, _methods(edition, "none"))
    assert fixed.reasons[0, 0, 0] == fixed.reasons[0, 1, 0] == "'two' scores every city alike"
    assert not fixed.degenerate[0, 0, 1]  # min-max + geometric: √(x(100 − x)) differs
    noisy = Model(edition, registry, _methods(edition))
    assert not noisy.degenerate[:, :, 0].any() and noisy.degenerate[0, 1, 1]  # rank + geometric: 3 tie at 0


def test_every_sample_degenerate_is_a_clear_error(tmp_path, registry, fresh_cli):
    edition = _edition(tmp_path / "flat", FLAT)
    with pytest.raises(MethodError, match=r"every one of the 50 samples is of a degenerate model .*'two' scores "
                                          r"every city alike.*--keep-degenerate"):
        uncertainty(edition, registry, samples=50, assumptions=_methods(edition))
    with pytest.raises(MethodError, match="every one of the 50 base samples"):
        sensitivity(edition, registry, samples=50, assumptions=_methods(edition))
    out = fresh_cli("uncertainty", edition.path, "--samples", "50", "--format", "json")
    assert out.exit_code == 2 and out.stdout == "" and len(out.stderr.strip().splitlines()) == 1
    kept = fresh_cli("uncertainty", edition.path, "--samples", "50", "--keep-degenerate", "--format", "json")
    assert kept.exit_code == 0 and "degenerate models kept" in json.loads(kept.stdout)["notes"][0]


def test_same_seed_same_result_whatever_chunks_and_workers(tmp_path, registry):
    edition = _edition(tmp_path / "four", FOUR)
    kwargs = {"samples": 2500, "seed": 9, "assumptions": _methods(edition), "top": 0.5}
    a = uncertainty(edition, registry, **kwargs)
    b = uncertainty(edition, registry, chunk_size=37, workers=2, **kwargs)
    assert a.left_out == b.left_out > 0 and a.notes == b.notes
    for field in ("median", "p05", "p95", "mean", "top_share"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = acceptability(edition, registry, **kwargs)
    e = acceptability(edition, registry, chunk_size=100, workers=2, **kwargs)
    np.testing.assert_array_equal(c.acceptability, e.acceptability)
    np.testing.assert_array_equal(c.confidence, e.confidence)
    s1 = sensitivity(edition, registry, samples=300, seed=3, assumptions=kwargs["assumptions"], bootstrap=50)
    s2 = sensitivity(edition, registry, samples=300, seed=3, assumptions=kwargs["assumptions"], bootstrap=50,
                     chunk_size=7, workers=2)
    assert s1.left_out == s2.left_out > 0
    np.testing.assert_array_equal(s1.first, s2.first)
    np.testing.assert_array_equal(s1.total_ci, s2.total_ci)
    # the draws do not depend on what is left out: kept rows are the rows of a run keeping all
    model = Model(edition, registry, kwargs["assumptions"])
    left = UncertaintyJob(edition, model.assumptions, None, 9)(model, (100, 900))
    every = UncertaintyJob(edition, model.assumptions, None, 9, keep_degenerate=True)(model, (100, 900))
    gone = ~left.any(axis=1)
    assert gone.any() and (every[gone] == 1).all()  # left out: the rows where all four tie
    np.testing.assert_array_equal(left[~gone], every[~gone])


@pytest.fixture(scope="module")
def brics():
    return cityrank.load("brics-2024")


def test_brics_rank_with_geometric_is_left_out(brics):
    """The README's alternatives on brics-2024: rank + geometric ties 137 of 138 cities at
    rank 2, so kept it puts every city in the top 10 % of each such sample (the last, rank 138,
    included); left out, the statistics are those of the other samples' ranks."""
    samples = 1000
    kwargs = {"normalisers": "minmax;rank", "aggregators": "arithmetic;geometric"}
    with pytest.warns(cityrank.CityrankWarning, match="degenerate models left out") as caught:
        left = brics.uncertainty(samples, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cityrank.CityrankWarning)
        kept = brics.uncertainty(samples, keep_degenerate=True, **kwargs).result
    note = next(str(w.message) for w in caught if "degenerate" in str(w.message))
    left = left.result
    # independent count: the samples whose drawn choices are rank and geometric
    model = Model(brics.spec, brics.registry, left.assumptions)
    d = UncertaintyJob(brics.spec, left.assumptions, None, 0, keep_degenerate=True).draws(model, (0, samples))
    normalisers = [str(c) for c in left.assumptions.normalisers]
    aggregators = [str(c) for c in left.assumptions.aggregators]
    bad = (d["normaliser"] == normalisers.index("rank")) & (d["aggregator"] == aggregators.index("geometric"))
    assert 0 < bad.sum() < samples
    assert _count(note) == left.left_out == bad.sum() and "137 of 138 ranked cities tie at rank 2" in note
    # the statistics of the samples left, computed from every sample's ranks
    ranks = UncertaintyJob(brics.spec, left.assumptions, None, 0, keep_degenerate=True)(model, (0, samples))
    good = ranks[~bad].astype(float)
    np.testing.assert_array_equal(left.median, np.quantile(good, 0.5, axis=0))
    np.testing.assert_allclose(left.p05, np.quantile(good, 0.05, axis=0))
    np.testing.assert_allclose(left.p95, np.quantile(good, 0.95, axis=0))
    np.testing.assert_allclose(left.top_share, (good <= 13).mean(axis=0))
    # kept: today's statistics over all the samples, and every city in the top in each degenerate one
    np.testing.assert_array_equal(kept.median, np.quantile(ranks, 0.5, axis=0))
    np.testing.assert_allclose(kept.mean, ranks.mean(axis=0))
    np.testing.assert_allclose(kept.top_share * samples, bad.sum() + (good <= 13).sum(axis=0))
    last = int(np.nanargmax(left.nominal))  # the city ranked last (Bazhong in the city set)
    assert left.nominal[last] == 138
    assert kept.top_share[last] == pytest.approx(bad.mean()) and left.top_share[last] < 0.01


def test_sensitivity_says_when_its_table_is_trivial(fresh_cli, tmp_path):
    only_weights = fresh_cli("sensitivity", "brics-2024", "--samples", "50", "--bootstrap", "0", "--format", "json")
    notes = json.loads(only_weights.stdout)["notes"]
    assert any(n.startswith("only weights varies: it explains all the variance") for n in notes)
    assert "warning: only weights varies" in only_weights.stderr
    folder = tmp_path / "single"  # one domain of one indicator: no weight to share out
    folder.mkdir()
    (folder / "edition.toml").write_text('[edition]\nid = "single"\ntitle = "One indicator"\n\n[[domains]]\n'
                                         'id = "d"\n\n[[indicators]]\nid = "x"\ndomain = "d"\n')
    (folder / "cities.csv").write_text("id,name,country\na,A,XXX\nb,B,XXX\nc,C,XXX\n")
    (folder / "data.csv").write_text("city_id,x\na,1\nb,2\nc,3\n")
    out = fresh_cli("sensitivity", folder, "--samples", "20", "--bootstrap", "0", "--format", "json")
    assert any("no node has two or more children" in n for n in json.loads(out.stdout)["notes"])


def test_every_command_says_it_and_keeps_on_request(fresh_cli, tmp_path):
    edition = _edition(tmp_path / "four", FOUR)
    args = ["--samples", "200", "--normalisers", "minmax;rank", "--aggregators", "arithmetic;geometric"]
    for command in ("uncertainty", "acceptability", "sensitivity"):
        left = fresh_cli(command, edition.path, *args, "--format", "json")
        kept = fresh_cli(command, edition.path, *args, "--keep-degenerate", "--format", "json")
        assert left.exit_code == kept.exit_code == 0, command
        assert json.loads(left.stdout)["notes"][0].startswith("degenerate models left out"), command
        assert json.loads(kept.stdout)["notes"][0].startswith("degenerate models kept, as asked"), command
        assert "warning: degenerate models left out" in fresh_cli(command, edition.path, *args).stderr, command


def test_without_a_degenerate_model_keeping_them_changes_nothing(fresh_cli):
    """tiny's minmax and rank under its aggregators tie no one: the option has nothing to do,
    and every output is the same, to the byte, with it or without."""
    tiny = ROOT / "tests" / "data" / "tiny"
    for command in ("uncertainty", "acceptability", "sensitivity"):
        args = [command, tiny, "--samples", "300", "--normalisers", "minmax;rank", "--format", "json"]
        left, kept = fresh_cli(*args), fresh_cli(*args, "--keep-degenerate")
        assert left.exit_code == 0 and left.stdout == kept.stdout, command
        assert "degenerate" not in left.stdout + left.stderr, command


def test_keep_degenerate_is_a_yes_or_no(registry):
    ed = cityrank.load(ROOT / "tests" / "data" / "tiny", registry=registry)
    for method in (ed.uncertainty, ed.sensitivity, ed.acceptability):
        with pytest.raises(cityrank.CityrankError, match="keep_degenerate: expected True or False, not 'no'"):
            method(10, keep_degenerate="no")
