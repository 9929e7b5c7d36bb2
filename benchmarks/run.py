"""Benchmarks: the single ranking pipeline and the Monte Carlo, against peer libraries.

    python3 dev.py bench            # the full grid (several minutes)
    python3 dev.py bench --quick    # a smaller grid

For N cities × 11 indicators (synthetic log-normal data in three domains) and S weight
samples it times:
  - cityrank: one ``run`` of the pipeline, and ``uncertainty`` (Dirichlet weights);
  - numpy reference: min-max once, batched matmul + argsort per chunk, every rank kept and the
    same quantiles, mean and top share computed at the end (what a careful user would write);
  - the loop a user would write with scikit-criteria (MinMaxScaler + WeightedSumModel) and with
    pymcdm (WSM with min-max normalisation), one decision per sample; timed on a subset of
    samples and scaled to S (said so in the output);
the peak memory of ``uncertainty`` for S = 100,000, N = 10,000 in a fresh process; and the
cold run of every installed edition (a fresh ``cityrank run``) against ``import numpy``.
Targets: Monte Carlo at S = 10,000, N = 138 within 2× of the numpy reference and at least
100× faster than the peer loops; that peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import subprocess
import sys
import time
from functools import partial

import numpy as np

from cityrank.analysis import Assumptions, WeightNoise, uncertainty
from cityrank.engine import run
from cityrank.model import City, Edition, Framework, Indicator, Methods, Node, Weights
from cityrank.plugins import Registry

K = 11
DOMAINS = {"traditional": 4, "digital": 4, "institutional": 3}


def synthetic(n: int, seed: int = 0) -> Edition:
    """An edition of n made-up cities with log-normal indicator values (benchmark input only)."""
    from cityrank.model import Dataset

    rng = np.random.default_rng(seed)
    nodes = [Node("index", "Index")] + [Node(d, d, "index") for d in DOMAINS]
    indicators = [Indicator(f"{d}_{j}", f"{d} {j}", d) for d, k in DOMAINS.items() for j in range(k)]
    cities = [City(f"c{i}", f"City {i}", "XXX") for i in range(n)]
    values = rng.lognormal(size=(n, K))
    data = Dataset([c.id for c in cities], [i.id for i in indicators], values, ["synthetic"] * K)
    fw = Framework(nodes, indicators)
    weights = Weights({x.id: 1.0 for x in [*nodes, *indicators]})
    return Edition("bench", "benchmark", cities, fw, weights, Methods(), data=data)


def best(func, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return min(times)


def numpy_reference(x: np.ndarray, samples: int, chunk: int = 2048, seed: int = 0):
    """What ``uncertainty`` computes, written plainly: min-max once, Dirichlet weights, batched
    matmul, ranks by a double argsort, every rank kept (S × N int32), then the 5/50/95 %
    quantiles, the mean rank and the share in the top 10 % per city."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    z = (x - lo) / (hi - lo) * 100
    rng = np.random.default_rng(seed)
    ranks = np.empty((samples, len(x)), dtype=np.int32)
    for start in range(0, samples, chunk):
        w = rng.dirichlet(np.full(K, 50.0 / K), size=min(chunk, samples - start))
        scores = w @ z.T
        ranks[start:start + len(w)] = np.argsort(np.argsort(-scores, axis=1), axis=1) + 1
    quantiles = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
    return quantiles, ranks.mean(axis=0), (ranks <= int(0.1 * len(x))).mean(axis=0)


def skcriteria_loop(x, weights):
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.preprocessing.scalers import MinMaxScaler

    scaler, model = MinMaxScaler(target="matrix"), WeightedSumModel()
    for w in weights:
        dm = skc.mkdm(x, objectives=[max] * K, weights=w)
        _ = model.evaluate(scaler.transform(dm)).rank_


def pymcdm_loop(x, weights):
    from pymcdm.methods import WSM
    from pymcdm.normalizations import minmax_normalization

    method, types = WSM(normalization_function=minmax_normalization), np.ones(K)
    for w in weights:
        method.rank(method(x, w, types))


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss, not inherited across exec)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(n: int, samples: int) -> None:
    edition = synthetic(n)
    registry = Registry()
    before = peak_rss_mb()
    t = time.perf_counter()
    uncertainty(edition, registry, samples=samples, seed=1,
                assumptions=Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", 50.0)))
    print(f"{peak_rss_mb():.0f} {before:.0f} {time.perf_counter() - t:.1f}")


def cluster_scaling(registry, n: int, s: int) -> None:
    """The Monte Carlo in one thread, and on LocalClusters of 1 and 2 worker processes: the
    speed-up from 1 to 2 workers gives the parallel fraction p of a cluster run (Amdahl),
    hence what W workers should give; the 1-worker cluster against one thread is the cost of
    shipping the work (tasks, partial counts)."""
    import logging

    from distributed import Client, LocalCluster

    edition = synthetic(n)
    assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", 50.0))
    one = best(partial(uncertainty, edition, registry, samples=s, seed=1, assumptions=assumptions, workers=1), 2)
    times = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None,
                          silence_logs=logging.ERROR) as lc, Client(lc) as client:
            times[workers] = best(partial(uncertainty, edition, registry, samples=s, seed=1, assumptions=assumptions,
                                          client=client), 2)
    speedup = times[1] / times[2]
    p = min(1.0, max(0.0, 2 * (1 - 1 / speedup)))  # Amdahl: speedup = 1 / ((1 - p) + p / 2)
    print(f"\n(e) Monte Carlo N = {n:,}, S = {s:,}: one thread {one:.2f} s; LocalCluster of 1 worker "
          f"{times[1]:.2f} s, of 2 workers {times[2]:.2f} s (speed-up {speedup:.2f}); parallel fraction "
          f"p ≈ {p:.2f}, so W workers should give " + ", ".join(f"{w}: {1 / ((1 - p) + p / w):.1f}×" for w in (4, 16, 64))
          + " the 1-worker cluster")


