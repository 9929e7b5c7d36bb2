"""Property: whatever one changes in an edition's files, the CLI gives a valid ranking (exit 0)
or one error line (exit 2), never a traceback, never a half-written file."""

from __future__ import annotations

import copy
import datetime
import json
import math
import shutil
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"
DOC = tomllib.loads((TINY / "edition.toml").read_text())
#: the tiny edition with every optional table filled in, so that mutations reach them too
RICH = {
    **DOC,
    "edition": {**DOC["edition"], "sources": ["https://example.org/a"], "status": "made up",
                "facts": [{"fact": "cities", "value": "5", "source": "https://example.org/a"}]},
    "methods": {**DOC["methods"], "tiers": [0.2, 1.0], "screen": {"min_coverage": 0.5}},
    "weights": {"notes": "made up", "nodes": {"digital": "entropy"}},
    "experts": {"ahp": [{"node": "index", "items": ["digital", "traditional"], "matrices": [[[1, 3], ["1/3", 1]],
                                                                                         [[1, 2], [0.5, 1]]],
                         "aggregation": "aip", "expert_weights": [1, 2], "prioritisation": "llsm"}],
                "budget": [{"node": "traditional", "allocations": [[60, 40], [30, 70]], "total": 100}]},
    "uncertainty": {"normalisers": ["minmax", "rank"], "aggregators": ["arithmetic", "geometric"],
                    "weights": "dirichlet:concentration=20"},
    "published": {"notes": "made up", "top": [{"node": "index", "share": 0.4, "cities": ["ams", "ber"],
                                               "source": "made up", "complete": True}]},
}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.date | datetime.time):
        return v.isoformat()
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v).replace("\\/", "/")
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(doc: dict) -> str:
    """A minimal TOML writer: the top-level values first (arrays of tables inline), then one
    table per top-level table, every value inline."""
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for table, body in doc.items():
        if isinstance(body, dict):
            lines.append(f"[{json.dumps(table)}]")
            lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


RICH_PATHS = [p for p in _paths(RICH) if p]
SCALARS = st.one_of(
    st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(), st.times(),
    st.text(max_size=8), st.sampled_from(["geometric", "minmax:lower=5", "rank", "index", "digital", "log",
                                          "ladder", "zscore", "1/3", "", "fibre", "speed"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["name", "id", "lower", "upper", "weight", "p"]), inner, max_size=3), max_leaves=6)


def _mutate(doc, path, value, delete):
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def _check(result, out):
    if result.exit_code == 0:
        data = json.loads(out.read_text())
        ranked = [c for c in data["cities"] if c["rank"] is not None]
        assert ranked, "exit 0 with nothing ranked"
        assert all(isinstance(c["score"], float | int) and math.isfinite(c["score"]) for c in ranked)
        assert sorted(c["rank"] for c in ranked)[0] == 1
    else:
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("error: ") and "Traceback" not in result.output, result.stderr
        assert not [ln for ln in lines if not ln.startswith(("error: ", "warning: "))], result.stderr
        assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out")]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(RICH_PATHS), VALUES, st.booleans())
def test_a_mutated_spec_ranks_or_fails_cleanly(fresh_cli, tmp_path_factory, path, value, delete):
    folder = tmp_path_factory.mktemp("ed")
    shutil.copy(TINY / "cities.csv", folder)
    shutil.copy(TINY / "data.csv", folder)
    (folder / "edition.toml").write_text(to_toml(_mutate(RICH, path, value, delete)))
    out = folder / "out.json"
    _check(fresh_cli("run", folder, "--format", "json", "-o", out), out)


CELLS = st.one_of(st.text(max_size=6), st.sampled_from(["1e308", "-1e308", "0", "-0", "nan", "NA", "inf", "1e-320",
                                                        "5", "2.5", "all-optical", '"', "=1+1", "\u0301"]))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["data.csv", "cities.csv"]), st.integers(0, 5), st.integers(0, 5), CELLS)
def test_a_mutated_csv_cell_ranks_or_fails_cleanly(fresh_cli, tmp_path_factory, name, row, col, cell):
    folder = tmp_path_factory.mktemp("ed")
    shutil.copytree(TINY, folder, dirs_exist_ok=True)
    lines = (folder / name).read_text().splitlines()
    cells = lines[row].split(",")
    cells[col % len(cells)] = cell
    lines[row] = ",".join(cells)
    (folder / name).write_text("\n".join(lines) + "\n")
    out = folder / "out.json"
    _check(fresh_cli("run", folder, "--format", "json", "-o", out), out)


COMMANDS = [["validate", "--format", "json"], ["show", "--format", "json"], ["audit", "--format", "json"],
            ["verify", "--format", "json"], ["uncertainty", "--samples", "20", "--format", "json"],
            ["sensitivity", "--samples", "8", "--bootstrap", "10", "--format", "json"]]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(RICH_PATHS), VALUES, st.booleans(), st.sampled_from(COMMANDS))
def test_every_command_on_a_mutated_spec_answers_or_fails_cleanly(fresh_cli, tmp_path_factory, path, value, delete,
                                                                  command):
    """On the tiny edition with every optional table ([weights], [experts], [uncertainty],
    [published], facts) present, so that a value of any TOML type anywhere is tried."""
    folder = tmp_path_factory.mktemp("ed")
    shutil.copy(TINY / "cities.csv", folder)
    shutil.copy(TINY / "data.csv", folder)
    (folder / "edition.toml").write_text(to_toml(_mutate(RICH, path, value, delete)))
    result = fresh_cli(command[0], folder, *command[1:])
    if result.exit_code == 0:
        json.loads(result.stdout)  # valid JSON, NaN-free (json.loads accepts NaN: check the text)
        assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    else:
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("error: ") and "Traceback" not in result.output, result.stderr
