"""Statistical weights against pymcdm, the definitions, and varimax's own properties."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cityrank.methods import statistical as sw

RNG = np.random.default_rng(3)
X = RNG.uniform(1, 100, size=(30, 5))
ITEMS = tuple("abcde")


def test_entropy_and_critic_match_pymcdm():
    pymcdm = pytest.importorskip("pymcdm.weights")
    np.testing.assert_allclose(sw.entropy(ITEMS, X).weights, pymcdm.entropy_weights(X), rtol=1e-12)
    np.testing.assert_allclose(sw.critic(ITEMS, X).weights, pymcdm.critic_weights(X), rtol=1e-12)


def test_entropy_and_critic_match_scikit_criteria():
    skc = pytest.importorskip("skcriteria")
    from skcriteria.preprocessing.weighters import CRITIC, EntropyWeighter

    dm = skc.mkdm(X, objectives=[max] * 5)
    np.testing.assert_allclose(sw.entropy(ITEMS, X).weights, EntropyWeighter().transform(dm).weights.to_numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(sw.critic(ITEMS, X).weights, CRITIC().transform(dm).weights.to_numpy(), rtol=1e-12)


def test_entropy_by_hand():
    """Two items: one equal in every city (entropy 1, weight 0), one concentrated."""
    data = np.array([[1.0, 1.0], [1.0, 2.0], [1.0, 7.0]])
    w = sw.entropy(("flat", "peaked"), data).weights
    np.testing.assert_allclose(w, [0.0, 1.0], atol=1e-12)


def test_varimax_is_an_orthogonal_rotation_that_raises_the_criterion():
    loadings = RNG.normal(size=(8, 3))
    rotated, rotation = sw.varimax(loadings)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(rotated, loadings @ rotation)
    np.testing.assert_allclose((rotated**2).sum(axis=1), (loadings**2).sum(axis=1))  # communalities unchanged

    def criterion(a):
        return float(np.sum(np.var(a**2, axis=0)))

    assert criterion(rotated) >= criterion(loadings) - 1e-12


def test_pca_weights_follow_two_blocks_of_correlated_indicators():
    """Indicators a, b, c load on one factor and d, e on another: two factors are retained,
    each indicator goes to its own block's factor, and the weights sum to one."""
    f1, f2 = RNG.normal(size=(2, 200))
    noise = RNG.normal(scale=0.3, size=(200, 5))
    data = np.column_stack([f1, f1, f1, f2, f2]) + noise
    result = sw.pca(ITEMS, data)
    d = result.diagnostics
    assert d["factors"] == 2
    assert d["factor_of"][0] == d["factor_of"][1] == d["factor_of"][2] != d["factor_of"][3] == d["factor_of"][4]
    assert result.weights.sum() == pytest.approx(1.0) and np.all(result.weights > 0)
    assert sw.fa(ITEMS, data).diagnostics["factors"] == 2


def test_statistical_weights_refuse_what_they_cannot_do():
    with pytest.raises(ValueError, match="at least 3 cities"):
        sw.entropy(ITEMS, X[:2])
    with pytest.raises(ValueError, match="does not vary"):
        sw.pca(ITEMS, np.column_stack([X[:, :4], np.ones(30)]))


def _tiny(tmp_path, extra):
    from conftest import tiny_copy

    return tiny_copy(tmp_path / "ed", ("edition.toml", "year = 2024", "year = 2024" + extra.replace("\n[", "\n\n[", 1)))


def test_weights_from_the_data_in_a_spec(tmp_path, registry):
    """[weights] method = "critic": each node's children get CRITIC weights of their scores,
    bottom-up; a weights file given by the user still has the last word."""
    from cityrank.engine import run
    from cityrank.formats.spec import load_edition

    ed = load_edition(_tiny(tmp_path, '\n[weights]\nmethod = "critic"\n'))
    result = run(ed, registry)
    fw = ed.framework
    kids = [c.id for c in fw.children("traditional")]
    data = np.column_stack([result.indicator_scores[:, fw.indicator_ids.index(k)] for k in kids])
    expected = sw.critic(tuple(kids), data).weights
    got = np.array([result.weights.values[k] for k in kids])
    np.testing.assert_allclose(got / got.sum(), expected, rtol=1e-12)
    top = [c.id for c in fw.children("index")]
    dom = np.column_stack([result.score(d) for d in top])
    np.testing.assert_allclose([result.weights.values[d] for d in top], sw.critic(tuple(top), dom).weights, rtol=1e-12)
    assert any(m["stage"] == "weighting" and m["method"] == "critic" for m in result.methods)
    w = tmp_path / "w.csv"
    w.write_text("id,weight\ndigital,9\n")
    assert run(ed, registry, weights_file=w).weights.values["digital"] == 9


def test_the_framework_table_shows_the_weights_computed_from_data(tmp_path, registry):
    """Edition.framework() gives a data-weighted node's children the weights the run used
    (CRITIC of their scores, computed here again), not the weights the spec writes."""
    import cityrank

    folder = _tiny(tmp_path, '\n[weights.nodes]\ntraditional = "critic"\n')
    ed = cityrank.load(folder / "edition.toml", registry=registry)
    table = ed.framework()
    result = ed.run().result
    fw = ed.spec.framework
    kids = [c.id for c in fw.children("traditional")]
    data = np.column_stack([result.indicator_scores[:, fw.indicator_ids.index(k)] for k in kids])
    expected = sw.critic(tuple(kids), data).weights
    got = np.array([table.loc[k, "weight"] for k in kids])
    np.testing.assert_allclose(got / got.sum(), expected, rtol=1e-12)
    assert not np.allclose(got / got.sum(), 0.5)  # the spec's own weights are equal
    assert table.loc["digital", "weight"] == 2  # a node without a weighting keeps the spec's
    from click.testing import CliRunner

    from cityrank.cli import build_cli

    shown = json.loads(CliRunner().invoke(build_cli(), ["show", str(folder), "--format", "json"]).stdout)
    tree = {e["id"]: e["weight"] for e in shown["framework"]}
    assert [tree[k] for k in kids] == list(got)  # `cityrank show` gives the same weights