def cold_runs(repeat: int = 3) -> None:
    """Each installed edition run from a fresh process (imports, plugins, providers' data),
    as a user's first command, against a fresh ``python -c "import numpy"``."""
    from pathlib import Path

    cli = Path(sys.executable).with_name("cityrank")

    def timed(cmd):
        return best(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat)

    numpy_only = timed([sys.executable, "-c", "import numpy"])
    print(f"\n(d) cold runs of each edition (best of {repeat}), against python -c 'import numpy' "
          f"({numpy_only * 1000:.0f} ms)")
    for edition in sorted(m.id for m in Registry().methods("edition")):
        t = timed([str(cli), "run", edition, "--format", "json"])
        print(f"  {edition:<12} {t * 1000:7.0f} ms  {t / numpy_only:5.1f}× import numpy")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N ∈ {138, 1000}, S ∈ {1000}; no memory run")
    parser.add_argument("--peer-samples", type=int, default=200, help="samples actually run by each peer loop")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    sizes = [138, 1000] if args.quick else [138, 1000, 10000]
    sample_sizes = [1000] if args.quick else [1000, 10000]
    loops = {"scikit-criteria": ("skcriteria", skcriteria_loop), "pymcdm": ("pymcdm", pymcdm_loop)}
    peers = {name: loop for name, (module, loop) in loops.items() if importlib.util.find_spec(module)}
    registry = Registry()
    print(f"peers installed: {', '.join(peers) or 'none (pip install scikit-criteria pymcdm)'}")
    print("\n(a) one ranking pipeline (collect, normalise, aggregate, rank, tiers)")
    for n in sizes:
        edition = synthetic(n)
        print(f"  N = {n:>6}: {best(partial(run, edition, registry)) * 1000:8.1f} ms")
    from cityrank.analysis.uncertainty import default_workers

    print(f"\n(b) Monte Carlo over weights (Dirichlet), times in seconds (cityrank with its default "
          f"{default_workers()} worker thread(s)); ratios: cityrank / numpy, peer / cityrank")
    print(f"  {'N':>6} {'S':>6} {'cityrank':>9} {'numpy':>8} {'ratio':>6}" + "".join(f" {p:>16} {'ratio':>7}" for p in peers))
    for n in sizes:
        edition = synthetic(n)
        x = np.asarray(edition.data.values)
        assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", 50.0))
        for s in sample_sizes:
            ours = best(partial(uncertainty, edition, registry, samples=s, seed=1, assumptions=assumptions), 2)
            ref = best(partial(numpy_reference, x, s), 2)
            line = f"  {n:>6} {s:>6} {ours:>9.3f} {ref:>8.3f} {ours / ref:>6.2f}"
            weights = np.random.default_rng(0).dirichlet(np.full(K, 50.0 / K), size=min(s, args.peer_samples))
            for loop in peers.values():
                t = best(partial(loop, x, weights), 2) * s / len(weights)
                line += f" {t:>15.1f}{'*' if len(weights) < s else ' '} {t / ours:>7.0f}"
            print(line)
    if any(min(s, args.peer_samples) < s for s in sample_sizes) and peers:
        print(f"  * peer time measured on {args.peer_samples} samples and scaled to S")
    cold_runs()
    if importlib.util.find_spec("distributed"):
        cluster_scaling(registry, 1000, 2000 if args.quick else 10000)
    if not args.quick:
        n, s = 10000, 100000
        out = subprocess.run([sys.executable, __file__, "--memory-child", str(n), str(s)],
                             capture_output=True, text=True, check=True).stdout.split()
        peak, before, seconds = map(float, out)
        print(f"\n(c) uncertainty, S = {s:,}, N = {n:,}: peak memory {peak:.0f} MB "
              f"(process before the run: {before:.0f} MB), {seconds:.0f} s; target < 1024 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
