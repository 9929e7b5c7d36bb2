"""`cityrank new`: the generated distributions install, list, validate, run and pass their own tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib


def _install(folder, monkeypatch):
    """Register the generated distribution as an installed one: a dist-info with its entry points."""
    meta = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    src = folder / "src"
    info = src / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
    eps = "".join(f"{k} = {v}\n" for k, v in meta["entry-points"]["cityrank"].items())
    (info / "entry_points.txt").write_text("[cityrank]\n" + eps)
    monkeypatch.syspath_prepend(str(src))
    monkeypatch.delenv("CITYRANK_PLUGINS", raising=False)  # installed: let it load


def _own_tests(folder):
    env = {**os.environ, "PYTHONPATH": str(folder / "src")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder / "tests")],
                          cwd=folder, env=env, capture_output=True, text=True)


def test_new_edition_end_to_end(fresh_cli, tmp_path, monkeypatch):
    result = fresh_cli("new", "edition", "sco-2025", "--dir", tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "sco-2025"
    own = _own_tests(folder)
    assert own.returncode == 0, own.stdout + own.stderr
    _install(folder, monkeypatch)
    editions = [e["id"] for e in json.loads(fresh_cli("editions", "--format", "json").stdout)]
    assert "sco-2025" in editions
    # a new edition has no data yet: validate lists what to do and says it cannot be ranked;
    # run beside the folder `new` wrote, the name is still the installed edition's
    monkeypatch.chdir(tmp_path)
    validate = fresh_cli("validate", "sco-2025")
    assert validate.exit_code == 2 and "to do: [edition] title" in validate.stdout
    assert "indicators without data (3)" in validate.stdout
    assert "no city can be scored" in validate.stderr
    run = fresh_cli("run", "sco-2025", "--format", "json")
    assert run.exit_code == 2 and run.stdout == "" and "no city can be scored" in run.stderr
    # with data for one indicator the edition ranks
    mine = tmp_path / "mine.csv"
    mine.write_text("city_id,wired_networks\nbeijing,quantum communications\nmoscow,2\nnew-delhi,1\n")
    ranked = json.loads(fresh_cli("run", "sco-2025", "--data", mine, "--format", "json").stdout)
    assert [c["id"] for c in ranked["cities"]] == ["beijing", "moscow", "new-delhi"]


def test_a_new_editions_own_test_runs_its_providers(fresh_cli, tmp_path):
    """The scaffolded test uses the installed plugins: an indicator computed by a provider
    (national-capital status, cityrank-geo) gives the edition data, and the test ranks it."""
    assert fresh_cli("new", "edition", "sco-2025", "--dir", tmp_path).exit_code == 0
    folder = tmp_path / "sco-2025"
    toml = next(folder.glob("src/*/edition.toml"))
    toml.write_text(toml.read_text() + '\n[[indicators]]\nid = "capital"\nname = "National capital"\n'
                    'domain = "institutional"\nprovider = "geo.capital"\n')
    own = _own_tests(folder)
    assert own.returncode == 0 and "1 passed" in own.stdout, own.stdout + own.stderr
    assert own.stdout.count("passed") == 1 and "skipped" not in own.stdout


def test_new_plugin_end_to_end(fresh_cli, tmp_path, monkeypatch):
    assert fresh_cli("new", "plugin", "my-methods", "--dir", tmp_path).exit_code == 0
    folder = tmp_path / "my-methods"
    own = _own_tests(folder)
    assert own.returncode == 0, own.stdout + own.stderr
    _install(folder, monkeypatch)
    methods = {m["id"]: m for m in json.loads(fresh_cli("methods", "--format", "json").stdout)}
    assert methods["my-methods.share-of-best"]["plugin"] == "my-methods"
    from conftest import ROOT

    tiny = ROOT / "tests" / "data" / "tiny"
    result = fresh_cli("run", tiny, "--aggregator", "my-methods.weighted-median", "--format", "json")
    assert result.exit_code == 0, result.output


def test_new_indicator_plugin_end_to_end(fresh_cli, tmp_path, monkeypatch):
    """A data plugin in the shape of cityrank's own: its tests pass, its provider is listed
    with its source and licence, and an edition can use it."""
    assert fresh_cli("new", "plugin", "my-data", "--kind", "indicator", "--dir", tmp_path).exit_code == 0
    folder = tmp_path / "my-data"
    assert (folder / "src" / "cityrank_my_data" / "build.py").exists()
    own = _own_tests(folder)
    assert own.returncode == 0, own.stdout + own.stderr
    _install(folder, monkeypatch)
    methods = {m["id"]: m for m in json.loads(fresh_cli("methods", "--kind", "indicator", "--format", "json").stdout)}
    provider = methods["my-data.points_within"]
    assert provider["plugin"] == "my-data" and provider["level"] == "city" and "CC BY 4.0" in provider["source"]
    import shutil

    from conftest import ROOT

    edition = tmp_path / "ed"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text().replace('name = "Transit lines"', 'name = "Transit lines"\nprovider = "my-data.points_within"'))
    (edition / "data.csv").write_text("city_id,fibre,speed\nams,1,1\nber,2,2\nlis,1,3\nosl,4,4\nrom,1,5\n")
    result = fresh_cli("run", edition, "--format", "json")
    assert result.exit_code == 0, result.output
    transit = {i["id"]: i for i in json.loads(result.stdout)["indicators"]}["transit"]
    assert transit["coverage"] == 1 and "my-data.points_within" in transit["source"]


def test_new_refuses_to_overwrite_and_bad_names(fresh_cli, tmp_path):
    (tmp_path / "sco-2025").mkdir()
    (tmp_path / "sco-2025" / "keep.txt").write_text("mine")
    result = fresh_cli("new", "edition", "sco-2025", "--dir", tmp_path)
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert [p.name for p in (tmp_path / "sco-2025").iterdir()] == ["keep.txt"]
    assert fresh_cli("new", "plugin", "My Methods", "--dir", tmp_path).exit_code == 2


def test_a_new_editions_folder_validates_before_it_is_installed(fresh_cli, tmp_path):
    """`cityrank validate FOLDER` on the folder `cityrank new edition` wrote finds the
    edition.toml inside its package (src/cityrank_NAME/)."""
    assert fresh_cli("new", "edition", "sco-2025", "--dir", tmp_path).exit_code == 0
    result = fresh_cli("validate", tmp_path / "sco-2025")
    assert "has no edition.toml" not in result.stderr and "sco-2025: 3 cities" in result.stdout, result.output


def test_the_suite_collects_the_members_own_tests():
    """A plugin or edition written into the workspace (plugins/NAME, rankings/NAME) brings its
    own tests/: the suite's test paths cover every workspace member."""
    from conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    paths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    for pattern in config["tool"]["uv"]["workspace"]["members"]:
        if pattern == "framework":  # the core's tests are tests/
            continue
        top = pattern.split("/")[0]
        assert top in paths or pattern in paths, f"{pattern}: its members' tests/ are not collected"
