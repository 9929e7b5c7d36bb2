"""Shared fixtures: a fresh plugin registry, the oracles beside the repository, the CLI runner."""

from __future__ import annotations

import os
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


def oracle_file(*parts: str) -> Path:
    """A file of the published-results oracles; the test is skipped when they are not beside us."""
    path = ORACLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"oracle {path} not available (set CITYRANK_SHARED)")
    return path


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
