"""Benefit of the doubt against the frontier only, and Kemeny–Young beyond the exact size,
each against the plain definition: one LP per city over every city, every order of the cities."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from conftest import ROOT

mcda = pytest.importorskip("cityrank_mcda.methods")


def bod_reference(x, w, lower=0.0, bench=None, only=None):
    """Benefit of the doubt as defined: for each city, max_w w·x_i over the indicators it has,
    subject to w·x_j ≤ 1 for every city j (a missing value as 0) and w ≥ 0, one LP each.
    ``bench``: the rows constraining every city instead of all cities; ``only``: the cities
    solved (NaN for the others)."""
    from scipy.optimize import linprog

    present = ~np.isnan(x)
    w = np.asarray(w, dtype=float) / np.sum(w)
    data = np.where(present, x, 0.0)
    bench = data if bench is None else bench
    out = np.full(len(x), np.nan)
    for i in range(len(x)) if only is None else only:
        keep = present[i]
        if not (keep & (w > 0)).any():
            continue
        r, nom = data[i, keep], w[keep] / w[keep].sum()
        a, b = [bench[:, keep]], [np.ones(len(bench))]
        if lower > 0:
            a.append(lower * nom[:, None] * r[None, :] - np.diag(r))
            b.append(np.zeros(len(r)))
        res = linprog(-r, A_ub=np.vstack(a), b_ub=np.concatenate(b), bounds=(0, None), method="highs")
        assert res.status == 0
        out[i] = -res.fun
    return out


def bod_case(seed):
    """Scores and weights of one random case: ties and duplicates, cities all on the frontier,
    missing values, zero weights, a city with no value, an indicator no city has."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 30)), int(rng.integers(1, 5))
    kind = seed % 5
    if kind == 0:
        x = rng.uniform(size=(n, k))
    elif kind == 1:  # small integers: ties, equal rows, rows dominated only weakly
        x = rng.integers(0, 3, size=(n, k)).astype(float)
    elif kind == 2:  # on a simplex: every city is on the frontier
        x = rng.dirichlet(np.ones(k), size=n)
    elif kind == 3:  # on a sphere: every city on a curved frontier
        x = np.abs(rng.normal(size=(n, k)))
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    else:  # copies of a few rows
        x = rng.uniform(size=(max(1, n // 4), k))[rng.integers(0, max(1, n // 4), size=n)]
    if seed % 3 == 0:
        x[rng.uniform(size=x.shape) < 0.25] = np.nan
    if seed % 7 == 0:
        x[0] = np.nan  # a city with nothing
    if seed % 11 == 0 and k > 1:
        x[:, -1] = np.nan  # an indicator no city has
    w = rng.uniform(0.1, 1.0, size=k)
    if seed % 4 == 0 and k > 1:
        w[0] = 0.0
    return x, w


@pytest.fixture(params=["defaults", "tiny blocks"])
def bod_settings(request, monkeypatch):
    """The defaults, and blocks so small that every loop runs many times: the frontier a few
    rows at a time, two cities per LP, one row added per round of constraint generation."""
    if request.param == "tiny blocks":
        monkeypatch.setattr(mcda, "FRONTIER_BLOCK", 3)
        monkeypatch.setattr(mcda, "BOD_BATCH", 2)
        monkeypatch.setattr(mcda, "BOD_ADD", 1)
    return request.param


@pytest.mark.parametrize("lower", [0.0, 0.3])
def test_bod_against_the_frontier_is_bod_against_every_city(bod_settings, lower):
    for seed in range(40):
        x, w = bod_case(seed)
        want = bod_reference(x, w, lower)
        got = mcda.bod(x, w, lower=lower)
        assert np.array_equal(np.isnan(got), np.isnan(want)), seed
        np.testing.assert_allclose(got, want, atol=1e-9, rtol=1e-9, err_msg=f"seed {seed}")


def test_bod_batched_is_bod_per_batch():
    """Scores ``(2, N, K)`` and weights ``(3, 1, K)`` broadcast to six problems; with lower = 0
    the weights only decide which cities are scored (a city whose present indicators all
    weigh 0 is not)."""
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(2, 20, 3))
    x[0, 4, 1] = x[1, 7, 0] = np.nan
    w = rng.uniform(0.2, 1, size=(3, 1, 3))
    w[2, 0, 1:] = 0.0  # weights 2: only indicator 0 counts
    x[:, 9, 0] = np.nan  # city 9 has no indicator 0: unscored under weights 2
    for lower in (0.0, 0.25):
        got = mcda.bod(x, w, lower=lower)
        assert got.shape == (3, 2, 20)
        for a, b in itertools.product(range(3), range(2)):
            np.testing.assert_allclose(got[a, b], bod_reference(x[b], w[a, 0], lower), atol=1e-9)
        assert np.isnan(got[2, :, 9]).all() and np.isfinite(got[:2, :, 9]).all()


@pytest.mark.parametrize("block", [2, 5, 256])
def test_frontier_keeps_exactly_the_undominated_rows(monkeypatch, block):
    """Against every pair: row i is dropped when another row is ≥ it everywhere (and, of
    equal rows, all but the first)."""
    monkeypatch.setattr(mcda, "FRONTIER_BLOCK", block)
    rng = np.random.default_rng(block)
    for trial in range(20):
        n, k = int(rng.integers(1, 60)), int(rng.integers(1, 5))
        x = rng.integers(0, 4, size=(n, k)).astype(float) if trial % 2 else rng.uniform(size=(n, k))
        ge = (x[None, :, :] >= x[:, None, :]).all(axis=-1)  # ge[i, j]: row j ≥ row i
        equal = ge & ge.T
        before = np.arange(n)[None, :] < np.arange(n)[:, None]
        dominated = (ge & (~equal | before)).any(axis=1)
        np.testing.assert_array_equal(mcda.frontier(x), ~dominated)


def test_only_the_convex_hulls_corners_can_bind():
    """Why the frontier could be cut further: a city inside the convex hull of others,
    x_j = Σ λ_k x_k, has w·x_j ≤ max_k w·x_k ≤ 1, so its constraint is implied. Checked on the
    definition: the LPs against the hull's corners alone give the same scores (the plugin does
    not need this: constraint generation keeps each LP to a few dozen rows)."""
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(8)
    for k in (2, 3, 4):
        x = rng.uniform(size=(40, k))
        corners = x[ConvexHull(x).vertices]
        assert len(corners) < len(x)
        np.testing.assert_allclose(bod_reference(x, np.ones(k), bench=corners), bod_reference(x, np.ones(k)),
                                   atol=1e-9)


def test_bod_on_ten_thousand_cities_solves_few_programmes(monkeypatch):
    """10,000 cities on a frontier of a few dozen: far fewer LPs than cities, and the scores
    of a sample match the definition against every city."""
    from scipy import optimize

    calls = []
    real = optimize.linprog
    monkeypatch.setattr(optimize, "linprog", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    rng = np.random.default_rng(11)
    x = rng.uniform(size=(10_000, 4)) ** 3  # skewed: a small frontier, as indicators often are
    got = mcda.bod(x, np.ones(4))
    assert len(calls) < 200
    sample = rng.choice(len(x), size=15, replace=False)
    monkeypatch.setattr(optimize, "linprog", real)
    want = bod_reference(x, np.ones(4), only=sample)
    np.testing.assert_allclose(got[sample], want[sample], atol=1e-9)


# Kemeny–Young beyond the exact size


def agreement(e, order):
    """Σ over pairs placed i above j of e[i, j]."""
    return sum(e[order[a], order[b]] for a in range(len(order)) for b in range(a + 1, len(order)))


def all_orders(e):
    """(best agreement, least disagreement) over every order of the cities, by brute force."""
    n = len(e)
    perms = np.array(list(itertools.permutations(range(n))))
    pos = np.argsort(perms, axis=1)
    above = pos[:, :, None] < pos[:, None, :]
    values = (above * e[None]).sum(axis=(1, 2))
    return values.max(), n * (n - 1) / 2 - values.max()


def kemeny_case(seed, n):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    x = rng.integers(0, 3, size=(n, k)).astype(float) if seed % 2 else rng.uniform(size=(n, k))
    if seed % 3 == 0:
        x[rng.uniform(size=x.shape) < 0.2] = np.nan  # pairs compared on what both have
    return x, rng.uniform(0.2, 1.0, size=k)


@pytest.mark.parametrize("search", [True, False])
def test_kemeny_beyond_the_exact_size_is_within_its_bound(monkeypatch, search):
    """Against every order of 8 cities, with the exact size lowered to 3: the order found
    disagrees at most 5 times (and at most ``ratio`` times) as much as the best order, no
    order agrees more than ``bound``; the order by weighted wins alone meets the 5 too (the
    theorem's premise, e[i, j] + e[j, i] = 1, checked)."""
    monkeypatch.setattr(mcda, "KEMENY_EXACT", 3)
    if not search:
        monkeypatch.setattr(mcda, "KEMENY_SEARCH", 3)
    for seed in range(12):
        x, w = kemeny_case(seed, 8)
        e = mcda.outranking(x, w)
        off = ~np.eye(8, dtype=bool)
        np.testing.assert_allclose((e + e.T)[off], 1.0, atol=1e-12)
        best, least = all_orders(e)
        found = mcda.kemeny_orders(x, w)
        order = found.orders[0]
        assert not found.exact and sorted(order) == list(range(8))
        assert ("no local search" in found.method) != search
        assert found.agreement == pytest.approx(agreement(e, order), abs=1e-9)
        disagreement = 28 - found.agreement
        assert disagreement <= 5 * least + 1e-9
        assert 1 <= found.ratio <= 5 and disagreement <= found.ratio * least + 1e-9
        assert found.bound >= best - 1e-9
        by_wins = list(np.argsort(-e.sum(axis=1), kind="stable"))
        assert 28 - agreement(e, by_wins) <= 5 * least + 1e-9
        assert disagreement <= 28 - agreement(e, by_wins) + 1e-9


def local_search_reference(e, order):
    """The former local search, written plainly: while some move of one city to another
    position raises the agreement, make the move that raises it most (the first found, cities
    by position, then positions upwards)."""
    order = list(order)
    while True:
        now, best_gain, best = agreement(e, order), 1e-12, None
        for a in range(len(order)):
            for b in range(len(order)):
                if b == a:
                    continue
                trial = order[:a] + order[a + 1:]
                trial.insert(b, order[a])
                gain = agreement(e, trial) - now
                if gain > best_gain + 1e-10:
                    best_gain, best = gain, trial
        if best is None:
            return order
        order = best


def test_kemeny_local_search_is_the_former_one_from_the_better_start(monkeypatch):
    """From 13 to 2,000 cities the order is the former local search's, started from the
    Copeland order (as before) unless the order by weighted wins agrees more (then from it:
    the one difference, which the 5-approximation needs)."""
    monkeypatch.setattr(mcda, "KEMENY_EXACT", 3)
    starts = set()
    for seed in range(8):
        rng = np.random.default_rng(100 + seed)
        n, k = int(rng.integers(13, 20)), int(rng.integers(2, 6))
        x, w = rng.uniform(size=(n, k)), rng.uniform(0.2, 1, size=k)
        e = mcda.outranking(x, w)
        margin = e - e.T
        copeland = list(np.argsort(-np.sign(np.where(np.abs(margin) < 1e-12, 0, margin)).sum(axis=1), kind="stable"))
        by_wins = list(np.argsort(-e.sum(axis=1), kind="stable"))
        start = copeland if agreement(e, copeland) >= agreement(e, by_wins) - 1e-9 * n * (n - 1) / 2 else by_wins
        starts.add("Copeland" if start is copeland else "weighted-wins")
        found = mcda.kemeny_orders(x, w)
        assert found.orders[0] == local_search_reference(e, start), seed
        assert ("Copeland" if start is copeland else "weighted-wins") in found.method
    assert starts == {"Copeland", "weighted-wins"}  # both starts were exercised


def test_kemeny_beyond_the_search_size_is_the_better_start_computed_by_blocks(monkeypatch):
    """Beyond KEMENY_SEARCH no N × N matrix is made: weighted wins, Copeland scores, the
    agreements and the bound are summed a block of rows at a time; for any block size they
    are those of the whole matrix."""
    monkeypatch.setattr(mcda, "KEMENY_EXACT", 3)
    monkeypatch.setattr(mcda, "KEMENY_SEARCH", 10)
    rng = np.random.default_rng(21)
    for trial in range(6):
        n, k = int(rng.integers(11, 40)), int(rng.integers(1, 5))
        x = rng.integers(0, 4, size=(n, k)).astype(float) if trial % 2 else rng.uniform(size=(n, k))
        x[rng.uniform(size=x.shape) < 0.15] = np.nan
        w = rng.uniform(0.2, 1, size=k)
        monkeypatch.setattr(mcda, "PAIRS_AT_ONCE", int(rng.integers(1, 3 * n)))
        e = mcda.outranking(x, w)
        margin = e - e.T
        copeland = list(np.argsort(-np.sign(np.where(np.abs(margin) < 1e-12, 0, margin)).sum(axis=1), kind="stable"))
        by_wins = list(np.argsort(-e.sum(axis=1), kind="stable"))
        a_cop, a_wins = agreement(e, copeland), agreement(e, by_wins)
        start = copeland if a_cop >= a_wins - 1e-9 * n * (n - 1) / 2 else by_wins
        pairs = n * (n - 1) / 2  # e[i, j] + e[j, i] = 1
        ceiling = np.maximum(e, e.T)[np.triu_indices(n, 1)].sum()
        found = mcda.kemeny_orders(x, w)
        assert found.orders == [start] and "no local search" in found.method
        assert found.agreement == pytest.approx(agreement(e, start), abs=1e-9)
        assert found.bound == pytest.approx(ceiling, abs=1e-9)
        least = pairs - ceiling  # no order disagrees less
        assert found.ratio == pytest.approx(min(5, max(1, (pairs - found.agreement) / least)), abs=1e-9)


def test_kemeny_command_says_how_and_how_well(fresh_cli, monkeypatch):
    """The command's output names the method, its guarantee and the bound on this instance."""
    tiny = str(ROOT / "tests" / "data" / "tiny")
    exact = json.loads(fresh_cli("kemeny", tiny, "--format", "json").stdout)
    assert exact["exact"] and exact["agreement"] == exact["agreement_bound"]
    monkeypatch.setattr(mcda, "KEMENY_EXACT", 3)
    out = fresh_cli("kemeny", tiny, "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert not data["exact"] and "local search" in data["method"] and "5 times" in data["guarantee"]
    assert data["agreement"] <= data["agreement_bound"] + 1e-9 and 1 <= data["disagreement_ratio_at_most"] <= 5
    assert data["agreement_bound"] >= exact["agreement"] - 1e-9  # the exact optimum is within the bound
    table = fresh_cli("kemeny", tiny)
    assert "Not proven optimal" in table.stdout and "Coppersmith" in table.stdout
