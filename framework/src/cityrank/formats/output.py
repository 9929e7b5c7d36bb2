"""Writers of a :class:`~cityrank.model.Result`: terminal table, CSV, JSON; atomic file output."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CityrankError
from ..model import Result, thaw


def optional_float(value: float) -> float | None:
    """A float for JSON, None for NaN."""
    return None if math.isnan(value) else float(value)


def optional_int(value: float) -> int | None:
    """An int (a rank) for JSON, None for NaN."""
    return None if math.isnan(value) else int(value)


def result_dict(result: Result) -> dict[str, Any]:
    """Everything a result holds, as plain JSON-able data; cities in rank order."""
    ed = result.edition
    fw = ed.framework
    domains = list(result.nodes[1:])
    raw = result.stages.get("raw", np.full(result.indicator_scores.shape, np.nan))
    cities = []
    for i in result.order():
        c = result.cities[i]
        cities.append({
            "id": c.id, "name": c.name, "country": c.country,
            "score": optional_float(result.scores[i, 0]), "rank": optional_int(result.ranks[i, 0]), "tier": result.tiers[i],
            "domains": {d: {"score": optional_float(result.scores[i, k]), "rank": optional_int(result.ranks[i, k])}
                        for k, d in enumerate(domains, start=1)},
            "indicators": {ind.id: {"raw": optional_float(raw[i, j]), "score": optional_float(result.indicator_scores[i, j])}
                           for j, ind in enumerate(fw.indicators)},
        })
    return {
        "edition": {"id": ed.id, "title": ed.title},
        "cityrank_version": version("cityrank"),
        "inputs_sha256": result.inputs_sha256,
        "methods": thaw(result.methods),
        "weights": {"source": result.weights.source, "values": dict(result.weights.values)},
        "indicators": [{"id": ind.id, "name": ind.name, "domain": ind.parent,
                        "coverage": result.coverage[ind.id], "source": result.data_sources[ind.id] or None}
                       for ind in fw.indicators],
        "notes": list(result.notes),
        "screened": [{"id": c, "coverage": share} for c, share in result.screened],
        "cities": cities,
    }


def jsonable(value: Any) -> Any:
    """Plain JSON data: NaN and ±inf become null, numpy scalars Python numbers, tuples and
    read-only mappings lists and dicts; anything else that JSON has no type for, its text."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    return str(value)


def to_json_text(data: Any) -> str:
    """The one JSON writer: always valid JSON (no NaN), UTF-8 text, a final newline."""
    return json.dumps(jsonable(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def stage_csv(result: Result, stage: str) -> str:
    """One stage's indicator data as CSV: city_id, name, one column per indicator."""
    values = result.stages[stage]
    ids = result.edition.framework.indicator_ids
    rows = [[c.id, c.name, *(_csvoptional_float(v) for v in values[i])] for i, c in enumerate(result.cities)]
    return csv_text(["city_id", "name", *ids], rows)


def to_json(result: Result) -> str:
    return to_json_text(result_dict(result))


#: a text cell starting with one of these is read as a formula by spreadsheets; such cells get
#: a leading apostrophe (OWASP ASVS 5.0, requirement 1.2.10: https://asvs.emil.hemdal.se/1.2.10)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value: Any) -> Any:
    """A value for a CSV or spreadsheet cell: text that a spreadsheet would run as a formula
    is prefixed with ``'``; numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: list[str], rows) -> str:
    """CSV with ``\n`` line ends; None is an empty cell, text cells are :func:`safe_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([safe_cell(h) for h in header])
    for row in rows:
        w.writerow(["" if v is None else safe_cell(v) for v in row])
    return buf.getvalue()


def _csvoptional_float(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def to_csv(result: Result) -> str:
    domains = list(result.nodes[1:])
    rows = []
    for i in result.order():
        c = result.cities[i]
        row = [optional_int(result.ranks[i, 0]), c.id, c.name, c.country, _csvoptional_float(result.scores[i, 0]),
               result.tiers[i]]
        for k in range(1, len(result.nodes)):
            row += [_csvoptional_float(result.scores[i, k]), optional_int(result.ranks[i, k])]
        rows.append(row)
    header = ["rank", "id", "name", "country", "score", "tier", *[f"{d}_{k}" for d in domains for k in ("score", "rank")]]
    return csv_text(header, rows)


def to_table(result: Result, limit: int | None = None) -> str:
    """An aligned text table: rank, city, country, overall score, tier, then each domain."""
    fw = result.edition.framework
    domains = list(result.nodes[1:])
    head = ["rank", "city", "country", "score", "tier"]
    for d in domains:
        name = fw.node(d).name
        head += [name if len(name) <= 22 else name[:21] + "…", "#"]
    rows = []
    for i in result.order()[:limit]:
        c = result.cities[i]
        fmt = lambda v: "–" if math.isnan(v) else f"{round(v, 2) + 0.0:.2f}"  # noqa: E731 - never "-0.00"
        row = [str(optional_int(result.ranks[i, 0]) or "–"), c.name, c.country, fmt(result.scores[i, 0]),
               result.tiers[i] or ""]
        for k in range(1, len(result.nodes)):
            row += [fmt(result.scores[i, k]), str(optional_int(result.ranks[i, k]) or "–")]
        rows.append(row)
    widths = [max(len(r[j]) for r in [head, *rows]) for j in range(len(head))]
    numeric = {0, 3} | {5 + j for j in range(2 * len(domains))}
    lines = []
    for r in [head, *rows]:
        cells = [v.rjust(widths[j]) if j in numeric else v.ljust(widths[j]) for j, v in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    title = f"{result.edition.title} — {sum(1 for t in result.tiers if t)} cities ranked"
    footer = [f"note: {n}" for n in result.notes]
    return "\n".join([title, "", *lines, *(["", *footer] if footer else [])]) + "\n"


def write_atomic(path, text: str | bytes, *, force: bool = True) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file in the same folder, then
    rename, so a failure never leaves a half-written file; refuse an existing file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise CityrankError("the file exists; use --force to overwrite it", file=path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CityrankError("the output folder does not exist", file=path)
    if path.is_dir():
        raise CityrankError("is a folder, not a file", file=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", dir=folder)
    except OSError as exc:
        raise CityrankError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CityrankError(f"cannot write: {exc.strerror or exc}", file=path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


FORMATS = {"table": to_table, "csv": to_csv, "json": to_json}
