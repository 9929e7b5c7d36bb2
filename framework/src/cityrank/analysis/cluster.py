"""The Monte Carlo's chunks as tasks of a Dask cluster (``pip install 'cityrank[dask]'``).

A job (:class:`~cityrank.analysis.sampler.UncertaintyJob` or ``SensitivityJob``) holds
everything a chunk needs: the edition, the assumptions, the data and the seed (and, for
sensitivity, the design). It is a task of its own (not scattered data, which a lost worker
would take with it): the scheduler holds it and recomputes it if need be. It is copied to
every worker before the chunks are submitted (else the scheduler, placing tasks where their
inputs are, sends them all to the one worker that holds it); each worker builds the
evaluation model once per job and then evaluates chunks. Random draws depend only on (seed, block), and
the results are integer counts or values placed by their chunk's bounds, so the result is
the same, to the byte, as in one process, whatever the cluster's size or the order in which
its tasks finish. A lost worker's tasks are recomputed by Dask with the same inputs.
Imported only when a client is given.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

import numpy as np

from ..errors import CityrankError

#: per worker process: id(job) → (job, model)
_MODELS: dict[int, tuple] = {}
#: tasks in flight per worker thread: enough to keep a cluster busy, few enough for memory
WINDOW = 4


def _model(job):
    """On a worker: the evaluation model of ``job``, built once."""
    cached = _MODELS.get(id(job))
    if cached is None or cached[0] is not job:
        from ..plugins import get_registry
        from .sampler import Model

        _MODELS.clear()  # one job at a time per worker
        cached = _MODELS[id(job)] = (job, Model(job.edition, get_registry(), job.assumptions, job.data))
    return cached[1]


def _job(job):
    """The job as a task's result: recomputable from the task itself when a worker is lost."""
    return job


def _shared(client, job, token):
    """The job as a task, copied to every worker before the chunks are submitted (so that the
    scheduler spreads them rather than sending them all to the one worker that holds it)."""
    from distributed import wait

    future = client.submit(_job, job, key=f"cityrank-{token}-job", pure=False)
    try:
        wait(future)
        client.replicate([future])
    except BaseException:
        client.cancel([future])
        raise
    return future


def _chunk(job, bounds):
    """Run on a worker: one chunk of a job."""
    return job(_model(job), bounds)


def _tally(job, chunks):
    """Run on a worker: the counts of a group of chunks."""
    return job.tally(_model(job), chunks)


def _add(a, b):
    wide = np.uint64 if a[0].dtype == np.uint64 or b[0].dtype == np.uint64 else np.uint32
    return a[0].astype(wide, copy=False) + b[0], a[1] + b[1]


def tally_on_cluster(client, job, groups, progress=None):
    """The job's (rank counts, top counts), one task per group of chunks, summed on the
    cluster by a tree of additions; Ctrl-C (or any error) cancels every task."""
    from distributed import as_completed

    token = uuid.uuid4().hex[:12]
    remote_job = _shared(client, job, token)
    parts = [client.submit(_tally, remote_job, g, key=f"cityrank-{token}-{i}", pure=False) for i, g in enumerate(groups)]
    sizes = {f.key: sum(b - a for a, b in g) for f, g in zip(parts, groups, strict=True)}
    every = [remote_job, *parts]
    try:
        level, n = list(parts), 0
        while len(level) > 1:  # pairwise sums: memory of a few partial counts at a time
            nxt = []
            for a, b in zip(level[::2], level[1::2], strict=False):
                n += 1
                nxt.append(client.submit(_add, a, b, key=f"cityrank-{token}-sum{n}", pure=False))
            level = nxt + ([level[-1]] if len(level) % 2 else [])
            every += nxt
        for done in as_completed(parts):
            if progress:
                progress(sizes[done.key])
        return level[0].result()
    except BaseException:
        client.cancel(every)
        raise


def run_on_cluster(client, job, chunks, progress=None):
    """``(bounds, result)`` of every chunk as its task finishes; Ctrl-C (or any error) cancels
    the tasks still queued or running."""
    from distributed import as_completed

    token = uuid.uuid4().hex[:12]
    remote_job = _shared(client, job, token)
    threads = max(1, sum(client.nthreads().values()))
    pending = list(enumerate(chunks))[::-1]
    futures = {}

    def submit(done):
        while pending and len(futures) - done < WINDOW * threads:
            i, bounds = pending.pop()
            f = client.submit(_chunk, remote_job, bounds, key=f"cityrank-{token}-{i}", pure=False)
            futures[f.key] = (f, bounds)

    finished = 0
    submit(finished)
    queue = as_completed([f for f, _ in futures.values()])
    try:
        for future in queue:
            _, bounds = futures[future.key]
            result = future.result()
            finished += 1
            before = len(futures)
            submit(finished)
            for f, _ in list(futures.values())[before:]:
                queue.add(f)
            futures[future.key] = (None, bounds)  # drop the result from the client's references
            future.release()
            if progress:
                progress(bounds[1] - bounds[0])
            yield bounds, result
    except BaseException:
        client.cancel([remote_job, *(f for f, _ in futures.values() if f is not None)])
        raise


@contextlib.contextmanager
def connect(address: str | None, workers: int | None = None):
    """A Dask client: ``local`` (a LocalCluster of ``workers`` processes, 2 by default), a
    scheduler address such as ``tcp://host:8786``, or None for no cluster."""
    if not address:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CityrankError("--cluster needs dask: pip install 'cityrank[dask]'") from None
    if address == "local":
        with LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:
        raise CityrankError(f"--cluster {address!r}: cannot reach the scheduler ({exc})") from None
    with client:
        yield client
