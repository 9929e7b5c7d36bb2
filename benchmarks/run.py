"""Benchmarks: every speed and memory target of cityrank, each printed with its target.

    python3 dev.py bench            # the full grid (about 7 minutes on 2 cores)
    python3 dev.py bench --quick    # N = 138 and 1,000 only, smaller memory runs (about 4 minutes)
    python3 dev.py bench --pairs 9  # more interleaved runs of each side (at least 5)

Every figure is measured in the same run on the same machine, a ratio against a reference:
  (a) one ranking pipeline in-process, N = 138 … 10,000 (for reference);
  (b) the Monte Carlo over weights (``uncertainty`` and ``sensitivity``, Dirichlet at every
      node) against a plain numpy reference that computes the same outputs from the same
      draws (single-argsort ranks; numpy's quantiles of every rank, which cityrank's counts
      must equal where they are exact and approach within their stated resolution where they
      bin), on as many threads as cityrank uses (and on one thread each), in interleaved
      pairs, with the sort floor (an argsort of the S × N scores, chunked as it runs fastest)
      measured between them:
      cityrank ≤ 0.8× the reference and ≤ 2× the floor at N = 138, 1,000, 10,000; the loops a
      user would write with scikit-criteria and pymcdm (≥ 100× slower than cityrank; pymcdm
      with validation=False: ≥ 30×), on at least 1,000 samples;
  (c) ``cityrank run`` on synthetic editions of 10,000 and 100,000 cities (≤ 1 s, linear);
  (d) cold runs of every installed edition and of examples/brics-15000, and ``--help``,
      against ``python -c "import numpy"`` (brics-2024 with its providers' results cached
      ≤ 1.3×, --help ≤ 1.5×), and brics-2024's first run after a change (no cached results);
      bytecode is compiled first, as any Python does on a first run;
  (e) the Monte Carlo on a LocalCluster of 1 and 2 workers: the parallel fraction;
  (f) peak memory: ``uncertainty`` at N = 100,000 (< 2 GB; at two sample counts, to show it
      does not grow with S) and ``sensitivity --samples 10000`` on brics-2024 (< 300 MB);
  (g) ``uncertainty`` on examples/brics-15000.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from cityrank.analysis import Assumptions, WeightNoise, uncertainty
from cityrank.analysis.sampler import BLOCK
from cityrank.engine import run
from cityrank.model import City, Framework, Indicator, Methods, Node, Spec, Weights
from cityrank.plugins import Registry

K = 11
DOMAINS = {"traditional": 4, "digital": 4, "institutional": 3}


def synthetic(n: int, seed: int = 0) -> Spec:
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
    return Spec("bench", "benchmark", cities, fw, weights, Methods(), data=data)


def best(func, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return min(times)


# --- (b) the Monte Carlo and its plain numpy reference -------------------------------------

CONCENTRATION = 50.0
TOP = 0.1
QS = (0.5, 0.05, 0.95)  # the median and the 5th and 95th percentiles, in cityrank's order


def minmax(x: np.ndarray) -> np.ndarray:
    """Min-max to 0–100, column by column (the edition's default normaliser)."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    return (x - lo) / (hi - lo) * 100


def dirichlet(rng, k: int, size: int) -> np.ndarray:
    """A node's k children's weights: Dirichlet around equal weights, total concentration 50."""
    return rng.dirichlet(CONCENTRATION * (np.ones(k) / k), size=size)


def effective(top: np.ndarray, domains: list[np.ndarray]) -> np.ndarray:
    """Each indicator's weight in the index ``(S, K)``: its share in its domain × the domain's."""
    share = top / top.sum(axis=1, keepdims=True)
    return np.concatenate([d / d.sum(axis=1, keepdims=True) * share[:, [j]] for j, d in enumerate(domains)], axis=1)


def block_weights(seed: int, block: int) -> np.ndarray:
    """The effective weights ``(1024, K)`` of one draw block, drawn as cityrank draws them (a
    generator per (seed, block); the choices of imputation, normaliser and aggregator first,
    then each node's Dirichlet, the index first) so that the outputs can be compared."""
    rng = np.random.default_rng([seed, block])
    for _ in range(3):
        rng.integers(1, size=BLOCK)
    top = dirichlet(rng, len(DOMAINS), BLOCK)
    return effective(top, [dirichlet(rng, k, BLOCK) for k in DOMAINS.values()])


def rank_rows(scores: np.ndarray, out: np.ndarray) -> None:
    """Ranks (1 = highest) of each row by one argsort, into ``out``."""
    n = scores.shape[1]
    np.put_along_axis(out, np.argsort(scores, axis=1), np.arange(n, 0, -1, dtype=out.dtype), axis=1)


def rank_with_ties(scores: np.ndarray, out: np.ndarray) -> None:
    """Ranks as cityrank gives them (scores within a billionth of the scale tie), into ``out``:
    for the checks of the outputs only, so that they compare the counting and the statistics."""
    from cityrank.ranking import int_ranks

    out[:] = int_ranks(scores)


def split(total: int, parts: int) -> list[tuple[int, int]]:
    edges = np.linspace(0, total, parts + 1).astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges.tolist()) if b > a]


