"""Writers of a :class:`~cityrank.model.Result`: terminal table, CSV, JSON; atomic file output."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from operator import attrgetter
from typing import Any

import numpy as np

from .. import installed
from ..model import Result, thaw
from .atomic import write_atomic  # noqa: F401 - writers and write_atomic from one module


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
        "cityrank_version": installed.version("cityrank"),
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
    """The one JSON writer: always valid JSON (no NaN), UTF-8 text, a final newline. The first
    two levels are indented, a line each; deeper values (a city, an indicator) are written on
    one line by the C encoder, which is many times faster than an indented dump."""
    try:
        return _dump(data, 0) + "\n"
    except ValueError:  # NaN or ±inf somewhere: made null first
        return _dump(jsonable(data), 0) + "\n"


def _dump(value: Any, depth: int) -> str:
    if depth < 2 and isinstance(value, Mapping) and value:
        pad = "  " * (depth + 1)
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if depth < 2 and isinstance(value, list | tuple) and value:
        pad = "  " * (depth + 1)
        return "[\n" + ",\n".join(pad + _dump(v, depth + 1) for v in value) + "\n" + "  " * depth + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_plainer)


def _plainer(value: Any) -> Any:
    """What the C encoder has no type for: numpy numbers, arrays, read-only mappings; else text."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def stage_csv(result: Result, stage: str) -> str:
    """One stage's indicator data as CSV: city_id, name, one column per indicator."""
    values = result.stages[stage]
    ids = result.edition.framework.indicator_ids
    columns = [text_column(map(attrgetter("id"), result.cities)), text_column(map(attrgetter("name"), result.cities)),
               *(number_column(values[:, j]) for j in range(len(ids)))]
    return csv_columns(["city_id", "name", *ids], columns)


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


def _quoted(text: str) -> str:
    """A CSV field: quoted when it holds a comma, a quote or a line break (``\r`` too, which a
    reader would take for a line end), quotes doubled."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _quoted(safe_cell(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def csv_text(header: list[str], rows) -> str:
    """CSV with ``\n`` line ends; None is an empty cell, text cells are :func:`safe_cell`."""
    lines = [",".join(map(_field, header)), *(",".join(map(_field, row)) for row in rows)]
    return "\n".join(lines) + "\n"


def csv_columns(header: list[str], columns: list[list[str]]) -> str:
    """CSV from columns of finished fields (see :func:`text_column`, :func:`number_column`).

    Fields and separators are laid into one list by slice assignment (a column at a time)
    and joined once, instead of joining each row."""
    width, rows = len(columns), len(columns[0]) if columns else 0
    if any(len(col) != rows for col in columns):
        raise ValueError("columns of different lengths")
    cells: list[str] = [","] * (2 * width * rows)
    for j, col in enumerate(columns):
        cells[2 * j::2 * width] = col
    cells[2 * width - 1::2 * width] = ["\n"] * rows
    return ",".join(map(_field, header)) + "\n" + "".join(cells)


def text_column(values) -> list[str]:
    """Text fields (None empty), each :func:`safe_cell` and quoted where needed."""
    values = ["" if v is None else v for v in values]
    joined = "\n".join(values)
    if not _needs_care(joined, len(values)):
        return values  # nothing to quote, no cell a spreadsheet would read as a formula
    return [_quoted(safe_cell(v)) for v in values]


def _needs_care(joined: str, count: int) -> bool:
    """Whether text cells joined by line breaks hold a character to quote (a comma, a quote,
    a line break inside a cell, a carriage return) or a cell starting as a formula does
    (:data:`FORMULA_START`): substring searches, each one pass in C."""
    if "," in joined or '"' in joined or "\r" in joined or joined.count("\n") != max(count - 1, 0):
        return True
    return joined.startswith(FORMULA_START) or any("\n" + start in joined for start in FORMULA_START)


def number_column(values: np.ndarray, *, whole: bool = False) -> list[str]:
    """Floats as their shortest exact text (ranks as whole numbers), NaN as an empty field."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    if whole:
        text = list(map(str, np.where(missing, 0, values).astype(np.int64).tolist()))
    else:
        text = list(map(repr, values.tolist()))
    for k in np.flatnonzero(missing).tolist():
        text[k] = ""
    return text


def to_csv(result: Result) -> str:
    order = result.order()
    domains = list(result.nodes[1:])

    def ordered(values) -> list[str]:  # fields made in the cities' order, then put in rank order
        return np.array(text_column(values), dtype=object)[order].tolist()

    cities = result.cities
    columns = [number_column(result.ranks[order, 0], whole=True), ordered([c.id for c in cities]),
               ordered([c.name for c in cities]), ordered([c.country for c in cities]),
               number_column(result.scores[order, 0]), ordered(result.tiers)]
    for k in range(1, len(result.nodes)):
        columns += [number_column(result.scores[order, k]), number_column(result.ranks[order, k], whole=True)]
    header = ["rank", "id", "name", "country", "score", "tier", *[f"{d}_{k}" for d in domains for k in ("score", "rank")]]
    return csv_columns(header, columns)


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
    ranked = sum(1 for t in result.tiers if t)
    title = f"{result.edition.title} — {ranked} {'city' if ranked == 1 else 'cities'} ranked"
    footer = [f"note: {n}" for n in result.notes]
    return "\n".join([title, "", *lines, *(["", *footer] if footer else [])]) + "\n"


FORMATS = {"table": to_table, "csv": to_csv, "json": to_json}
