"""SMAA-2 against the samples themselves, computed again by brute force."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cityrank.analysis import Assumptions, WeightNoise, acceptability, uncertainty
from cityrank.analysis.sampler import BLOCK, Model
from cityrank.formats.spec import load_edition
from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"


def _brute(edition, registry, assumptions, samples, seed):
    """Every sample's ranks and node weights, from the model's own draws, one sample at a time."""
    model = Model(edition, registry, assumptions)
    d = model.draw(seed, 0)
    ranks = np.array([model.evaluate(d["imputation"][s:s + 1], d["normaliser"][s:s + 1], d["aggregator"][s:s + 1],
                                     {n: w[s:s + 1] for n, w in d["weights"].items()})[0] for s in range(samples)])
    return model, d, ranks


def test_acceptability_and_central_weights_by_brute_force(registry):
    edition = load_edition(TINY)
    assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", 5.0))
    samples = 400
    assert samples <= BLOCK
    result = acceptability(edition, registry, samples=samples, seed=2, assumptions=assumptions)
    _, d, ranks = _brute(edition, registry, assumptions, samples, 2)
    for r in range(1, 6):
        np.testing.assert_allclose(result.acceptability[:, r - 1], (ranks == r).mean(axis=0))
    np.testing.assert_allclose(result.acceptability.sum(axis=1), 1.0)
    first = ranks == 1
    for node, w in d["weights"].items():
        for i in np.flatnonzero(first.any(axis=0)):
            np.testing.assert_allclose(result.central_first[node][i], w[:samples][first[:, i]].mean(axis=0))
    never = ~first.any(axis=0)
    assert np.all(np.isnan(result.confidence[never]))
    # only the weights vary: with its central weights a city is first or not, nothing between
    assert set(result.confidence[~never]) <= {0.0, 1.0}
    np.testing.assert_allclose(result.first_share, first.mean(axis=0))
    same = uncertainty(edition, registry, samples=samples, seed=2, assumptions=assumptions)  # the same samples
    np.testing.assert_allclose(same.median, np.median(ranks, axis=0))


def test_confidence_with_method_alternatives_is_a_share(registry):
    edition = load_edition(TINY)
    assumptions = Assumptions.for_edition(edition, normalisers=["minmax", "rank"], weights=WeightNoise("dirichlet", 5.0))
    result = acceptability(edition, registry, samples=300, seed=4, assumptions=assumptions, confidence_samples=300)
    model, d, _ = _brute(edition, registry, assumptions, 300, 4)
    i = int(np.nanargmax(result.first_share))
    w = {node: np.broadcast_to(c[i], (300, c.shape[1])) for node, c in result.central_first.items()}
    ranks = model.evaluate(d["imputation"][:300], d["normaliser"][:300], d["aggregator"][:300], w)
    assert result.confidence[i] == pytest.approx(np.mean(ranks[:, i] == 1))


def test_acceptability_cli_and_api(fresh_cli, registry):
    out = fresh_cli("acceptability", TINY, "--samples", "300", "--seed", "1", "--format", "json")
    assert out.exit_code == 0, out.stderr
    rows = json.loads(out.stdout)["cities"]
    assert len(rows) == 5 and sum(r["rank_1"] for r in rows) == pytest.approx(1.0)
    import cityrank

    table = cityrank.load(TINY, registry=registry).acceptability(300, seed=1).table()
    assert table.loc[rows[0]["id"], "rank_1"] == rows[0]["rank_1"]
    assert fresh_cli("acceptability", TINY, "--samples", "10", "--format", "csv").stdout.startswith("id,name,")


def test_smaa_of_three_cities_by_hand(tmp_path, registry):
    """A = (100, 0), B = (0, 100), C = (60, 60) after min-max, weights (w, 1 − w) with w
    uniform (Dirichlet(1, 1)): A is first for w > 0.6, C for 0.4 < w < 0.6, B for w < 0.4;
    A is last for w < 0.5 (below both B and C). So b_A = b_B = (0.4, 0.1, 0.5),
    b_C = (0.2, 0.8, 0), the central weight of A's firsts is
    E[w | w > 0.6] = 0.8, and with only the weights varying its confidence factor is 1."""
    folder = tmp_path / "three"
    folder.mkdir()
    (folder / "edition.toml").write_text(
        '[edition]\nid = "three"\ntitle = "Three cities (a hand-solved SMAA case)"\n\n'
        '[[domains]]\nid = "d"\n\n[[indicators]]\nid = "x"\ndomain = "d"\n\n[[indicators]]\nid = "y"\ndomain = "d"\n')
    (folder / "cities.csv").write_text("id,name,country\na,A,XXX\nb,B,XXX\nc,C,XXX\n")
    (folder / "data.csv").write_text("city_id,x,y\na,10,0\nb,0,10\nc,6,6\n")
    edition = load_edition(folder)
    assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", 2.0))
    r = acceptability(edition, registry, samples=20000, seed=5, assumptions=assumptions)
    a, b, c = 0, 1, 2
    np.testing.assert_allclose(r.acceptability[a], [0.4, 0.1, 0.5], atol=0.015)
    np.testing.assert_allclose(r.acceptability[c], [0.2, 0.8, 0.0], atol=0.015)
    np.testing.assert_allclose(r.acceptability[b], [0.4, 0.1, 0.5], atol=0.015)
    assert r.central_first["d"][a, 0] == pytest.approx(0.8, abs=0.01)
    assert r.central_first["d"][c, 0] == pytest.approx(0.5, abs=0.01)
    assert r.confidence[a] == 1.0 and r.confidence[c] == 1.0


def test_acceptability_does_not_depend_on_chunks_or_threads(registry):
    """The same seed gives the same result to the last bit, whatever the chunk size and the
    threads: central weights are summed in fixed point (float sums differed in their last bits)."""
    import cityrank

    ed = cityrank.load("brics-2024")
    base = ed.acceptability(300, seed=3, chunk_size=1000).rows()
    for kwargs in ({"chunk_size": 7}, {"chunk_size": 64, "workers": 2}, {}):
        assert ed.acceptability(300, seed=3, **kwargs).rows() == base, kwargs
