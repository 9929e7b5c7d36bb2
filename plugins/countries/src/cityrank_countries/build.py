"""Rebuild ``data/borders.csv`` from the npm package ``world-countries`` (mledoze/countries).

    npm pack world-countries && tar xzf world-countries-*.tgz
    python -m cityrank_countries.build --countries package/

``borders.csv``: per country (ISO 3166-1 alpha-3), its land neighbours as the package lists
them (``borders``), ODbL 1.0 like its source.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cityrank import derived

DATA = Path(__file__).parent / "data"


def border_rows(countries: list[dict]):
    """(ISO3, neighbours separated by spaces), by ISO3."""
    return sorted((c["cca3"], " ".join(sorted(c.get("borders", [])))) for c in countries)


def build(folder: Path, out: Path = DATA) -> Path:
    meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    countries = json.loads((folder / "countries.json").read_text(encoding="utf-8"))
    path = out / "borders.csv"
    derived.write(path, {
        "source": "mledoze/countries: land borders of each country (https://github.com/mledoze/countries)",
        "package": "npm world-countries", "version": meta["version"],
        "licence": "ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/), as its source",
        "built_by": "python -m cityrank_countries.build",
    }, ["country", "borders"], border_rows(countries))
    return path


def main(argv=None) -> int:
    return derived.build_main(argv, prog="python -m cityrank_countries.build", doc=__doc__, option="--countries",
                              help="folder of the unpacked npm package world-countries", build=build, out=DATA)


if __name__ == "__main__":
    sys.exit(main())
