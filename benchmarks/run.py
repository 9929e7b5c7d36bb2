"""Benchmarks: every speed and memory target of cityrank, each printed with its target.

    python3 dev.py bench            # the full grid (about a quarter of an hour)
    python3 dev.py bench --quick    # a smaller grid (a few minutes)

Every figure is measured in the same run on the same machine, a ratio against a reference:
  (a) one ranking pipeline in-process, N = 138 … 10,000 (for reference);
  (b) the Monte Carlo over weights (``uncertainty``, Dirichlet) against a numpy reference that
      computes the same quantiles, mean rank and top share: ≤ 1.5× at N = 138, 1,000, 10,000;
      the loops a user would write with scikit-criteria and pymcdm (default: ≥ 100× slower
      than cityrank; pymcdm with validation=False: ≥ 30×), timed on a subset of samples;
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
import resource
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from cityrank.analysis import Assumptions, WeightNoise, uncertainty
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


def pymcdm_loop(x, weights, validation=True):
    from pymcdm.methods import WSM
    from pymcdm.normalizations import minmax_normalization

    method, types = WSM(normalization_function=minmax_normalization), np.ones(K)
    for w in weights:
        method.rank(method(x, w, types, validation=validation))


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
    parser.add_argument("--quick", action="store_true", help="N ∈ {138, 1000}, S = 1000; smaller memory runs")
    parser.add_argument("--peer-samples", type=int, default=200, help="samples actually run by each peer loop")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--peak", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    if args.peak:
        peak_child(args.peak)
        return 0
    sizes = [138, 1000] if args.quick else [138, 1000, 10000]
    sample_sizes = [1000] if args.quick else [10000]
    loops = {"scikit-criteria": ("skcriteria", skcriteria_loop, 100), "pymcdm": ("pymcdm", pymcdm_loop, 100),
             "pymcdm no validation": ("pymcdm", partial(pymcdm_loop, validation=False), 30)}
    peers = {name: (loop, target) for name, (module, loop, target) in loops.items() if importlib.util.find_spec(module)}
    registry = Registry()
    print(f"peers installed: {', '.join(peers) or 'none (pip install scikit-criteria pymcdm)'}")
    print("\n(a) one ranking pipeline in-process (collect, normalise, aggregate, rank, tiers)")
    for n in sizes:
        edition = synthetic(n)
        print(f"  N = {n:>6}: {best(partial(run, edition, registry)) * 1000:8.1f} ms")
    from cityrank.analysis.sampler import THREADED_FROM, default_workers

    print(f"\n(b) Monte Carlo over weights (Dirichlet), seconds (cityrank with its default threads: 1 below "
          f"{THREADED_FROM:,} cities, else {default_workers()}); cityrank / numpy reference (target ≤ 1.5×), "
          "peer / cityrank (targets at N = 138)")
    for n in sizes:
        edition = synthetic(n)
        x = np.asarray(edition.data.values)
        assumptions = Assumptions.for_edition(edition, weights=WeightNoise("dirichlet", 50.0))
        for s in sample_sizes:
            ours = best(partial(uncertainty, edition, registry, samples=s, seed=1, assumptions=assumptions), 2)
            ref = best(partial(numpy_reference, x, s), 2)
            print(f"  N = {n:>6}, S = {s:>6}: cityrank {ours:7.3f}, numpy {ref:7.3f}: {ours / ref:5.2f}×; "
                  + _verdict(ours / ref, 1.5))
            if n != 138:
                continue
            weights = np.random.default_rng(0).dirichlet(np.full(K, 50.0 / K), size=min(s, args.peer_samples))
            for name, (loop, target) in peers.items():
                t = best(partial(loop, x, weights), 2) * s / len(weights)
                scaled = f" (timed on {len(weights)} samples, scaled)" if len(weights) < s else ""
                print(f"    {name:<22} {t:8.1f} s{scaled}: {t / ours:6.0f}× cityrank; target ≥ {target}×: "
                      f"{'met' if t / ours >= target else 'NOT met'}")
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
