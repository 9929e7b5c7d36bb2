"""The core's layers (docs/architecture.md) hold: the import-linter contracts in the root
pyproject.toml are kept, every module of the core is in a layer, and no imports go in a
circle (imports inside functions count)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

grimp = pytest.importorskip("grimp")


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (python3 dev.py installs it)")
    done = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_module_of_the_core_is_in_a_layer():
    import cityrank

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.replace(":", "|").split("|")}
    modules = {f"cityrank.{m.name}" for m in pkgutil.iter_modules(cityrank.__path__)} - {"cityrank.testing"}
    assert modules - named == set(), "put these in a layer of [tool.importlinter] (pyproject.toml)"


def _cycles(graph, modules):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules))))
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        part.append(m)
                        if m == node:
                            break
                    if len(part) > 1:
                        out.append(sorted(part))
    return out


def test_no_imports_go_in_a_circle():
    graph = grimp.build_graph("cityrank", cache_dir=None)
    # modules, not the packages that hold them: a package's __init__ re-exporting its modules
    # is not a circle with them
    modules = {m for m in graph.modules if not graph.find_children(m)}
    assert _cycles(graph, modules) == []
