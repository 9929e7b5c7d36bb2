"""The scaffolds' READMEs: a newcomer can follow them from top to bottom."""

from __future__ import annotations

import re

import pytest

from cityrank.commands.new import TEMPLATES


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.iterdir() if (p / "README.md").is_file()))
def test_every_step_comes_after_the_install(template):
    """A step that needs the package (a ``python -m`` build, a ``cityrank`` command, ``pytest``)
    is never written before ``pip install -e .``: the build step once came first, and failed
    with "No module named" for whoever followed the page in order."""
    text = (TEMPLATES / template / "README.md").read_text()
    install = text.find("pip install -e .")
    assert install >= 0, f"{template}: the README never says how to install the package"
    steps = [m.start() for m in re.finditer(r"`(python -m |cityrank |pytest)", text)]
    assert steps and min(steps) > install, f"{template}: a step is written before the install"
