"""Provider results kept between runs: a cached run gives what a computed run gives, byte for
byte; every input the values depend on makes a new key; a damaged entry is recomputed; and
``CITYRANK_CACHE=0`` turns it off."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid

import numpy as np
import pytest

from cityrank import derived, engine
from cityrank.api import load
from cityrank.plugins import Registry, get_registry

# --- every installed edition: cached = computed ---------------------------------------------


def _counting(monkeypatch) -> list[str]:
    """The ids of the providers the engine calls from now on."""
    calls, real = [], engine.call

    def call(method, *args, **kwargs):
        if method.kind == "indicator":
            calls.append(method.id)
        return real(method, *args, **kwargs)

    monkeypatch.setattr(engine, "call", call)
    return calls


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A cache folder of the test's own, with links to the parsed data already made (a run
    replaces a link, never writes through it)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    for path in derived.cache_dir().glob("*" + derived.SUFFIX):
        if not path.name.startswith((derived.PROVIDER_PREFIX, derived.DIGESTS)):
            (folder / path.name).symlink_to(path)
    monkeypatch.setenv("CITYRANK_CACHE", str(folder))
    return folder


@pytest.mark.parametrize("edition", sorted(m.id for m in get_registry().methods("edition")))
def test_a_cached_run_is_the_computed_run_byte_for_byte(edition, fresh_cli, monkeypatch, own_cache):
    calls = _counting(monkeypatch)
    monkeypatch.setenv("CITYRANK_CACHE", "0")
    computed = fresh_cli("run", edition, "--format", "json")
    assert computed.exit_code == 0, computed.output
    assert calls, "the edition's providers ran"
    monkeypatch.setenv("CITYRANK_CACHE", str(own_cache))
    outputs, counts = [], []
    for _ in range(2):  # the first computes and writes, the second reads every provider's values
        calls.clear()
        done = fresh_cli("run", edition, "--format", "json")
        assert done.exit_code == 0, done.output
        outputs.append(done.stdout)
        counts.append(len(calls))
    assert counts[0] > 0 and counts[1] == 0
    assert outputs == [computed.stdout, computed.stdout]


# --- a provider of our own, to change each of its inputs -------------------------------------

SOURCE = '''
from pathlib import Path

import numpy as np

import cityrank

DATA = Path(__file__).with_name("offset.txt")
BONUS = {bonus}
CALLS = []


def value(cities, scale=1.0):
    """Latitude × scale + the number in offset.txt (+ BONUS)."""
    CALLS.append(len(cities))
    offset = float(DATA.read_text())
    return np.array([c.latitude * scale + offset + BONUS for c in cities])


@cityrank.hookimpl
def cityrank_register_indicators(register):
    register("toy.value", value, params={{"scale": 1.0}}, unit="degrees", direction=1, source="made up",
             {declare})
'''

EDITION = '''
[edition]
id = "toy"
title = "Toy"
year = 2024

[[domains]]
id = "place"
name = "Place"

[[indicators]]
id = "lat"
name = "Latitude"
domain = "place"
provider = {{ name = "toy.value", scale = {scale} }}
'''

CITIES = [("a", "A", "NLD", 52.37403, 4.88969), ("b", "B", "DEU", 52.52437, 13.41053),
          ("c", "C", "PRT", 38.71667, -9.13333), ("d", "D", "NOR", 59.91273, 10.74609)]


def _aged(path, seconds: float) -> None:
    """A file last written ``seconds`` ago: settled, as a file a plugin ships is."""
    then = time.time() - seconds
    os.utime(path, (then, then))


class Toy:
    """A provider plugin and an edition in a temporary folder, each input changeable."""

    def __init__(self, folder, monkeypatch, declare="data_files=[DATA]"):
        self.folder, self.declare = folder, declare
        self.name = f"toy_{uuid.uuid4().hex}"
        (folder / self.name).mkdir()
        monkeypatch.syspath_prepend(str(folder))
        monkeypatch.setattr(sys, "dont_write_bytecode", True)  # a reloaded source is compiled afresh
        monkeypatch.setenv("CITYRANK_CACHE", str(folder / "cache"))
        self.write_source(bonus=0.0, age=600)
        self.write_offset("2.5", age=600)
        self.scale = 2.0
        self.write_edition()
        self.cities = [list(c) for c in CITIES]
        self.write_cities()
        self.module = importlib.import_module(self.name)

    def write_source(self, bonus: float, age: float) -> None:
        path = self.folder / self.name / "__init__.py"
        path.write_text(SOURCE.format(bonus=bonus, declare=self.declare))
        _aged(path, age)
        self.bonus = bonus

    def write_offset(self, text: str, age: float) -> None:
        path = self.folder / self.name / "offset.txt"
        path.write_text(text)
        _aged(path, age)
        self.offset = float(text)

    def write_edition(self) -> None:
        (self.folder / "edition.toml").write_text(EDITION.format(scale=self.scale))

    def write_cities(self) -> None:
        rows = ["id,name,country,latitude,longitude"] + [",".join(map(str, c)) for c in self.cities]
        (self.folder / "cities.csv").write_text("\n".join(rows) + "\n")

    def registry(self) -> Registry:
        return Registry(environ={}, entry_points=[], extra_plugins={"toy": self.module})

    def column(self, registry: Registry | None = None) -> np.ndarray:
        """The provider's values as a run collects them."""
        reg = registry or self.registry()
        raw, _, _ = engine.collect_data(load(self.folder / "edition.toml", registry=reg).spec, reg)
        return raw[:, 0]

    def expected(self) -> np.ndarray:
        """What the provider computes, from the rows written (not from the run)."""
        return np.array([lat * self.scale + self.offset + self.bonus for _, _, _, lat, _ in self.cities])

    def entries(self) -> list:
        return sorted((self.folder / "cache").glob(derived.PROVIDER_PREFIX + "*"))


