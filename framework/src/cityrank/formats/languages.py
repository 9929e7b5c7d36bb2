"""Language codes of ISO 639-1 (two letters: ``ar``, ``en``, ``zh`` …), for the source language
of a collected value.

``data/iso639-1.csv`` is derived from Debian's ``iso-codes`` package (LGPL-2.1-or-later), whose
``json/iso_639-2.json`` gives each ISO 639-2 language its ISO 639-1 code where it has one::

    apt-get install iso-codes
    python -m cityrank.formats.languages /usr/share/iso-codes/json/iso_639-2.json
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import sys
from pathlib import Path

from .. import derived

DATA = Path(__file__).parent / "data" / "iso639-1.csv"


@functools.cache
def languages() -> dict[str, str]:
    """The shipped ISO 639-1 codes, lower case, each with its English name."""
    with open(DATA, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(line for line in fh if not line.startswith("# ")))
    return {code: name for code, name in rows[1:]}


def language_code(text: str) -> str | None:
    """``text`` as an ISO 639-1 code (``AR`` → ``ar``), or None when it is not one."""
    code = text.strip().lower()
    return code if code in languages() else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cityrank.formats.languages", description=__doc__.split("\n\n")[0])
    parser.add_argument("iso_639_2", type=Path, help="iso-codes' json/iso_639-2.json")
    parser.add_argument("--version", required=True, help="the iso-codes package's version (dpkg -s iso-codes)")
    args = parser.parse_args(argv)
    try:
        entries = json.loads(args.iso_639_2.read_text(encoding="utf-8"))["639-2"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {args.iso_639_2}: {exc}", file=sys.stderr)
        return 2
    rows = sorted((e["alpha_2"], e["name"]) for e in entries if "alpha_2" in e)
    derived.write(DATA, {
        "source": "ISO 639-1 codes as listed in iso-codes (json/iso_639-2.json, entries with alpha_2)",
        "package": "Debian iso-codes", "version": args.version,
        "licence": "LGPL-2.1-or-later (iso-codes, https://salsa.debian.org/iso-codes-team/iso-codes)",
        "built_by": "python -m cityrank.formats.languages",
    }, ["code", "name"], rows)
    print(f"wrote {DATA} ({len(rows)} codes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