def test_weights_per_node_and_bad_names(tmp_path, registry, fresh_cli):
    from cityrank.engine import run
    from cityrank.formats.spec import load_edition

    ed = load_edition(_tiny(tmp_path, '\n[weights.nodes]\ndigital = "entropy"\n'))
    result = run(ed, registry)
    assert result.weights.values["traditional"] == 1  # untouched
    bad = _tiny(tmp_path / "b", '\n[weights.nodes]\ncyber = "entropy"\n')
    out = fresh_cli("run", bad)
    assert out.exit_code == 2 and "unknown node 'cyber'" in out.stderr
    unknown = _tiny(tmp_path / "c", '\n[weights]\nmethod = "entropie"\n')
    out = fresh_cli("run", unknown)
    assert out.exit_code == 2 and "unknown weighting 'entropie'" in out.stderr


def test_cli_statistical_weights(fresh_cli):
    import json

    from conftest import ROOT

    out = fresh_cli("weights", "entropy", ROOT / "tests" / "data" / "tiny", "--node", "digital", "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["items"] == ["fibre", "speed"] and sum(data["weights"]) == pytest.approx(1)
    assert fresh_cli("weights", "pca", ROOT / "tests" / "data" / "tiny", "--node", "nowhere").exit_code == 2


def test_optimal_weights_equalise_the_correlations():
    """Two indicators of very different spread: equal weights let the wide one dominate the
    mean; optimal weights bring their correlations with the mean close to equal."""
    pytest.importorskip("scipy")
    a = RNG.normal(size=300) * 10
    b = RNG.normal(size=300)
    data = np.column_stack([a, b])
    equal_parent = data.mean(axis=1)
    r_equal = [np.corrcoef(data[:, j], equal_parent)[0, 1] for j in range(2)]
    assert abs(r_equal[0] - r_equal[1]) > 0.5
    res = sw.optimal(("a", "b"), data)
    r = res.diagnostics["correlations"]
    assert abs(r[0] - r[1]) < 0.02 and res.weights[1] > res.weights[0]
    parent = data @ res.weights  # the diagnostics are the correlations of these weights
    np.testing.assert_allclose(r, [np.corrcoef(data[:, j], parent)[0, 1] for j in range(2)], rtol=1e-9)


def test_first_principal_component_matches_coinr_pca_weights():
    """COINr's get_PCA weights of the ASEM pillars are the first principal component of each
    pillar's normalised indicators: the eigen step of our pca reproduces them (up to sign)."""
    import csv

    from asem import indicator_ids, matrix, meta, units
    from conftest import oracle_file

    ids, us = indicator_ids(), units()
    x = matrix(oracle_file("coinr_asem", "expected", "pipeline_default", "Normalised.csv"), us, ids)
    with oracle_file("coinr_asem", "expected", "analysis", "pca_weights_level1_bygroups.csv").open() as fh:
        want = {r["iCode"]: float(r["Weight"]) for r in csv.DictReader(fh)}
    parent = {r["iCode"]: r["Parent"] for r in meta() if r["Type"] == "Indicator"}
    for group in sorted(set(parent.values())):
        cols = [j for j, i in enumerate(ids) if parent[i] == group]
        pc1 = np.array(sw.pca(tuple(ids[j] for j in cols), x[:, cols]).diagnostics["pc1"])
        expected = np.array([want[ids[j]] for j in cols])
        sign = 1.0 if pc1 @ expected >= 0 else -1.0
        np.testing.assert_allclose(sign * pc1, expected, atol=1e-12)


def test_principal_axis_factoring_keeps_only_factors_that_explain_variance():
    """Two items: the reduced correlation matrix of principal-axis factoring has rank one, so
    a second factor explains nothing (it gave 0/0 weights). Retained by the Handbook's rules,
    one factor is kept, whose loadings are both √|r| (equal weights); asked for explicitly,
    two factors are an error that says so."""
    rng = np.random.default_rng(4)
    for _ in range(5):
        u, v = rng.normal(size=(2, 12))
        u, v = u - u.mean(), v - v.mean()
        v -= (u @ v) / (u @ u) * u  # orthogonal to u, then as long
        v *= np.linalg.norm(u) / np.linalg.norm(v)
        c = rng.uniform(-0.15, 0.15)
        x = np.column_stack([u, c * u + v])  # correlation c/√(1 + c²): the rules retain two factors
        r = np.corrcoef(x, rowvar=False)[0, 1]
        assert r == pytest.approx(c / np.sqrt(1 + c * c))
        assert sw.pca(("a", "b"), x).diagnostics["factors"] == 2
        result = sw.pca(("a", "b"), x, method="fa")
        assert result.diagnostics["factors"] == 1
        np.testing.assert_allclose(np.abs(result.diagnostics["loadings"]), np.sqrt(abs(r)), rtol=1e-6)
        np.testing.assert_allclose(result.weights, [0.5, 0.5], rtol=1e-9)
        with pytest.raises(ValueError, match="factor 2 of 2 explains no variance"):
            sw.pca(("a", "b"), x, method="fa", factors=2)
