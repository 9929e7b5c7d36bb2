"""cityrank.installed answers as importlib.metadata does, on this environment and on made-up ones."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile

import pytest

from cityrank import installed


def _key(ep):
    return ep.name, ep.value, ep.group, ep.dist.metadata["Name"], ep.dist.version


@pytest.mark.parametrize("group", ["cityrank", "console_scripts", "pytest11"])
def test_same_entry_points_as_importlib_metadata(group):
    ours = sorted(map(_key, installed.entry_points(group)))
    theirs = sorted(map(_key, importlib.metadata.entry_points(group=group)))
    assert ours == theirs
    assert group != "cityrank" or ours  # the editions and plugins of this repository are there


def test_same_versions_as_importlib_metadata():
    names = {d.metadata["Name"] for d in importlib.metadata.distributions()}
    assert len(names) > 10
    for name in sorted(names):
        assert installed.version(name) == importlib.metadata.version(name), name
    assert installed.version("CityRank") == installed.version("cityrank")  # names compare normalised
    with pytest.raises(installed.PackageNotFoundError):
        installed.version("no-such-distribution-here")


def _dist(folder, name, version, entry_points=None, *, egg=False):
    info = folder / (f"{name}.egg-info" if egg else f"{name.replace('-', '_')}-{version}.dist-info")
    info.mkdir(parents=True)
    (info / ("PKG-INFO" if egg else "METADATA")).write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: x\n\nName: not-a-header\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)
    return info


def test_made_up_paths(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "Demo-Plugin", "1.0", "# a comment\n[other]\nx = nope:thing\n\n[cityrank]\ndemo = demo_mod:plugin.inner [extra]\n")
    _dist(second, "demo_plugin", "2.0", "[cityrank]\nshadowed = demo_mod\n")  # same name: the first wins
    _dist(second, "eggy", "0.3", "[cityrank]\neggy=eggy_mod\n", egg=True)
    (first / "demo_mod.py").write_text("class plugin:\n    inner = 42\n")
    (tmp_path / "missing").mkdir()
    (tmp_path / "missing" / "broken.dist-info").mkdir()  # no METADATA: not a distribution
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second), str(tmp_path / "gone")])
    eps = installed.entry_points("cityrank")
    assert [(e.name, e.value, e.dist.name, e.dist.version) for e in eps] == [
        ("demo", "demo_mod:plugin.inner [extra]", "Demo-Plugin", "1.0"), ("eggy", "eggy_mod", "eggy", "0.3")]
    assert eps[0].load() == 42
    assert installed.version("demo-plugin") == "1.0" and installed.version("EGGY") == "0.3"
    theirs = sorted(map(_key, importlib.metadata.entry_points(group="cityrank")))
    assert sorted(map(_key, eps)) == theirs
    # an installation into a folder already read is seen (the folder's time changes)
    _dist(first, "late", "0.1", "[cityrank]\nlate = late_mod\n")
    assert "late" in {e.name for e in installed.entry_points("cityrank")}


def test_archive_on_the_path_is_left_to_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n\n")
        z.writestr("zipped-1.0.dist-info/entry_points.txt", "[cityrank]\nzipped = zipped_mod\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert [(e.name, e.dist.version) for e in installed.entry_points("cityrank")] == [("zipped", "1.0")]
    assert installed.version("zipped") == "1.0"


def test_cli_does_not_import_importlib_metadata():
    code = ("import sys; from cityrank.cli import main; sys.argv = ['cityrank', 'run', 'brics-2024', '--format', 'csv'];\n"
            "import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: main()\n    except SystemExit: pass\n"
            "print('importlib.metadata' in sys.modules, 'email' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-2:] == ["False", "False"]


def test_an_entry_point_with_extras_loads_its_module(tmp_path, monkeypatch):
    _dist(tmp_path, "with-extras", "1.0", "[cityrank]\nplain = extras_mod [fast]\nattr = extras_mod:VALUE [fast]\n")
    (tmp_path / "extras_mod.py").write_text("VALUE = 7\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    loaded = {ep.name: ep.load() for ep in installed.entry_points("cityrank")}
    assert loaded["attr"] == 7 and loaded["plain"].VALUE == 7
