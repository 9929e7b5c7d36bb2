"""verify's baselines: the exact hypergeometric tail, and chance, population alone and the best
single indicator on the same published lists, each checked by an independent computation."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityrank.analysis.published import hypergeom_sf

stats = pytest.importorskip("scipy.stats")


def test_the_tail_by_hand():
    # N = 10 cities, K = 3 in our top, n = 4 published: P(X ≥ 2) = (C(3,2)·C(7,2) + C(3,3)·C(7,1)) / C(10,4)
    # = (3·21 + 1·7) / 210 = 1/3
    assert hypergeom_sf(2, 10, 3, 4) == pytest.approx(1 / 3, rel=1e-15)
    assert hypergeom_sf(0, 10, 3, 4) == 1.0 and hypergeom_sf(-1, 10, 3, 4) == 1.0
    assert hypergeom_sf(4, 10, 3, 4) == 0.0  # four of three: impossible
    assert hypergeom_sf(4, 40, 4, 4) == pytest.approx(1 / 91390, rel=1e-15)  # C(40,4) = 91390
    with pytest.raises(ValueError):
        hypergeom_sf(1, 5, 6, 2)


@given(st.integers(1, 400), st.data())
def test_the_tail_matches_scipy(N, data):
    K = data.draw(st.integers(0, N))
    n = data.draw(st.integers(0, N))
    x = data.draw(st.integers(-1, min(n, K) + 1))
    expected = float(stats.hypergeom.sf(x - 1, N, K, n))  # scipy's sf is P(X > x - 1)
    assert hypergeom_sf(x, N, K, n) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_the_tail_is_exact_where_floats_underflow():
    # 50 of 50 published in a top of 50 among 10,000: 1 / C(10000, 50), about 1e-135
    exact = Fraction(1, math.comb(10_000, 50))
    assert hypergeom_sf(50, 10_000, 50, 50) == pytest.approx(float(exact), rel=1e-12)


def _edition(folder, first="alpha"):
    """40 cities (made-up values): the published top 10 % is exactly the top 4 of ``first``
    alone; ``beta`` puts four other cities far ahead, so the composite (equal weights of the
    min-max scores: 55.1 … 59.0 for c05 … c08, 50 for c40) ranks those four first and agrees
    with none of the published ones."""
    folder.mkdir()
    ids = [f"c{i:02d}" for i in range(1, 41)]
    (folder / "cities.csv").write_text("id,name,country\n" + "".join(f"{c},City {c},NLD\n" for c in ids))
    rows = [f"{c},{i},{100 if 5 <= i <= 8 else 0}\n" for i, c in enumerate(ids, start=1)]
    (folder / "data.csv").write_text(f"city_id,{first},beta\n" + "".join(rows))
    (folder / "edition.toml").write_text(f"""# Test fixture: made-up values.
[edition]
id = "made-up"
title = "Made-up edition"
year = 2024

[[domains]]
id = "d"
name = "Domain"

[[indicators]]
id = "{first}"
name = "First"
domain = "d"

[[indicators]]
id = "beta"
name = "Second"
domain = "d"

