"""``cityrank new edition|plugin NAME``: write a ready distribution to start from."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import click

from ..errors import CityrankError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

PYPROJECT = """\
[project]
name = "cityrank-{name}"
version = "0.1.0"
description = "{description}"
requires-python = ">=3.11"
dependencies = ["cityrank"]

[project.optional-dependencies]
test = ["pytest"]

[project.entry-points.cityrank]
{name} = "{module}"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/{module}"]
"""

EDITION_INIT = '''\
"""The {name} edition for cityrank: its edition.toml, cities.csv and data.csv are package data."""

from importlib.resources import files

import cityrank


@cityrank.hookimpl
def cityrank_register_editions(register):
    register(files(__name__) / "edition.toml")
'''

EDITION_TOML = '''\
# The {name} edition. Replace every TODO; give every fact its source (a URL) and never
# invent a number: an indicator whose values are not public stays without data, and users
# bring their own with `cityrank run {name} --data FILE`. `cityrank validate {name}` says
# what is still missing. Format reference: the cityrank README, "The edition format".

[edition]
id = "{name}"
title = "TODO: the ranking's title"
year = {year}
released = "TODO: release date (YYYY-MM-DD)"
publishers = ["TODO"]
bloc = []          # member states, ISO 3166-1 alpha-3
sources = []       # a URL for every fact above
cities = "cities.csv"
data = "data.csv"

[methods]
imputation = "none"
outliers = "none"
normaliser = "minmax"
aggregator = "arithmetic"
tiers = [0.1, 0.3, 0.6, 1.0]

[[domains]]
id = "traditional"
name = "Traditional infrastructure"
weight = 1

[[domains]]
id = "digital"
name = "Digital infrastructure"
weight = 1

[[domains]]
id = "institutional"
name = "Institutional infrastructure"
weight = 1

# One table per indicator: id, name, domain, direction (1 = more is better, -1 = less),
# weight, unit, source; optional transform ("log"), normaliser, provider (an indicator
# plugin that computes it), levels (ladder scoring: the ordered levels, worth 1 … L points).

[[indicators]]
id = "wired_networks"
name = "Wired communication networks"
domain = "digital"
levels = ["100M optical fibre networks", "gigabit optical fibre networks", "all-optical networks", "quantum communications"]
source = "TODO: where the levels and values come from"

[[indicators]]
id = "TODO_traditional"
name = "TODO: an indicator of traditional infrastructure"
domain = "traditional"
unit = "TODO"
source = "TODO"

[[indicators]]
id = "TODO_institutional"
name = "TODO: an indicator of institutional infrastructure"
domain = "institutional"
unit = "TODO"
source = "TODO"

# Expert weights instead of the weight fields: one table per node, e.g.
# [[experts.ahp]]
# node = "index"
# items = ["traditional", "digital", "institutional"]
# matrices = [[[1, "1/3", 2], [3, 1, 5], ["1/2", "1/5", 1]]]   # one matrix per expert

# Published results to check with `cityrank verify {name}`:
# [[published.top]]
# node = "index"
# share = 0.1
# cities = ["city-id", ...]
# source = "URL"
'''

# Three capitals as a start, with their GeoNames ids and coordinates (https://www.geonames.org/):
# replace them with the edition's city set.
CITIES = """\
id,name,country,geonameid,latitude,longitude
beijing,Beijing,CHN,1816670,39.9075,116.39723
moscow,Moscow,RUS,524901,55.75204,37.61781
new-delhi,New Delhi,IND,1261481,28.63576,77.22445
"""

DATA = """\
city_id,wired_networks,TODO_traditional,TODO_institutional
beijing,,,
moscow,,,
new-delhi,,,
"""

EDITION_TEST = '''\
"""The {name} edition loads, is consistent and runs."""

from importlib.resources import files

import numpy as np
import pytest

from cityrank.engine import run
from cityrank.errors import MethodError
from cityrank.formats.spec import load_edition
from cityrank.plugins import Registry


def test_edition_loads_and_runs():
    edition = load_edition(files("{module}") / "edition.toml")
    assert edition.id == "{name}"
    assert len(edition.cities) == len(set(edition.city_ids))
    registry = Registry(environ={{}}, entry_points=[])
    if edition.data is None or np.isnan(edition.data.values).all():
        with pytest.raises(MethodError, match="no city can be scored"):  # until data.csv has values
            run(edition, registry)
        return
    result = run(edition, registry)
    assert result.scores.shape[0] == len(edition.cities)
'''

PLUGIN_INIT = '''\
"""{name}: methods for cityrank, registered through its hooks (see cityrank.hookspecs)."""

import numpy as np

import cityrank


def share_of_best(x, direction, scale=100.0):
    """Each city's value as a share of the best city's (positive data; less-is-better inverted)."""
    x = np.asarray(x, dtype=np.float64)
    if np.any(x[~np.isnan(x)] <= 0):
        raise ValueError("share of best needs positive values")
    d = np.asarray(direction, dtype=np.float64)
    oriented = np.where(d > 0, x, 1.0 / x)
    return oriented / np.nanmax(oriented, axis=-2, keepdims=True) * scale


def weighted_median(scores, weights):
    """Weighted median of the children's scores (robust to one extreme score)."""
    x = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)[..., None, :]
    shape = np.broadcast_shapes(x.shape, w.shape)
    x, w = np.broadcast_to(x, shape), np.broadcast_to(w, shape)
    order = np.argsort(x, axis=-1)
    xs = np.take_along_axis(x, order, axis=-1)
    cw = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    pick = (cw >= cw[..., -1:] / 2).argmax(axis=-1)
    return np.take_along_axis(xs, pick[..., None], axis=-1)[..., 0]