@pytest.fixture
def toy(tmp_path, monkeypatch):
    return Toy(tmp_path, monkeypatch)


def test_the_second_run_reads_what_the_first_computed(toy):
    np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 1 and len(toy.entries()) == 1
    np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 1  # read, not computed


def test_a_city_coordinate_is_a_new_key(toy):
    toy.column()
    toy.cities[2][3] = -33.86785  # city c moves
    toy.write_cities()
    got = toy.column()
    assert len(toy.module.CALLS) == 2
    np.testing.assert_array_equal(got, toy.expected())
    assert got[2] == -33.86785 * 2.0 + 2.5


@pytest.mark.parametrize("field, value", [("name", "Another name"), ("country", "BEL"), ("id", "z")])
def test_every_city_field_is_in_the_key(toy, field, value):
    toy.column()
    toy.cities[0][{"id": 0, "name": 1, "country": 2}[field]] = value
    toy.write_cities()
    toy.column()
    assert len(toy.module.CALLS) == 2


def test_a_parameter_is_a_new_key(toy):
    toy.column()
    toy.scale = 3.0
    toy.write_edition()
    got = toy.column()
    assert len(toy.module.CALLS) == 2
    np.testing.assert_array_equal(got, toy.expected())
    assert got[0] == 52.37403 * 3.0 + 2.5


def test_a_data_files_content_is_a_new_key(toy):
    toy.column()
    toy.write_offset("40.25", age=300)
    got = toy.column()
    assert len(toy.module.CALLS) == 2
    np.testing.assert_array_equal(got, toy.expected())
    assert got[3] == 59.91273 * 2.0 + 40.25


def test_the_providers_source_is_a_new_key(toy):
    toy.column()
    toy.write_source(bonus=1000.0, age=300)
    toy.module = importlib.reload(toy.module)  # an edited editable install, in a new process
    got = toy.column()
    assert toy.module.CALLS == [4]
    np.testing.assert_array_equal(got, toy.expected())
    assert got[1] == 52.52437 * 2.0 + 2.5 + 1000.0


