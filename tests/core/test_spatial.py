"""Radius queries against a brute-force double loop over the same haversine distance."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cityrank.spatial import EARTH_RADIUS_KM, Points, haversine_km


def _haversine(lat1, lon1, lat2, lon2):
    """The textbook formula, one pair at a time (math module)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def test_haversine_on_a_known_pair():
    # Paris (48.8566, 2.3522) – London (51.5074, -0.1278): about 343.5 km on the mean sphere
    assert abs(float(haversine_km(48.8566, 2.3522, 51.5074, -0.1278)) - _haversine(48.8566, 2.3522, 51.5074, -0.1278)) < 1e-9
    assert 343 < _haversine(48.8566, 2.3522, 51.5074, -0.1278) < 344


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), m=st.integers(0, 60),
       radius=st.floats(1, 25000), chunk=st.sampled_from([1, 7, 1 << 22]), grouped=st.booleans(),
       spread=st.sampled_from([(-90, 90, -180, 180), (-60, 60, 170, 180), (80, 90, -180, 180), (-5, 5, -180, -175)]))
def test_within_is_the_brute_force_sum(seed, n, m, radius, chunk, grouped, spread):
    """Everywhere on the globe, by the poles and across the antimeridian included."""
    rng = np.random.default_rng(seed)
    la, lb, oa, ob = spread
    lat, lon = rng.uniform(-90, 90, n), rng.uniform(-180, 180, n)
    near = rng.random(n) < 0.5  # half the queries where the points are
    lat[near], lon[near] = rng.uniform(la, lb, near.sum()), rng.uniform(oa, ob, near.sum())
    lat[rng.random(n) < 0.1] = np.nan
    plat, plon, w = rng.uniform(la, lb, m), rng.uniform(oa, ob, m), rng.integers(1, 1000, m).astype(float)
    group, groups = rng.integers(0, 3, n), rng.integers(0, 3, m)
    kw = {"group": group, "groups": groups} if grouped else {}
    got = Points(plat, plon, w).within(lat, lon, radius, chunk=chunk, **kw)
    for i in range(n):
        if math.isnan(lat[i]):
            assert math.isnan(got[i])
            continue
        want = sum(w[j] for j in range(m) if _haversine(lat[i], lon[i], plat[j], plon[j]) <= radius
                   and (not grouped or groups[j] != group[i]))
        assert abs(got[i] - want) < 1e-6


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 30), m=st.integers(1, 50), block=st.sampled_from([1, 4, 1024]))
def test_nearest_is_the_brute_force_minimum(seed, n, m, block):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(-90, 90, n), rng.uniform(-180, 180, n)
    lat[rng.random(n) < 0.1] = np.nan
    plat, plon = rng.uniform(-90, 90, m), rng.uniform(-180, 180, m)
    plat[:2], plon[:2] = lat[0] + 1e-7 if n else 0, lon[0]  # a point all but on a query
    got = Points(plat, plon).nearest_km(lat, lon, block=block)
    for i in range(n):
        if math.isnan(lat[i]):
            assert math.isnan(got[i])
        else:
            assert abs(got[i] - min(_haversine(lat[i], lon[i], plat[j], plon[j]) for j in range(m))) < 1e-6


def test_the_radius_index_kept_in_the_cache_gives_the_same_sums(tmp_path, monkeypatch):
    """Large point sets keep their index in the cache folder: the sums are those of a fresh
    index; an index file of another set's size is not used."""
    from cityrank import derived, spatial

    monkeypatch.setenv("CITYRANK_CACHE", str(tmp_path))
    rng = np.random.default_rng(3)
    plat, plon, w = rng.uniform(-60, 60, 500), rng.uniform(-180, 180, 500), rng.integers(1, 9, 500).astype(float)
    lat, lon = rng.uniform(-60, 60, 80), rng.uniform(-180, 180, 80)
    fresh = Points(plat, plon, w).within(lat, lon, 800.0)
    monkeypatch.setattr(spatial, "GRID_CACHE_FROM", 100)
    assert np.array_equal(Points(plat, plon, w).within(lat, lon, 800.0), fresh)  # builds and writes
    files = list(tmp_path.glob("grid-*" + derived.SUFFIX))
    assert len(files) == 1
    assert np.array_equal(Points(plat, plon, w).within(lat, lon, 800.0), fresh)  # reads
    derived.save_arrays(files[0], {"order": np.arange(3), "keys": np.zeros(3)})  # of another size
    assert np.array_equal(Points(plat, plon, w).within(lat, lon, 800.0), fresh)
    assert len(list(tmp_path.glob("grid-*" + derived.SUFFIX))) == 1
