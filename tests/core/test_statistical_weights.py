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


@pytest.mark.parametrize("normalize", [True, False])
def test_varimax_is_an_orthogonal_rotation_that_raises_the_criterion(normalize):
    """Either way an orthogonal rotation that keeps the communalities; it raises the varimax
    criterion of the loadings, or with Kaiser's normalisation that of the loadings with each
    row scaled to unit length (what the normalised rotation maximises)."""
    loadings = RNG.normal(size=(8, 3))
    rotated, rotation = sw.varimax(loadings, normalize=normalize)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(rotated, loadings @ rotation)
    np.testing.assert_allclose((rotated**2).sum(axis=1), (loadings**2).sum(axis=1))  # communalities unchanged

    def criterion(a):
        if normalize:
            a = a / np.sqrt((a**2).sum(axis=1, keepdims=True))
        return float(np.sum(np.var(a**2, axis=0)))

    assert criterion(rotated) >= criterion(loadings) - 1e-12
    for angle in np.linspace(0, np.pi / 2, 7):  # no rotation of a pair of its factors does better
        c, s_ = np.cos(angle), np.sin(angle)
        turn = np.eye(3)
        turn[:2, :2] = [[c, -s_], [s_, c]]
        assert criterion(rotated) >= criterion(rotated @ turn) - 1e-9


def test_retention_rules_on_known_eigenvalues():
    """The rules read eigenvalues in order: the share rule keeps factors over 10 % each, the
    eigenvalue rule those over 1, both needs the two; each then adds factors until they
    explain over 60 % together."""
    values = [3.0, 1.5, 0.9, 0.6, 0.4, 0.3, 0.2, 0.1]  # 7 items: shares 43 %, 21 %, 13 %, 9 %, ...
    values = np.array(values[:7]) / sum(values[:7]) * 7
    assert sw.retained(values, "share") == 3
    assert sw.retained(values, "eigenvalue") == 2 == sw.retained(values, "both")
    flat = np.full(12, 1.0)  # twelve equal eigenvalues of 8.3 %: none passes; eight explain over 60 %
    assert sw.retained(flat, "share") == 8 and sw.retained(flat, "share", min_cumulative=0) == 1
    assert sw.retained(values, "eigenvalue", min_eigenvalue=0.5) == 4


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
    with pytest.raises(ValueError, match="at most 5 factors"):
        sw.pca(ITEMS, X, factors=6)
    for bad in (0, 2.5, True, "two"):
        with pytest.raises(ValueError, match="factors must be a whole number"):
            sw.pca(ITEMS, X, factors=bad)
    with pytest.raises(ValueError, match="retain must be one of share, eigenvalue, both"):
        sw.fa(ITEMS, X, retain="kaiser")
    with pytest.raises(ValueError, match="min_share must be a number from 0 to 1"):
        sw.pca(ITEMS, X, min_share=10)


@pytest.mark.parametrize("kind", ["entropy", "critic", "optimal", "pca", "fa"])
def test_one_child_takes_all_the_weight(kind):
    """Nothing to weigh a single child against: weight 1, even when it does not vary (pca
    failed with "0-dimensional array given", critic and the others with no weights)."""
    for column in (X[:, :1], np.ones((30, 1))):
        result = getattr(sw, kind)(("a",), column)
        assert result.weights.tolist() == [1.0] and "single child" in result.diagnostics["note"]
    with pytest.raises(ValueError, match="one column per item"):
        getattr(sw, kind)(("a",), X[:, :2])
    if kind in ("pca", "fa"):  # "pca:factors=2" for every node leaves a single child its weight 1
        assert getattr(sw, kind)(("a",), X[:, :1], factors=2).weights.tolist() == [1.0]


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


def test_a_spec_chooses_the_factors_and_a_node_with_one_child_weighs_it_one(tmp_path, registry, fresh_cli):
    """[weights] method = "pca:factors=1" keeps one factor at every node (weights as pca with
    factors=1 computes them from the scores, here again); a domain with a single indicator gets
    weight 1 instead of failing; more factors than a node has children is a clean error."""
    from cityrank.engine import run
    from cityrank.formats.spec import load_edition
    from conftest import tiny_copy

    solo = ("edition.toml", 'domain = "digital"\nunit = "Mbit/s"', 'domain = "solo"\nunit = "Mbit/s"')
    extra = ("edition.toml", "[[indicators]]", '[[domains]]\nid = "solo"\nname = "Speed alone"\n\n[[indicators]]')
    folder = tiny_copy(tmp_path / "ed", solo, extra, ("edition.toml", "year = 2024",
                                                       'year = 2024\n\n[weights]\nmethod = "pca:factors=1"'))
    ed = load_edition(folder / "edition.toml")
    result = run(ed, registry)
    assert result.weights.values["speed"] == 1.0
    top = [c.id for c in ed.framework.children("index")]
    scores = np.column_stack([result.score(d) for d in top])
    expected = sw.pca(tuple(top), scores, factors=1)
    assert expected.diagnostics["factors"] == 1
    np.testing.assert_allclose([result.weights.values[d] for d in top], expected.weights, rtol=1e-12)
    too_many = tiny_copy(tmp_path / "more", ("edition.toml", "year = 2024",
                                             'year = 2024\n\n[weights.nodes]\ndigital = "pca:factors=3"'))
    out = fresh_cli("run", too_many)
    assert out.exit_code == 2 and "node 'digital'" in out.stderr and "at most 2 factors" in out.stderr


def test_cli_chooses_the_factors_and_the_rule(fresh_cli, registry):
    """cityrank weights pca EDITION --factors N / --retain RULE: the weights pca gives the
    index's children's scores with those choices, and the diagnostics say which."""
    import cityrank
    from conftest import ROOT

    tiny = ROOT / "tests" / "data" / "tiny"
    ed = cityrank.load(tiny / "edition.toml", registry=registry)
    kids, scores, _ = ed.run().children("index")
    for args, params in ((["--factors", "1"], {"factors": 1}), (["--retain", "both"], {"retain": "both"}),
                         ([], {})):
        out = fresh_cli("weights", "pca", tiny, *args, "--format", "json")
        assert out.exit_code == 0, out.stderr
        got = json.loads(out.stdout)
        want = sw.pca(tuple(kids), scores, **params)
        np.testing.assert_allclose(got["weights"], want.weights, rtol=1e-12)
        assert got["factors"] == want.diagnostics["factors"]
        assert got["retain"] == ("factors" if "factors" in params else params.get("retain", "share"))
    bad = fresh_cli("weights", "fa", tiny, "--factors", "0")
    assert bad.exit_code == 2 and "--factors" in bad.stderr
    assert fresh_cli("weights", "entropy", tiny, "--factors", "1").exit_code == 2  # only the factor analyses
