"""The plugin docs: in step with the hook docstrings, one block per hook, examples that work."""

from __future__ import annotations

import re
import runpy
import sys

import numpy as np
import pytest

from conftest import ROOT

DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
sync_hooks = runpy.run_path(str(DOCS / "sync_hooks.py"))


def test_docs_match_hook_docstrings():
    assert sync_hooks["sync"](DOCS, check=True) == [], "run: python docs/sync_hooks.py"


def test_every_hook_has_a_reference_block():
    from cityrank import hookspecs
    from cityrank.plugins import RENAMED

    hooks = {name for name in dir(hookspecs) if name.startswith("cityrank_register_")} - set(RENAMED.values())
    documented = set(re.findall(r"<!-- hook: (\w+) -->", "".join(p.read_text() for p in DOCS.glob("*.md"))))
    assert hooks == documented


def _example(page: str) -> dict:
    text = (DOCS / page).read_text()
    code = re.search(r"## Example.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, page, "exec"), namespace)  # the page's example, as a user would paste it
    return namespace


def test_normaliser_and_aggregator_examples_follow_the_contract():
    from cityrank.testing import check_aggregator, check_normaliser

    check_normaliser(_example("normalisers.md")["share_of_best"])
    check_aggregator(_example("aggregators.md")["weighted_minimum"])


def test_other_examples_run():
    from cityrank.model import City

    weights = _example("weightings.md")["entropy"](("a", "b"), np.array([[1.0, 5.0], [1.0, 1.0], [1.0, 9.0]]))
    assert weights.weights == pytest.approx([0.0, 1.0])  # a constant column carries no information
    ns = _example("imputation-and-outliers.md")
    np.testing.assert_array_equal(ns["minimum"](np.array([[1.0], [np.nan], [3.0]]))[:, 0], [1, 1, 3])
    band = _example("indicators.md")["latitude_band"]((City("a", "A", latitude=-35.0), City("b", "B")), width=10)
    assert band[0] == 3 and np.isnan(band[1])
    for page in ("editions.md", "commands.md"):
        _example(page)


def test_python_tutorial_runs():
    """Every ```python block of docs/python.md, in order, in one namespace."""
    import re
    import warnings

    from conftest import ROOT

    text = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for block in blocks:
            exec(compile(block, "docs/python.md", "exec"), namespace)
    assert namespace["res"].table().shape[0] == 138
