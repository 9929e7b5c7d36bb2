"""The Monte Carlo on a Dask LocalCluster: the same bytes as in one process, cancellable,
and unchanged when a worker dies mid-run."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

from cityrank.analysis import Assumptions, WeightNoise, sensitivity, uncertainty
from cityrank.formats.spec import load_edition
from conftest import ROOT

distributed = pytest.importorskip("distributed")
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture(scope="module")
def client():
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as c:
        c.wait_for_workers(2, timeout=120)  # the tests count on both: none may start before they are up
        yield c


async def _die():
    os._exit(1)  # the worker process ends at once, as a crashed machine would


def _assumptions(edition):
    return Assumptions.for_edition(edition, normalisers=["minmax", "rank"], aggregators=["arithmetic", "geometric"],
                                   weights=WeightNoise("dirichlet", 20.0))


def test_uncertainty_on_a_cluster_equals_one_process(client, registry):
    edition = load_edition(TINY)
    kwargs = {"samples": 2500, "seed": 7, "assumptions": _assumptions(edition), "chunk_size": 300}
    here = uncertainty(edition, registry, **kwargs)
    there = uncertainty(edition, registry, client=client, **kwargs)
    for field in ("median", "p05", "p95", "mean", "top_share"):
        np.testing.assert_array_equal(getattr(here, field), getattr(there, field))


def test_sensitivity_on_a_cluster_equals_one_process(client, registry):
    edition = load_edition(TINY)
    kwargs = {"samples": 300, "seed": 3, "assumptions": _assumptions(edition), "bootstrap": 20, "chunk_size": 64}
    here = sensitivity(edition, registry, **kwargs)
    there = sensitivity(edition, registry, client=client, **kwargs)
    np.testing.assert_array_equal(here.first, there.first)
    np.testing.assert_array_equal(here.total_ci, there.total_ci)


def test_ctrl_c_cancels_the_clusters_tasks(client, registry):
    edition = load_edition(TINY)
    seen = []

    def interrupt(done):
        seen.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        uncertainty(edition, registry, samples=5000, seed=1, assumptions=_assumptions(edition), chunk_size=50,
                    client=client, progress=interrupt)
    assert len(seen) == 1

    def left(dask_scheduler):
        return [k for k, t in dask_scheduler.tasks.items() if str(k).startswith("cityrank-") and t.state != "released"]

    for _ in range(50):  # cancelling is a message to the scheduler: give it a moment
        if not client.run_on_scheduler(left):
            break
        time.sleep(0.1)
    assert client.run_on_scheduler(left) == []  # nothing left queued or running


def test_a_worker_killed_mid_run_changes_nothing(client, registry):
    edition = load_edition(TINY)
    kwargs = {"samples": 4000, "seed": 11, "assumptions": _assumptions(edition), "chunk_size": 100}
    here = uncertainty(edition, registry, **kwargs)
    killed = []

    def kill_one(done):
        workers = sorted(client.scheduler_info()["workers"])
        if not killed and workers:  # a worker to kill (the list may be empty while one restarts)
            killed.append(workers[0])
            client.run(_die, workers=[workers[0]], wait=False)

    there = uncertainty(edition, registry, client=client, progress=kill_one, **kwargs)
    assert killed
    np.testing.assert_array_equal(here.median, there.median)
    np.testing.assert_array_equal(here.top_share, there.top_share)


def test_cli_cluster_local_gives_the_same_file(fresh_cli, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    args = ["uncertainty", TINY, "--samples", "600", "--seed", "4", "--normalisers", "minmax;rank", "--format", "json"]
    assert fresh_cli(*args, "-o", a).exit_code == 0
    assert fresh_cli(*args, "--cluster", "local", "--workers", "2", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes() and json.loads(a.read_text())["cities"]
    bad = fresh_cli(*args, "--cluster", "tcp://127.0.0.1:1")
    assert bad.exit_code == 2 and "cannot reach the scheduler" in bad.stderr