def on_threads(threads: int, func, items) -> list:
    """``func`` over ``items`` on ``threads`` threads (numpy releases the GIL while it works)."""
    if threads == 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(func, items))


def reference_uncertainty(x: np.ndarray, samples: int, seed: int, threads: int, chunk: int, rank=None):
    """What ``uncertainty`` computes, written plainly with numpy: min-max, the draws of each
    block, scores by a matrix product and ranks by one argsort per chunk of samples (chunks
    of cityrank's size), every rank kept (S × N int32), then numpy's 5/50/95 % quantiles
    ('linear', as cityrank), the mean rank and the share of samples in the top 10 % per city.
    Threads take whole blocks, then city columns. ``rank``: how rows are ranked (default
    :func:`rank_rows`)."""
    rank = rank or rank_rows
    z = minmax(x)
    n = len(x)
    ranks = np.empty((samples, n), dtype=np.int32)

    def block(b):
        w = block_weights(seed, b)[:min(BLOCK, samples - b * BLOCK)]
        for lo in range(0, len(w), chunk):
            hi = min(lo + chunk, len(w))
            rank(w[lo:hi] @ z.T, ranks[b * BLOCK + lo:b * BLOCK + hi])

    on_threads(threads, block, range(-(-samples // BLOCK)))
    limit = np.floor(TOP * n + 1e-9)

    def stats(bounds):
        r = ranks[:, bounds[0]:bounds[1]]
        return np.quantile(r, QS, axis=0), r.mean(axis=0), (r <= limit).mean(axis=0)

    parts = on_threads(threads, stats, split(n, threads))
    return tuple(np.concatenate([p[i] for p in parts], axis=-1) for i in range(3))


def bank(seed: int, replicates: int) -> dict[str, np.ndarray]:
    """cityrank's bank of weight replicates for ``sensitivity``: per node, sorted by name, a
    generator (seed, 11, j)."""
    nodes = {"index": len(DOMAINS), **DOMAINS}
    return {node: dirichlet(np.random.default_rng([seed, 11, j]), nodes[node], replicates)
            for j, node in enumerate(sorted(nodes))}


def reference_sensitivity(x: np.ndarray, samples: int, seed: int, threads: int, chunk: int, rank=None,
                          replicates: int = 100, resamples: int = 1000, confidence: float = 0.95):
    """What ``sensitivity`` computes when only the weights vary, written plainly: the Saltelli
    design (A, B and A with the weights from B) over a bank of weight replicates, the mean
    absolute rank shift of each run from the nominal ranks (one argsort per chunk), the
    first-order (Saltelli 2010) and total (Jansen 1999) indices, and bootstrap intervals.
    ``rank``: how rows are ranked (default :func:`rank_rows`)."""
    rank = rank or rank_rows
    z = minmax(x)
    n = len(x)
    nominal = np.empty((1, n), dtype=np.int32)
    equal = effective(np.ones((1, len(DOMAINS))), [np.ones((1, k)) for k in DOMAINS.values()])
    rank(equal @ z.T, nominal)  # the nominal ranks: equal weights at every node
    rng = np.random.default_rng([seed, 7])
    a, b = rng.random((samples, 1)), rng.random((samples, 1))
    pick = np.minimum((np.concatenate([a, b, b])[:, 0] * replicates).astype(int), replicates - 1)
    w = bank(seed, replicates)
    eff = effective(w["index"], [w[d] for d in DOMAINS])[pick]
    y = np.empty(len(eff))

    def runs(bounds):
        ranks = np.empty((chunk, n), dtype=np.int32)
        for lo in range(bounds[0], bounds[1], chunk):
            hi = min(lo + chunk, bounds[1])
            rank(eff[lo:hi] @ z.T, ranks[:hi - lo])
            y[lo:hi] = np.abs(ranks[:hi - lo] - nominal).mean(axis=1)

    on_threads(threads, runs, split(len(eff), threads))
    y_a, y_b, y_ab = y[:samples], y[samples:2 * samples], y[2 * samples:]

    def indices(ya, yb, yab):
        v = np.var(np.concatenate([ya, yb], axis=-1), axis=-1, ddof=1)
        return np.mean(yb * (yab - ya), axis=-1) / v, np.mean((ya - yab) ** 2, axis=-1) / (2 * v)

    first, total = indices(y_a, y_b, y_ab)
    boot = np.random.default_rng([seed, 13]).integers(samples, size=(resamples, samples))
    bf, bt = indices(y_a[boot], y_b[boot], y_ab[boot])
    alpha = (1 - confidence) / 2
    return first, total, np.quantile(bf, [alpha, 1 - alpha]), np.quantile(bt, [alpha, 1 - alpha])


def sort_floor(values: np.ndarray, threads: int, chunk: int) -> None:
    """One argsort of every row of ``values`` ``(S, N)``, by chunks of rows, on ``threads``."""
    def part(bounds):
        for lo in range(bounds[0], bounds[1], chunk):
            np.argsort(values[lo:min(lo + chunk, bounds[1])], axis=1)

    on_threads(threads, part, split(len(values), threads))


def fastest_floor(values: np.ndarray, threads: int, chunk: int) -> int:
    """Rows per argsort under which :func:`sort_floor` runs fastest here (best of 3 each):
    cityrank's chunk, 64, 256, 1,024 or all at once (up to 256 MB). The floor is then the
    cheapest way numpy argsorts these values, not the way cityrank would like it."""
    candidates = {chunk, 64, 256, 1024} | ({len(values)} if values.nbytes <= 2**28 else set())
    return min(sorted(candidates), key=lambda c: best(partial(sort_floor, values, threads, c)))


def paired(funcs: dict, pairs: int) -> dict[str, dict[str, list[float]]]:
    """Seconds of each of ``funcs``, run in turn ``pairs`` times (the order reversed every
    other round, so that a drift of the machine's load favours none): wall-clock time and
    this process's CPU time (all its threads). A function that takes less than 0.2 s is run
    as many times as fill 0.2 s and timed by their mean (each side alike)."""
    repeats = {}
    for name, func in funcs.items():  # a first run of each, untimed: imports, caches
        t = time.perf_counter()
        func()
        repeats[name] = max(1, min(20, int(0.2 / max(time.perf_counter() - t, 1e-3))))
    times = {"wall": {name: [] for name in funcs}, "cpu": {name: [] for name in funcs}}
    for i in range(pairs):
        for name in (list(funcs) if i % 2 == 0 else list(funcs)[::-1]):
            t, c = time.perf_counter(), time.process_time()
            for _ in range(repeats[name]):
                funcs[name]()
            times["wall"][name].append((time.perf_counter() - t) / repeats[name])
            times["cpu"][name].append((time.process_time() - c) / repeats[name])
    return times


def ratio(a: list[float], b: list[float]) -> str:
    """Median and range of the paired ratios a / b."""
    r = np.array(a) / np.array(b)
    return f"{np.median(r):.2f}× [{r.min():.2f}–{r.max():.2f}]"


def blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS threads: not known (threadpoolctl not installed)"
    info = [f"{i['internal_api']} {i['num_threads']} thread(s)" for i in threadpool_info() if i["user_api"] == "blas"]
    return "BLAS: " + (", ".join(info) or "none found")


def monte_carlo(registry, sizes, samples: int, sens_samples: int, pairs: int) -> None:
    """(b): cityrank's uncertainty and sensitivity against their references and the floor."""
    from cityrank.analysis import sensitivity
    from cityrank.analysis.sampler import default_chunk, default_workers

    print(f"\n(b) Monte Carlo over weights (Dirichlet, concentration 50, at every node), {pairs} interleaved "
          f"runs of each; each figure: median [range] of the paired ratios; {blas_threads()}, left as they are")
    for n in sizes:
        edition = synthetic(n)
        x = np.asarray(edition.data.values)
        assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", CONCENTRATION))
        chunk = default_chunk(n, K)
        scores = np.random.default_rng(9).random((max(samples, 3 * sens_samples), n))  # for the floor
        configs = sorted({default_workers(n), 1}, reverse=True)
        for threads in configs:
            label = f"N = {n:,}, {threads} thread{'s' if threads > 1 else ''}" + (
                " (cityrank's default)" if threads == default_workers(n) else "")
            ours = partial(uncertainty, edition, registry, samples=samples, seed=1, assumptions=assumptions,
                           workers=threads)
            ref = partial(reference_uncertainty, x, samples, 1, threads, chunk)
            rows = fastest_floor(scores[:samples], threads, chunk)
            t = paired({"cityrank": ours, "reference": ref,
                        "floor": partial(sort_floor, scores[:samples], threads, rows)}, pairs)
            _report(f"uncertainty, S = {samples:,}, {label} (floor: {rows:,} rows per argsort)", t)
            check_uncertainty(ours(), ref(), reference_uncertainty(x, samples, 1, threads, chunk, rank_with_ties))
            runs = 3 * sens_samples
            ours_s = partial(sensitivity, edition, registry, samples=sens_samples, seed=1, assumptions=assumptions,
                             workers=threads)
            ref_s = partial(reference_sensitivity, x, sens_samples, 1, threads, chunk)
            rows = fastest_floor(scores[:runs], threads, chunk)
            t = paired({"cityrank": ours_s, "reference": ref_s,
                        "floor": partial(sort_floor, scores[:runs], threads, rows)}, pairs)
            _report(f"sensitivity, {sens_samples:,} base samples ({runs:,} runs), {label} (floor: {rows:,} rows "
                    "per argsort)", t)
            check_sensitivity(ours_s(), ref_s(), reference_sensitivity(x, sens_samples, 1, threads, chunk, rank_with_ties))


def _report(title: str, times: dict) -> None:
    t = times["wall"]
    med = {k: float(np.median(v)) for k, v in t.items()}
    vs_ref = np.median(np.array(t["cityrank"]) / np.array(t["reference"]))
    vs_floor = np.median(np.array(t["cityrank"]) / np.array(t["floor"]))
    c = times["cpu"]
    print(f"  {title}: cityrank {med['cityrank']:.3f} s, reference {med['reference']:.3f} s, "
          f"sort floor {med['floor']:.3f} s")
    print(f"    cityrank / reference {ratio(t['cityrank'], t['reference'])}; {_verdict(vs_ref, 0.8)} "
          f"(CPU time: {ratio(c['cityrank'], c['reference'])})")
    print(f"    cityrank / floor {ratio(t['cityrank'], t['floor'])}; {_verdict(vs_floor, 2.0)} "
          f"(CPU time: {ratio(c['cityrank'], c['floor'])}); reference / floor {ratio(t['reference'], t['floor'])}")


def check_uncertainty(result, reference, with_ties) -> None:
    """cityrank's statistics against numpy's over every rank of the same draws: equal where
    its counts are exact, quantiles within resolution − 1 ranks and the mean within
    (resolution − 1)/2 where they bin. The reference's argsort does not tie scores within a
    billionth of the scale as cityrank does, so the check ranks them as cityrank does
    (``with_ties``); how far the argsort reference is off is shown too."""
    ours = np.stack([result.median, result.p05, result.p95])
    width = result.resolution

    def gaps(ref):
        q, mean, top = ref
        return np.abs(ours - q).max(), np.abs(result.mean - mean).max(), np.abs(result.top_share - top).max()

    dq, dm, dt = gaps(with_ties)
    ok = dq <= width - 1 + 1e-9 and dm <= (width - 1) / 2 + 1e-9 and (width > 1 or dt == 0)
    exact = "exact counts" if width == 1 else f"counts in bins of up to {width} ranks"
    aq, am, at = gaps(reference)
    print(f"    same outputs ({exact}; ranks tied as cityrank ties them): quantiles max |Δ| {dq:g} ranks, "
          f"mean rank {dm:.3g}, top share {dt:.3g}; within the stated error: {'yes' if ok else 'NO'} "
          f"(argsort reference: {aq:g}, {am:.3g}, {at:.3g})")


def check_sensitivity(result, reference, with_ties) -> None:
    """The indices and their intervals against the reference's, ties as in cityrank (equal
    but for the order of float sums) and as the argsort reference gives them."""

    def gap(ref):
        first, total, first_ci, total_ci = ref
        return max(abs(result.first[0] - first), abs(result.total[0] - total),
                   np.abs(result.first_ci[0] - first_ci).max(), np.abs(result.total_ci[0] - total_ci).max())

    d = gap(with_ties)
    print(f"    same outputs (ranks tied as cityrank ties them): indices and intervals max |Δ| {d:.2g}; "
          f"equal: {'yes' if d <= 1e-9 else 'NO'} (argsort reference: {gap(reference):.2g})")


def skcriteria_loop(x, weights):
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.preprocessing.scalers import MinMaxScaler

    scaler, model = MinMaxScaler(target="matrix"), WeightedSumModel()
    for w in weights:
        dm = skc.mkdm(x, objectives=[max] * K, weights=w)
        _ = model.evaluate(scaler.transform(dm)).rank_


def pymcdm_loop(x, weights, validation=True):
    from pymcdm.methods import WSM
    from pymcdm.normalizations import minmax_normalization

    method, types = WSM(normalization_function=minmax_normalization), np.ones(K)
    for w in weights:
        method.rank(method(x, w, types, validation=validation))


def peers_at_138(registry, peers: dict, samples: int, pairs: int) -> None:
    """The loops a user would write with each peer, at N = 138, against cityrank on the same
    samples (the same effective weights). A loop only ranks: its quantiles would cost more."""
    if not peers:
        return
    n = 138
    edition = synthetic(n)
    x = np.asarray(edition.data.values)
    assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", CONCENTRATION))
    weights = np.concatenate([block_weights(1, b) for b in range(-(-samples // BLOCK))])[:samples]
    funcs = {"cityrank": partial(uncertainty, edition, registry, samples=samples, seed=1, assumptions=assumptions,
                                 workers=1)}
    funcs |= {name: partial(loop, x, weights) for name, (loop, _target) in peers.items()}
    t = paired(funcs, pairs)["wall"]
    print(f"\n    peers at N = {n}, S = {samples:,} (each loop run on all of them), one thread, {pairs} interleaved runs:")
    for name, (_loop, target) in peers.items():
        r = np.array(t[name]) / np.array(t["cityrank"])
        print(f"    {name:<22} {np.median(t[name]):7.2f} s: {np.median(r):6.0f}× cityrank [{r.min():.0f}–{r.max():.0f}]; "
              f"target ≥ {target}×: {'met' if np.median(r) >= target else 'NOT met'}")


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


def peak_child(argv: list[str]) -> None:
    """Run a cityrank command in this process and print its peak memory (MB) on stderr."""
    from cityrank.cli import main as cli_main

    try:
        cli_main(argv)
    except SystemExit:
        pass
    finally:
        print(f"PEAK {peak_rss_mb():.0f}", file=sys.stderr)


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


ROOT = Path(__file__).resolve().parents[1]


def _cli() -> str:
    return str(Path(sys.executable).with_name("cityrank"))


def _timed(cmd, repeat: int = 3) -> float:
    return best(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat)


def _verdict(value: float, target: float, unit: str = "×") -> str:
    return f"target ≤ {target:g}{unit}: {'met' if value <= target else 'NOT met'}"


def cold_runs(repeat: int = 3) -> None:
    """Each installed edition and the scale example run from a fresh process (imports,
    plugins, providers' data), as a user's command, against a fresh ``python -c "import numpy"``."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", *map(str, ROOT.glob("*/*/src")), str(ROOT / "framework/src")],
                   capture_output=True, check=False)
    numpy_only = _timed([sys.executable, "-c", "import numpy"], repeat)
    print(f"\n(d) cold runs (best of {repeat}) against python -c 'import numpy' ({numpy_only * 1000:.0f} ms)")
    help_time = _timed([_cli(), "--help"], repeat)
    print(f"  {'--help':<14} {help_time * 1000:7.0f} ms  {help_time / numpy_only:5.1f}× import numpy; "
          + _verdict(help_time / numpy_only, 1.5))
    editions = sorted(m.id for m in Registry().methods("edition"))
    for edition in [*editions, "examples/brics-15000"]:  # providers' results cached by the first run
        t = _timed([_cli(), "run", str(ROOT / edition) if "/" in edition else edition, "--format", "json"], repeat)
        target = "; " + _verdict(t / numpy_only, 1.3) if edition == "brics-2024" else ""
        print(f"  {edition:<14} {t * 1000:7.0f} ms  {t / numpy_only:5.1f}× import numpy{target}")
    first = best(partial(_first_run, ["run", "brics-2024", "--format", "json"]), repeat)
    print(f"  brics-2024, no cached results (a first run) {first * 1000:7.0f} ms  {first / numpy_only:5.1f}× import numpy")


def _first_run(args) -> None:
    """A run with the providers' cached results removed first (parsed data files stay)."""
    from cityrank import derived

    for entry in derived.cache_dir().glob(derived.PROVIDER_PREFIX + "*"):
        entry.unlink(missing_ok=True)
    subprocess.run([_cli(), *args], capture_output=True, check=True)


def write_synthetic_folder(folder: Path, n: int, seed: int = 0) -> Path:
    """An edition folder of n made-up cities (edition.toml, cities.csv, data.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ids = [f"c{i}" for i in range(n)]
    (folder / "cities.csv").write_text("id,name,country\n" + "".join(f"{c},City {c},XXX\n" for c in ids))
    names = [f"{d}_{j}" for d, k in DOMAINS.items() for j in range(k)]
    values = rng.lognormal(size=(n, K))
    (folder / "data.csv").write_text("city_id," + ",".join(names) + "\n"
                                     + "".join(c + "," + ",".join(map(repr, row)) + "\n" for c, row in zip(ids, values.tolist(), strict=True)))
    spec = ['[edition]\nid = "synthetic"\ntitle = "synthetic"\nyear = 2024\ncities = "cities.csv"\ndata = "data.csv"\n',
            '[index]\nid = "index"\nname = "Index"\n']
    spec += [f'[[domains]]\nid = "{d}"\nname = "{d}"\n' for d in DOMAINS]
    spec += [f'[[indicators]]\nid = "{i}"\nname = "{i}"\ndomain = "{i.rsplit("_", 1)[0]}"\n' for i in names]
    (folder / "edition.toml").write_text("\n".join(spec))
    return folder


def cli_runs(sizes=(10_000, 100_000), repeat: int = 3) -> None:
    """``cityrank run`` on a synthetic edition folder, CSV out, from a fresh process."""
    import tempfile

    print(f"\n(c) cityrank run FOLDER --format csv -o FILE, synthetic editions (best of {repeat})")
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = write_synthetic_folder(Path(tmp) / f"n{n}", n)
            times[n] = _timed([_cli(), "run", str(folder), "--format", "csv", "-o", str(folder / "out.csv"), "--force"], repeat)
            print(f"  N = {n:>7,}: {times[n]:6.2f} s" + (f"; {_verdict(times[n], 1.0, ' s')}" if n == 100_000 else ""))
    small, big = sizes[0], sizes[-1]
    print(f"  growth {small:,} → {big:,} cities: {times[big] / times[small]:.1f}× for {big / small:.0f}× the cities "
          f"(linear or better: {'yes' if times[big] / times[small] <= big / small * 1.1 else 'NO'})")


def peak_memory(quick: bool) -> None:
    print("\n(f) peak memory (fresh processes)")
    n = 100_000
    for s in ((500, 1000) if quick else (2_000, 10_000)):
        out = subprocess.run([sys.executable, __file__, "--memory-child", str(n), str(s)],
                             capture_output=True, text=True, check=True).stdout.split()
        peak, before, seconds = map(float, out)
        print(f"  uncertainty N = {n:,}, S = {s:,}: {peak:.0f} MB (before the run {before:.0f} MB), {seconds:.0f} s; "
              + _verdict(peak, 2048, " MB"))
    print("  (rank counts are kept per city in at most 2,048 bins and samples are drawn in blocks: the peak does not "
          "grow with S, so S = 100,000 peaks where these do)")
    err = subprocess.run([sys.executable, __file__, "--peak", "sensitivity", "brics-2024", "--samples", "10000",
                          "--format", "json"], capture_output=True, text=True, check=False).stderr
    peak = float(next(line.split()[1] for line in err.splitlines() if line.startswith("PEAK")))
    print(f"  sensitivity brics-2024 --samples 10000: {peak:.0f} MB; " + _verdict(peak, 300, " MB"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N ∈ {138, 1000}; smaller memory runs")
    parser.add_argument("--peer-samples", type=int, default=1000, help="samples each peer loop runs (at least 1,000)")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved runs of each side (at least 5)")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--peak", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer_samples < 1000 or args.pairs < 5:
        parser.error("--peer-samples must be at least 1000 and --pairs at least 5")
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    if args.peak:
        peak_child(args.peak)
        return 0
    sizes = [138, 1000] if args.quick else [138, 1000, 10000]
    sample_sizes = 10000
    sens_samples = 2000
    loops = {"scikit-criteria": ("skcriteria", skcriteria_loop, 100), "pymcdm": ("pymcdm", pymcdm_loop, 100),
             "pymcdm no validation": ("pymcdm", partial(pymcdm_loop, validation=False), 30)}
    peers = {name: (loop, target) for name, (module, loop, target) in loops.items() if importlib.util.find_spec(module)}
    registry = Registry()
    print(f"peers installed: {', '.join(peers) or 'none (pip install scikit-criteria pymcdm)'}")
    print("\n(a) one ranking pipeline in-process (collect, normalise, aggregate, rank, tiers)")
    for n in sizes:
        edition = synthetic(n)
        print(f"  N = {n:>6}: {best(partial(run, edition, registry)) * 1000:8.1f} ms")
    monte_carlo(registry, sizes, sample_sizes, sens_samples, args.pairs)
    peers_at_138(registry, peers, args.peer_samples, args.pairs)
    cli_runs((10_000, 100_000))
    cold_runs()
    if importlib.util.find_spec("distributed"):
        cluster_scaling(registry, 1000, 2000 if args.quick else 10000)
    peak_memory(args.quick)
    t = _timed([_cli(), "uncertainty", str(ROOT / "examples/brics-15000"), "--samples", "1000", "--format", "csv"], 1)
    print(f"\n(g) uncertainty on examples/brics-15000 (10,848 cities), S = 1,000: {t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
