"""Shared fixtures: a fresh plugin registry, the oracles beside the repository, the CLI runner."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import settings

# CI machines are shared and slow at times: no per-example deadline, a fixed example budget
settings.register_profile("cityrank", deadline=None, max_examples=100, derandomize=True)
settings.load_profile("cityrank")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CITYRANK_SHARED", ROOT.parent / "shared"))
ORACLES = SHARED / "oracles"
EXAMPLES = ROOT / "examples"


def tiny_copy(folder: Path, *edits: tuple[str, str, str]) -> Path:
    """A copy of tests/data/tiny in ``folder`` with edits (file, old text, new text) applied."""
    import shutil

    shutil.copytree(ROOT / "tests" / "data" / "tiny", folder)
    for name, old, new in edits:
        path = folder / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))
    return folder


def oracle_file(*parts: str) -> Path:
    """A file of the published-results oracles; the test is skipped when they are not beside us."""
    path = ORACLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"oracle {path} not available (set CITYRANK_SHARED)")
    return path


def _own_entry_points() -> str:
    """The entry points of this workspace's plugins and editions (not whatever else is installed)."""
    names = []
    for pyproject in sorted([*ROOT.glob("plugins/*/pyproject.toml"), *ROOT.glob("rankings/*/pyproject.toml")]):
        project = tomllib.loads(pyproject.read_text()).get("project", {})
        names += list(project.get("entry-points", {}).get("cityrank", {}))
    return ",".join(names)


OWN_PLUGINS = _own_entry_points()


@pytest.fixture(autouse=True)
def only_our_plugins(monkeypatch):
    """A third-party plugin or edition installed beside cityrank must not change what the tests
    see: only this workspace's entry points load (tests that install plugins lift this)."""
    monkeypatch.setenv("CITYRANK_PLUGINS", OWN_PLUGINS)


@pytest.fixture
def registry():
    """A registry with the built-in methods only (no installed entry points)."""
    from cityrank.plugins import Registry

    return Registry(environ={}, entry_points=[])


@pytest.fixture
def fresh_cli(monkeypatch):
    """Invoke the CLI in-process with a registry built anew from the current environment."""
    from click.testing import CliRunner

    from cityrank import plugins
    from cityrank.cli import build_cli
    from cityrank.commands import common

    def invoke(*args, **kwargs):
        monkeypatch.setattr(plugins, "_cached", None)
        monkeypatch.setattr(common, "_warned", False)
        return CliRunner().invoke(build_cli(), [str(a) for a in args], catch_exceptions=False, **kwargs)

    return invoke