@cityrank.hookimpl
def cityrank_register_normalisers(register):
    register("{name}.share-of-best", share_of_best, params={{"scale": 100.0}})


@cityrank.hookimpl
def cityrank_register_aggregators(register):
    register("{name}.weighted-median", weighted_median)
'''

PLUGIN_TEST = '''\
"""{name}'s methods follow cityrank's batched array contract and compute what they say."""

import numpy as np

from cityrank.testing import check_aggregator, check_normaliser
from {module} import share_of_best, weighted_median


def test_contract():
    check_normaliser(share_of_best)
    check_aggregator(weighted_median)


def test_values_by_hand():
    x = np.array([[1.0], [2.0], [4.0]])
    np.testing.assert_allclose(share_of_best(x, np.array([1.0]))[:, 0], [25, 50, 100])
    np.testing.assert_allclose(weighted_median(np.array([[1.0, 5.0, 9.0]]), np.array([1.0, 1.0, 1.0])), [5.0])
'''


def _write(folder: Path, files: dict[str, str]) -> None:
    """Write every file into a temporary folder beside ``folder``, then rename it: all or nothing."""
    if folder.exists():
        raise CityrankError(f"{folder} already exists; choose another name or folder (nothing was written)")
    if not folder.parent.is_dir():
        raise CityrankError("the folder does not exist (nothing was written)", file=folder.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            for rel, text in files.items():
                path = tmp / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            os.rename(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except OSError as exc:
        raise CityrankError(f"cannot write: {exc.strerror or exc} (nothing was written)", file=folder) from None


@click.group()
def new():
    """Write a new edition or plugin distribution to start from."""


def _check_name(name: str) -> str:
    if not NAME.match(name) or len(name) > 64:
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise CityrankError(f"name {shown!r}: use at most 64 lower-case letters, digits and single hyphens, "
                            "e.g. sco-2025")
    return "cityrank_" + name.replace("-", "_")


@new.command("edition")
@click.argument("name")
@click.option("--dir", "where", type=click.Path(file_okay=False), default=".", show_default=True)
def new_edition(name, where):
    """A ranking edition NAME: pyproject, registration module, edition.toml, cities.csv, data.csv, test."""
    import datetime

    module = _check_name(name)
    year = re.search(r"(19|20)\d\d", name)
    fmt = {"name": name, "module": module, "year": year.group(0) if year else datetime.date.today().year,
           "description": f"The {name} ranking edition for cityrank."}
    folder = Path(where) / name
    _write(folder, {
        "pyproject.toml": PYPROJECT.format(**fmt),
        "README.md": f"# cityrank-{name}\n\nThe {name} edition. `pip install -e .` and run `cityrank validate {name}`.\n",
        f"src/{module}/__init__.py": EDITION_INIT.format(**fmt),
        f"src/{module}/edition.toml": EDITION_TOML.format(**fmt),
        f"src/{module}/cities.csv": CITIES,
        f"src/{module}/data.csv": DATA,
        "tests/test_edition.py": EDITION_TEST.format(**fmt),
    })
    click.echo(f"wrote {folder}/: pip install -e {folder} (or add it to the workspace), then cityrank validate {name}")


#: template folders shipped with cityrank; their placeholder is the name ``newplugin``
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def from_template(template: str, name: str, module: str) -> dict[str, str]:
    """The files of a template folder with its placeholder names replaced."""
    root = TEMPLATES / template

    def fill(text: str) -> str:
        return (text.replace("cityrank_newplugin", module).replace("cityrank-newplugin", f"cityrank-{name}")
                .replace("newplugin", name))

    return {fill(str(p.relative_to(root))): fill(p.read_text(encoding="utf-8"))
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@new.command("plugin")
@click.argument("name")
@click.option("--kind", type=click.Choice(["method", "indicator"]), default="method", show_default=True,
              help="method: a normaliser and an aggregator; indicator: a data plugin (providers, build script, "
                   "derived data with its source and licence, tests against hand-computed values).")
@click.option("--dir", "where", type=click.Path(file_okay=False), default=".", show_default=True)
def new_plugin(name, kind, where):
    """A plugin distribution NAME: a method plugin, or with --kind indicator a data plugin."""
    module = _check_name(name)
    folder = Path(where) / name
    if kind == "indicator":
        _write(folder, from_template("indicator-plugin", name, module))
        click.echo(f"wrote {folder}/: pip install -e {folder}, then cityrank methods --kind indicator")
        return
    fmt = {"name": name, "module": module, "description": f"Methods for cityrank ({name})."}
    _write(folder, {
        "pyproject.toml": PYPROJECT.format(**fmt),
        "README.md": f"# cityrank-{name}\n\nMethods for cityrank. `pip install -e .` and run `cityrank methods`.\n",
        f"src/{module}/__init__.py": PLUGIN_INIT.format(**fmt),
        "tests/test_methods.py": PLUGIN_TEST.format(**fmt),
    })
    click.echo(f"wrote {folder}/: pip install -e {folder}, then cityrank methods")


COMMANDS = [new]
