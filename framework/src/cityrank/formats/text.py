"""Small text helpers the readers share: paths, control characters, close names."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path


def as_path(p) -> Path:
    return p if isinstance(p, Path) else Path(os.fspath(p))


#: characters that break a line or a table's columns (a no-break space or an accent does not)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def did_you_mean(name: str, known) -> str:
    """`` (did you mean 'speed'?)`` for a name close to a known one (case aside), else ``""``."""
    folded = {k.casefold(): k for k in known}
    near = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.8)
    return f" (did you mean {folded[near[0]]!r}?)" if near else ""


def read_bounded(path: Path, limit: int, what: str, error) -> bytes:
    """At most ``limit`` bytes of a file (a device such as /dev/zero ends there too); a larger
    one is ``error`` naming it: ``larger than … MiB: not {what}``."""
    with as_path(path).open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise error(f"larger than {limit >> 20} MiB: not {what}", file=path)
    return data
