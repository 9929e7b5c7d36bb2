"""The JSON of ``cityrank uncertainty --format json``, read back for reports and charts."""

from __future__ import annotations

import json
import math

from ..errors import CityrankError
from .text import read_bounded

#: the largest uncertainty JSON read (a row is about 200 bytes: some 300,000 cities)
JSON_LIMIT = 1 << 26

RANK_FIELDS = ("nominal_rank", "median_rank", "p05_rank", "p95_rank", "mean_rank")


def check_rows(rows, ed, path) -> None:
    """Each row as `cityrank uncertainty --format json` writes it, for a city of the edition:
    every rank field present (a number, or null for a city without ranks), ranks within
    1 … the number of cities, the 5 % rank ≤ the median ≤ the 95 % rank, the top share in
    [0, 1], each city once."""
    ids = set(ed.city_ids)
    if not isinstance(rows, list):
        raise CityrankError("'cities' must be a list", file=path)
    seen = set()
    for n, row in enumerate(rows, start=1):
        where = f"cities[{n}]"
        if (not isinstance(row, dict) or not isinstance(row.get("id"), str) or row["id"] not in ids
                or not isinstance(row.get("name"), str)):
            raise CityrankError(f"{where}: expected an object with the 'id' and 'name' of a city of {ed.id!r}",
                                file=path)
        if row["id"] in seen:
            raise CityrankError(f"{where}: city {row['id']!r} is listed twice", file=path)
        seen.add(row["id"])
        for key in (*RANK_FIELDS, "top_share"):
            value = row.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or not math.isfinite(value)):
                raise CityrankError(f"{where}: {key!r} must be a number or null, got {value!r}", file=path)
            if key != "top_share" and value is not None and not 1 <= value <= len(ed.cities):
                raise CityrankError(f"{where}: {key!r} must be a rank from 1 to {len(ed.cities)}, got {value!r}",
                                    file=path)
        missing = [key for key in (*RANK_FIELDS, "top_share") if key not in row]
        if missing:
            raise CityrankError(f"{where}: {', '.join(map(repr, missing))} missing", file=path)
        if not isinstance(row.get("top_share"), int | float) or not 0 <= row["top_share"] <= 1:
            raise CityrankError(f"{where}: 'top_share' must be a share from 0 to 1", file=path)
        sampled = [row[k] for k in ("p05_rank", "median_rank", "p95_rank", "mean_rank")]
        if any(v is None for v in sampled) and not all(v is None for v in sampled):
            raise CityrankError(f"{where}: the 5 %, median, 95 % and mean ranks are all numbers or all null", file=path)
        if sampled[0] is not None and not sampled[0] <= sampled[1] <= sampled[2]:
            raise CityrankError(f"{where}: the ranks must be in order, 5 % ≤ median ≤ 95 %", file=path)


def read(path, ed) -> list[dict]:
    """The rows of an uncertainty JSON file written for edition ``ed`` (a model.Spec),
    each checked as :func:`check_rows` says."""
    try:
        data = json.loads(read_bounded(path, JSON_LIMIT, "the JSON of `cityrank uncertainty`", CityrankError)
                          .decode("utf-8"))
        rows = data["cities"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CityrankError(f"not the JSON of `cityrank uncertainty --format json`: {exc}", file=path) from None
    if data.get("edition") != ed.id:
        raise CityrankError(f"it is for edition {data.get('edition')!r}, not {ed.id!r}", file=path)
    check_rows(rows, ed, path)
    return rows
