"""Copy each hook's docstring from cityrank.hookspecs into the docs pages.

Every page holds, for each hook it documents, a block between
``<!-- hook: NAME -->`` and ``<!-- /hook -->``; this script rewrites those blocks from the
docstrings (the single source), and ``--check`` exits 1 if a page is out of date. A test runs
the check.  Usage: ``python docs/sync_hooks.py [--check]``.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

BLOCK = re.compile(r"(<!-- hook: (\w+) -->\n)(.*?)(<!-- /hook -->)", re.S)


def reference(name: str) -> str:
    from cityrank import hookspecs

    func = getattr(hookspecs, name)
    return f"```python\n{name}{inspect.signature(func)}\n```\n\n{inspect.getdoc(func)}\n"


def sync(folder: Path, check: bool = False) -> list[str]:
    """Pages whose blocks differ from the docstrings (rewritten unless ``check``)."""
    stale = []
    for page in sorted(folder.glob("*.md")):
        text = page.read_text()
        new = BLOCK.sub(lambda m: m.group(1) + reference(m.group(2)) + m.group(4), text)
        if new != text:
            stale.append(page.name)
            if not check:
                page.write_text(new)
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv
    stale = sync(Path(__file__).parent, check)
    print(("out of date: " if check else "rewrote: ") + (", ".join(stale) or "nothing"))
    sys.exit(1 if check and stale else 0)