def test_a_file_changed_after_registering_leaves_the_cache_out(toy):
    """The registry's fingerprint no longer names the file: its runs compute and write nothing."""
    reg = toy.registry()
    toy.column(reg)
    before = {p: p.read_bytes() for p in toy.entries()}
    toy.write_offset("7.0", age=300)
    for _ in range(2):
        np.testing.assert_array_equal(toy.column(reg), toy.expected())
    assert len(toy.module.CALLS) == 3
    assert {p: p.read_bytes() for p in toy.entries()} == before


def test_a_file_written_just_now_is_not_trusted_yet(toy):
    """Within the file system clock's tick a second write may leave size and times alike."""
    toy.write_offset("5.5", age=0)
    for _ in range(2):
        np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 2
    assert toy.entries() == []


def _flip_values(path):
    """A well-formed entry whose values are not those its check was made for."""
    arrays = derived.load_arrays(path)
    derived.save_arrays(path, {"values": arrays["values"] + 1.0, "check": arrays["check"]})


def _other_shape(path):
    arrays = derived.load_arrays(path)
    derived.save_arrays(path, {"values": arrays["values"][:2], "check": arrays["check"]})


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # cut short
    lambda p: p.write_bytes(b"not an entry"),
    lambda p: p.write_bytes(b""),
    _flip_values,
    _other_shape,
], ids=["cut", "garbage", "empty", "values", "shape"])
def test_a_damaged_entry_is_recomputed_and_rewritten(toy, damage):
    toy.column()
    (entry,) = toy.entries()
    damage(entry)
    np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 2
    np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 2  # the rewritten entry is whole again


def test_off_under_cityrank_cache_0(toy, monkeypatch):
    touched = []
    for name in ("load_arrays", "save_arrays"):
        real = getattr(derived, name)
        monkeypatch.setattr(derived, name, lambda path, *a, _real=real: (touched.append(str(path)), _real(path, *a))[1])
    monkeypatch.setenv("CITYRANK_CACHE", "0")
    for _ in range(2):
        np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 2
    assert [p for p in touched if derived.PROVIDER_PREFIX in p or derived.DIGESTS in p] == []


def test_a_provider_that_declares_nothing_is_not_cached(tmp_path, monkeypatch):
    toy = Toy(tmp_path, monkeypatch, declare="")
    for _ in range(2):
        np.testing.assert_array_equal(toy.column(), toy.expected())
    assert len(toy.module.CALLS) == 2
    assert toy.entries() == []


def test_a_declaration_that_is_not_a_list_fails_the_plugin(tmp_path, monkeypatch):
    toy = Toy(tmp_path, monkeypatch, declare='data_files="offset.txt"')
    reg = toy.registry()
    assert reg.find("indicator", "toy.value") is None
    (info,) = [p for p in reg.failures() if p.name == "toy"]
    assert "data_files must be a list" in info.errors[0]


def test_the_installed_providers_are_cached():
    """Every bundled provider declares its data (so its results are kept)."""
    providers = get_registry().methods("indicator")
    assert providers and [m.id for m in providers if m.depends is None] == []


# --- cityrank cache ---------------------------------------------------------------------------


def test_cache_shows_and_clears_only_its_own_files(toy, fresh_cli):
    toy.column()
    derived.cached("parsed-test", lambda: {"x": np.arange(10.0)})
    folder = toy.folder / "cache"
    (folder / "notes.txt").write_text("not cityrank's")
    ours = [p for p in folder.iterdir() if p.name.endswith(".arrays")]
    results = [p for p in ours if p.name.startswith("provider-")]
    assert len(results) == 1 and len(ours) >= 3  # the entry, the parsed arrays, the digests
    shown = json.loads(fresh_cli("cache", "--format", "json").stdout)
    assert shown["place"] == str(folder) and shown["enabled"] is True
    assert shown["files"] == len(ours) and shown["bytes"] == sum(p.stat().st_size for p in ours)
    assert shown["parts"]["provider results"] == {"files": 1, "bytes": results[0].stat().st_size}
    done = fresh_cli("cache", "--clear")
    assert done.exit_code == 0
    assert done.stdout.startswith(f"removed {len(ours)} files (")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert json.loads(fresh_cli("cache", "--format", "json").stdout)["files"] == 0
    toy.column()  # the cleared cache fills again
    assert len(toy.module.CALLS) == 2
