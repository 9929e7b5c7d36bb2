"""Rebuild ``data/points.csv`` from a source CSV with columns ``lat``, ``lon`` (and ``weight``).

    python -m cityrank_newplugin.build SOURCE.csv

Fill in META with what the source is: its name, the package it comes in and its version, the
date of its data and its licence. They are written into the derived file and shown by
``cityrank show`` for every indicator that uses the provider.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from cityrank import derived

DATA = Path(__file__).parent / "data"
META = {
    "source": "example points: three national capitals (GeoNames coordinates)",
    "package": "https://www.geonames.org/",
    "version": "example",
    "licence": "CC BY 4.0 (https://www.geonames.org/)",
    "built_by": "python -m cityrank_newplugin.build",
}


def point_rows(reader) -> list[tuple[float, float, float]]:
    """(lat, lon, weight) of each source row, checked and sorted."""
    rows = []
    for number, r in enumerate(reader, start=2):
        lat, lon = float(r["lat"]), float(r["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"row {number}: coordinates out of range ({lat}, {lon})")
        rows.append((lat, lon, float(r.get("weight") or 1.0)))
    return sorted(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cityrank_newplugin.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="CSV with columns lat, lon and optionally weight")
    parser.add_argument("--out", type=Path, default=DATA / "points.csv")
    args = parser.parse_args(argv)
    try:
        with args.source.open(encoding="utf-8", newline="") as fh:
            rows = point_rows(csv.DictReader(fh))
    except (OSError, KeyError, ValueError) as exc:
        print(f"error: {args.source}: {exc}", file=sys.stderr)
        return 2
    derived.write(args.out, META, ["lat", "lon", "weight"], rows)
    print(f"wrote {args.out} ({len(rows)} points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
