"""verify --bound: the mixed-integer programme against an exhaustive search on small cases."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityrank.analysis import bound as b

pytest.importorskip("scipy.optimize")


def _exhaustive(z, listed, k):
    """Two indicators: the ranking changes only where two cities' scores cross, so the best
    count over the crossings, the midpoints between them and the ends is the exact maximum."""
    n = len(z)
    points = {0.0, 1.0}
    for i, j in itertools.combinations(range(n), 2):
        d = (z[i, 0] - z[i, 1]) - (z[j, 0] - z[j, 1])
        if d != 0:
            a = (z[j, 1] - z[i, 1]) / d
            if 0 <= a <= 1:
                points.add(a)
    grid = sorted(points)
    grid += [(x + y) / 2 for x, y in itertools.pairwise(grid)]
    return max(b.in_top(z, np.array([a, 1 - a]), listed, k) for a in grid)


@settings(max_examples=25)
@given(st.integers(5, 9), st.integers(0, 10**6))
def test_the_programme_reaches_the_exhaustive_maximum(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 6, size=(n, 2)).astype(float) * 20  # small integers: ties and crossings
    listed = sorted(rng.choice(n, size=3, replace=False).tolist())
    k = 2
    count, w, proven = b._milp(z, listed, k, time_limit=30)
    assert proven and count == _exhaustive(z, listed, k)
    assert b.in_top(z, w, listed, k) == count and w.min() >= 0 and w.sum() == pytest.approx(1)


def test_verify_bound_on_an_edition(fresh_cli):
    out = fresh_cli("verify", "las-2024", "--bound", "--format", "json")
    assert out.exit_code == 0, out.stderr
    facts = json.loads(out.stdout)["facts"]
    for f in facts:
        assert f["bound"]["reachable"] >= f["agree"]  # the edition's own weights are one weighting
        assert f["bound"]["reachable"] <= f["bound"]["published"]
    text = fresh_cli("verify", "las-2024", "--bound").stdout
    assert text.count("bound: at most") == len(facts) and "reached with weights" in text