[[published.top]]
node = "index"
share = 0.1
cities = ["c37", "c38", "c39", "c40"]
source = "made up"
""")
    return folder


def test_one_indicator_reproduces_the_list_and_the_composite_does_not(fresh_cli, tmp_path):
    out = fresh_cli("verify", _edition(tmp_path / "a"), "--format", "json")
    assert out.exit_code == 0, out.output
    (fact,) = json.loads(out.stdout)["facts"]
    b = fact["baselines"]
    assert fact["agree"] == 0 and fact["top_size"] == 4 and fact["ranked"] == 40
    # a random top 4 of 40 holds 4·4/40 = 0.4 of the 4 published cities on average; the
    # composite's 0 is reached by every ranking: p = 1
    assert b["chance"] == {"expected": pytest.approx(0.4), "p_value": 1.0}
    best = b["best_indicator"]
    assert best["indicator"] == "alpha" and best["agree"] == 4 and best["top_size"] == 4
    assert best["p_value"] == pytest.approx(1 / math.comb(40, 4), rel=1e-12) and best["tied_with"] == []
    # beta's four tied cities fill its top 4 exactly: comparable, and none of them is published
    assert {s["indicator"]: (s["agree"], s["top_size"], s["comparable"]) for s in b["indicators"]} == {
        "alpha": (4, 4, True), "beta": (0, 4, True)}
    assert b["population"]["indicator"] is None and b["population"]["status"].startswith("not available")
    text = fresh_cli("verify", tmp_path / "a").stdout
    assert "best single indicator (alpha): 4 of 4" in text and "population alone: not available" in text

    # named a population, the same column is the population baseline too
    fact = json.loads(fresh_cli("verify", _edition(tmp_path / "b", first="city_population"),
                                "--format", "json").stdout)["facts"][0]
    pop = fact["baselines"]["population"]
    assert pop["indicator"] == "city_population" and pop["agree"] == 4
    assert pop["p_value"] == pytest.approx(1 / math.comb(40, 4), rel=1e-12)


def _in_top(values: dict, k: int) -> set:
    """Cities with fewer than k others strictly better: rank ≤ k with ties at their best rank."""
    known = [v for v in values.values() if v is not None]
    return {c for c, v in values.items() if v is not None and sum(w > v for w in known) < k}


def test_brics_2024_baselines_against_an_independent_count(fresh_cli):
    facts = json.loads(fresh_cli("verify", "brics-2024", "--format", "json").stdout)["facts"]
    run = json.loads(fresh_cli("run", "brics-2024", "--format", "json").stdout)
    tree = json.loads(fresh_cli("show", "brics-2024", "--format", "json").stdout)["framework"]
    direction = {e["id"]: e["direction"] for e in tree if e["kind"] == "indicator"}
    parent, domain_of = {}, {}
    for e in tree:  # the tree in preorder: an indicator's domain is the last node above it
        if e["kind"] == "node":
            parent[e["depth"]] = e["id"]
        else:
            domain_of[e["id"]] = parent[e["depth"] - 1]
    raw = {i: {c["id"]: c["indicators"][i]["raw"] for c in run["cities"]} for i in direction}
    assert len(facts) == 3
    for fact in facts:
        n, k, b = len(fact["cities"]), fact["top_size"], fact["baselines"]
        assert fact["ranked"] == 138 and k == 13
        assert set(b) >= {"chance", "population", "best_indicator"}
        assert b["chance"]["expected"] == pytest.approx(n * 13 / 138)
        listed = {c["id"] for c in fact["cities"]}
        counts = {}
        for ind, values in raw.items():
            if all(v is None for v in values.values()):
                continue
            top = _in_top({c: None if v is None else v * direction[ind] for c, v in values.items()}, k)
            counts[ind] = (len(top & listed), len(top))
        under = {i for i in counts if fact["node"] == "index" or domain_of[i] == fact["node"]}
        assert {s["indicator"]: (s["agree"], s["top_size"]) for s in b["indicators"]} == {i: counts[i] for i in under}
        pop = b["population"]
        assert pop["indicator"] == "urban_population" and (pop["agree"], pop["top_size"]) == counts["urban_population"]
        comparable = [i for i in under if counts[i][1] == k]
        for entry in (pop, b["best_indicator"], *b["indicators"]):
            if "agree" in entry:
                assert 0 <= entry["agree"] <= n and 0 <= entry["p_value"] <= 1
        assert 0 <= b["chance"]["p_value"] <= 1
        if comparable:
            best = b["best_indicator"]
            assert all(best["agree"] >= counts[i][0] for i in comparable)
            assert best["agree"] == counts[best["indicator"]][0] and best["indicator"] in comparable
            assert best["p_value"] == pytest.approx(float(stats.hypergeom.sf(best["agree"] - 1, 138, k, n)))
        else:
            assert b["best_indicator"]["indicator"] is None
        assert b["chance"]["p_value"] == pytest.approx(float(stats.hypergeom.sf(fact["agree"] - 1, 138, k, n)))
