"""A weights file (``id,weight``) or mapping over the framework's domain and indicator ids."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..errors import SpecError
from ..model import (
    Framework,
    Weights,
)
from .csvfile import parse_number, read_rows
from .text import as_path, did_you_mean


def apply_weights_file(weights: Weights, framework: Framework, path, ignore=()) -> Weights:
    """Override local weights from a CSV with columns ``id,weight`` (nodes or indicators);
    rows for the ids ``ignore`` (indicators dropped from the edition) are skipped."""
    path = as_path(path)
    _, rows = read_rows(path, error=SpecError, required=("id", "weight"))
    known = set(weights.values)
    values = dict(weights.values)
    seen: dict[str, int] = {}
    for number, row in rows:
        if row["id"] in ignore:
            continue
        if row["id"] not in known:
            raise SpecError(f"unknown indicator or domain id {row['id']!r}{did_you_mean(row['id'], known)}", file=path,
                            row=number, column="id")
        if row["id"] in seen:
            raise SpecError(f"{row['id']!r} is given twice (first on row {seen[row['id']]})", file=path, row=number,
                            column="id")
        seen[row["id"]] = number
        w = parse_number(row["weight"], file=path, row=number, column="weight", error=SpecError, allow_missing=False)
        if w < 0:
            raise SpecError(f"negative weight {w:g}", file=path, row=number, column="weight")
        values[row["id"]] = w
    check_weights(values, framework, path)
    return Weights(values, f"file {path}")


def apply_weights_mapping(weights: Weights, framework: Framework, given: Mapping[str, float], ignore=()) -> Weights:
    """Override local weights from ``{id: weight}`` (nodes or indicators), as a weights file does."""
    values = dict(weights.values)
    for ident, w in given.items():
        if ident in ignore:
            continue
        if ident not in values:
            raise SpecError(f"weights: unknown indicator or domain id {ident!r}{did_you_mean(str(ident), values)}")
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise SpecError(f"weights: {ident!r} must be a non-negative number, got {w!r}")
        values[ident] = float(w)
    check_weights(values, framework, None)
    return Weights(values, "given: " + ", ".join(f"{k}={v:g}" for k, v in given.items()))


def check_weights(values: Mapping[str, float], framework: Framework, path) -> None:
    """Every node needs a child of positive weight: with all zero it could not be scored."""
    for node in framework.nodes:
        kids = [c.id for c in framework.children(node.id)]
        if kids and all(values[k] == 0 for k in kids):
            raise SpecError(f"all weights under {node.id!r} are zero ({', '.join(kids)})", file=path)
