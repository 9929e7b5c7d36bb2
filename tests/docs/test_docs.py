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


def _session(page):
    """The ``>>>`` examples of every ```pycon block of a page, numbered by their line in it."""
    import doctest

    text = page.read_text()
    parser = doctest.DocTestParser()
    examples = []
    for block in re.finditer(r"```pycon\n(.*?)```", text, re.S):
        first = text.count("\n", 0, block.start(1))
        for example in parser.get_examples(block.group(1)):
            example.lineno += first
            examples.append(example)
    return text, examples


def test_python_page_prints_what_it_shows():
    """docs/python.md is a session: every ``>>>`` line runs, in order, in one namespace, and
    prints what the page shows under it (whitespace aside), so the page cannot go stale. No
    code block escapes the check (each is a ```pycon session or a shell line), and an output
    shown as a comment after the code, as the page once did, is not one."""
    import doctest
    import warnings

    pd = pytest.importorskip("pandas")  # the page shows DataFrames
    page = DOCS / "python.md"
    text, examples = _session(page)
    assert len(examples) >= 25
    assert set(re.findall(r"^```(\w+)", text, re.M)) <= {"pycon", "sh"}
    assert not [e.source for e in examples if re.search(r"#\s*<cityrank", e.source)]
    test = doctest.DocTest(examples, {}, "docs/python.md", str(page), 0, text)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    with warnings.catch_warnings(), pd.option_context("display.width", 80, "display.max_columns", 20):
        failed, attempted = runner.run(test, out=report.append)
    assert attempted == len(examples) and failed == 0, "".join(report)
