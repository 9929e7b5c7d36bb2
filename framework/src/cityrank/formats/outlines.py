"""Country outlines for maps: Natural Earth's 1:110m admin-0 boundaries as polylines.

``data/outlines.csv`` is derived from the npm package ``world-atlas`` (Natural Earth 4.1.0 as
TopoJSON, ISC; Natural Earth is public domain) by::

    npm pack world-atlas && tar xzf world-atlas-*.tgz
    python -m cityrank.formats.outlines package/

It holds every arc of the topology (coasts and borders, each once) as (arc, lon, lat) rows.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

import numpy as np

from .. import derived

DATA = Path(__file__).parent / "data" / "outlines.csv"


def arcs(topology: dict) -> list[np.ndarray]:
    """The arcs of a quantized TopoJSON topology as (lon, lat) arrays (delta-decoded)."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.float64), axis=0)
        out.append(q * scale + translate)
    return out


@functools.cache
def outlines() -> list[np.ndarray]:
    """The shipped outlines: one (lon, lat) array per arc."""
    _, cols = derived.read(DATA)
    ids = cols["arc"].astype(int)
    cuts = np.flatnonzero(np.diff(ids)) + 1
    xy = np.column_stack([cols["lon"], cols["lat"]])
    return np.split(xy, cuts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cityrank.formats.outlines", description=__doc__.split("\n\n")[0])
    parser.add_argument("world_atlas", type=Path, help="folder of the unpacked npm package world-atlas")
    args = parser.parse_args(argv)
    try:
        meta = json.loads((args.world_atlas / "package.json").read_text())
        topology = json.loads((args.world_atlas / "countries-110m.json").read_text())
    except (OSError, ValueError) as exc:
        print(f"error: {args.world_atlas}: {exc}", file=sys.stderr)
        return 2
    rows = [(k, round(float(x), 3), round(float(y), 3)) for k, arc in enumerate(arcs(topology)) for x, y in arc]
    derived.write(DATA, {
        "source": "Natural Earth 4.1.0 admin-0 country boundaries, 1:110m, as the arcs of world-atlas' countries-110m",
        "package": "npm world-atlas", "version": meta["version"],
        "licence": "Natural Earth: public domain (https://www.naturalearthdata.com/about/terms-of-use/); "
                   "world-atlas: ISC",
        "built_by": "python -m cityrank.formats.outlines",
    }, ["arc", "lon", "lat"], rows)
    print(f"wrote {DATA} ({len(rows)} points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
