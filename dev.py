#!/usr/bin/env python3
"""Set up and use the development environment with nothing but Python.

    python3 dev.py run EDITION [options]   rank an edition (any `cityrank` command works: dev.py editions, ...)
    python3 dev.py test [pytest options]   run the whole test suite
    python3 dev.py bench [options]         run the benchmarks

On first use (and whenever a pyproject.toml changes) it creates `.venv/` and installs the
workspace into it: the core, every plugin and edition (editable), and the development tools.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".cityrank-installed"


def members() -> list[Path]:
    """Workspace members, as listed in the root pyproject.toml."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        found += sorted(p.parent for p in ROOT.glob(f"{pattern}/pyproject.toml"))
    return found


def fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in [ROOT / "pyproject.toml", *(m / "pyproject.toml" for m in paths)]:
        h.update(str(p.relative_to(ROOT)).encode() + p.read_bytes())
    return h.hexdigest()


def ensure_env(groups: tuple[str, ...] = ("dev",)) -> None:
    paths = members()
    want = fingerprint(paths) + " " + ",".join(groups)
    if STAMP.exists() and (STAMP.read_text() == want or STAMP.read_text().startswith(want + ",")):
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    dev = [req for group in groups for req in table[group]]
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    print("installing the workspace into .venv ...", file=sys.stderr)
    subprocess.run([*pip, "hatchling", "editables"], check=True)
    editable = [arg for m in paths for arg in ("-e", str(m))]
    subprocess.run([*pip, "--no-build-isolation", *editable, *dev], check=True)
    STAMP.write_text(want)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    ensure_env(("dev", "bench") if command == "bench" else ("dev",))
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    if command == "bench":
        return subprocess.call([str(BIN / "python"), str(ROOT / "benchmarks" / "run.py"), *rest], cwd=ROOT)
    return subprocess.call([str(BIN / "cityrank"), command, *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
