"""Distances and neighbourhoods for indicator providers: any set of cities in, one value each.

Great-circle (haversine) distances on a sphere of the IUGG mean Earth radius. Public, so that
a third-party data plugin measures "within 50 km" exactly as the built-in ones do.
"""

from __future__ import annotations

import numpy as np

#: mean Earth radius R1 of the IUGG (Moritz, Geodetic Reference System 1980), km
EARTH_RADIUS_KM = 6371.0088
#: point sets at least this large keep their radius-query index in the cache folder
GRID_CACHE_FROM = 20_000
#: Special administrative regions that ISO 3166 and GeoNames list as countries of their own;
#: for "another member state" they belong to the state they are part of.
SOVEREIGN = {"HKG": "CHN", "MAC": "CHN"}


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points in degrees; broadcasts like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def coordinates(cities) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of each city from its cities.csv columns (NaN where missing)."""
    lat = np.array([np.nan if c.latitude is None else c.latitude for c in cities], dtype=np.float64)
    lon = np.array([np.nan if c.longitude is None else c.longitude for c in cities], dtype=np.float64)
    return lat, lon


def unit_vectors(lat, lon) -> np.ndarray:
    """Points in degrees as unit vectors (…, 3): the cosine of the angle between two points is
    their dot product."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=-1)


class Points:
    """Weighted points (airports, ports, grid cells, places), indexed for radius queries."""

    def __init__(self, lat, lon, weight=None):
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.weight = np.ones(len(self.lat)) if weight is None else np.asarray(weight, dtype=np.float64)
        self._grids: dict = {}

    def __len__(self) -> int:
        return len(self.lat)

    def _grid(self, width: float) -> tuple[np.ndarray, np.ndarray]:
        """The points ordered by latitude band of ``width`` degrees, then by longitude: the
        permutation and the sorted keys ``band × 1000 + (lon + 180)`` (bands never overlap).
        Kept for the process and, for large sets, in the cache folder under a digest of the
        coordinates and the width (reading it is several times faster than sorting)."""
        if width not in self._grids:
            def build():
                key = np.floor((self.lat + 90.0) / width) * 1000.0 + (self.lon + 180.0)
                order = np.argsort(key, kind="stable")
                return {"order": order, "keys": key[order]}

            if len(self) >= GRID_CACHE_FROM:
                import hashlib

                from .derived import cached

                h = hashlib.sha256(repr(float(width)).encode())
                h.update(np.ascontiguousarray(self.lat, dtype="<f8").tobytes())
                h.update(np.ascontiguousarray(self.lon, dtype="<f8").tobytes())
                grid = cached(f"grid-{h.hexdigest()[:32]}", build, fields=("order", "keys"))
                if grid["order"].shape != self.lat.shape or grid["keys"].shape != self.lat.shape:
                    grid = build()
            else:
                grid = build()
            self._grids[width] = grid["order"], grid["keys"]
        return self._grids[width]

    def _sorted(self, width: float) -> tuple[np.ndarray, ...]:
        """Latitude, longitude, weight and cos(latitude) of the points in grid order (kept)."""
        if ("sorted", width) not in self._grids:
            order = self._grid(width)[0]
            plat = self.lat[order]
            self._grids[("sorted", width)] = plat, self.lon[order], self.weight[order], np.cos(np.radians(plat))
        return self._grids[("sorted", width)]

    def within(self, lat, lon, radius_km: float, *, group=None, groups=None, chunk: int = 1 << 22) -> np.ndarray:
        """Σ weight of the points within ``radius_km`` of each (lat, lon); NaN where a
        coordinate is missing. With ``group`` (one label per query) and ``groups`` (one per
        point), only the points of another group count (e.g. another country).

        Vectorised: a query's candidates are the points of the (up to three) latitude bands of
        width r/110° (1° of latitude is ≥ 110.5 km) around it and, in each, of the longitudes a
        circle of that angular radius can reach (asin(sin θ / cos φ); the whole band where the
        circle reaches a pole); every candidate is then checked by its haversine distance, many
        queries at a time in arrays of at most about ``chunk`` pairs (bounded memory)."""
        if not radius_km > 0:
            raise ValueError(f"radius_km must be positive, got {radius_km}")
        lat, lon = np.atleast_1d(np.asarray(lat, dtype=np.float64)), np.atleast_1d(np.asarray(lon, dtype=np.float64))
        known = ~(np.isnan(lat) | np.isnan(lon))
        out = np.zeros(len(lat))
        if not len(self) or not known.any():
            return np.where(known, out, np.nan)
        width = radius_km / 110.0
        order, keys = self._grid(width)
        q = np.flatnonzero(known)
        theta = np.radians(min(width, 180.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            reach = np.degrees(np.arcsin(np.clip(np.sin(theta) / np.cos(np.radians(lat[q])), -1.0, 1.0)))
        whole = (np.abs(lat[q]) + np.degrees(theta) >= 90.0) | (reach >= 180.0) | (theta >= np.pi / 2)
        starts, ends, owners = [], [], []
        band = np.floor((lat[q] + 90.0) / width)
        lo_lon, hi_lon = lon[q] + 180.0 - reach, lon[q] + 180.0 + reach  # in [0, 360] when not wrapping
        for shift in (-1.0, 0.0, 1.0):
            base = (band + shift) * 1000.0
            pieces = [  # (start, end, which queries) in key space, ends inclusive
                (base, base + 360.0, whole),
                (base + np.maximum(lo_lon, 0.0), base + np.minimum(hi_lon, 360.0), ~whole),
                (base + lo_lon + 360.0, base + 360.0, ~whole & (lo_lon < 0)),  # wraps west of -180
                (base, base + hi_lon - 360.0, ~whole & (hi_lon > 360)),  # wraps east of 180
            ]
            for a, b, use in pieces:
                starts.append(np.searchsorted(keys, a[use], side="left"))
                ends.append(np.searchsorted(keys, b[use], side="right"))
                owners.append(q[use])
        start, stop, owner = np.concatenate(starts), np.concatenate(ends), np.concatenate(owners)
        size = np.maximum(stop - start, 0)
        if groups is not None:
            mine, theirs = np.asarray(group), np.asarray(groups)
        limit = np.sin(np.radians(min(radius_km / EARTH_RADIUS_KM * 180.0 / np.pi, 180.0)) / 2) ** 2
        cos_q = np.cos(np.radians(lat))
        total = np.cumsum(size)
        # few candidates (few queries): look the points up through the permutation; many: sort
        # the points' arrays once
        ordered = ("sorted", width) in self._grids or (len(total) and total[-1] > len(self))
        if ordered and groups is not None:
            theirs = theirs[order]
        first = 0
        while first < len(size):  # ranges first … last-1: about `chunk` candidate pairs
            last = max(first + 1, int(np.searchsorted(total, (total[first - 1] if first else 0) + chunk, side="right")))
            sz = size[first:last]
            query = np.repeat(owner[first:last], sz)
            point = np.arange(sz.sum()) + np.repeat(start[first:last] - (np.cumsum(sz) - sz), sz)
            if ordered:  # positions in the sorted arrays
                at, (plat, plon, pw, cos_p) = point, self._sorted(width)
                cos_at = cos_p[at]
            else:  # positions in the points' own arrays
                at, plat, plon, pw = order[point], self.lat, self.lon, self.weight
                cos_at = np.cos(np.radians(plat[at]))
            # haversine's a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) against its value at the radius
            a = (np.sin(np.radians(plat[at] - lat[query]) / 2) ** 2
                 + cos_q[query] * cos_at * np.sin(np.radians(plon[at] - lon[query]) / 2) ** 2)
            near = a <= limit
            if groups is not None:
                near &= theirs[at] != mine[query]
            out += np.bincount(query[near], weights=pw[at[near]], minlength=len(lat))
            first = last
        return np.where(known, out, np.nan)

    def nearest_km(self, lat, lon, block: int | None = None) -> np.ndarray:
        """Distance in km from each (lat, lon) to the nearest point; NaN where missing. The
        nearest point has the largest dot product of unit vectors (one matrix product per block
        of queries, about 4 million products at a time unless ``block`` says how many queries);
        the haversine distance is then taken to every point within rounding of it."""
        lat, lon = np.atleast_1d(np.asarray(lat, dtype=np.float64)), np.atleast_1d(np.asarray(lon, dtype=np.float64))
        out = np.full(len(lat), np.nan)
        if not len(self):
            return out
        block = block or max(1, (1 << 22) // len(self))
        points = unit_vectors(self.lat, self.lon)
        known = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
        for start in range(0, len(known), block):  # (block × points) dot products at a time
            q = known[start:start + block]
            dots = unit_vectors(lat[q], lon[q]) @ points.T
            rows, cols = np.nonzero(dots >= dots.max(axis=1, keepdims=True) - 1e-9)
            d = haversine_km(lat[q][rows], lon[q][rows], self.lat[cols], self.lon[cols])
            best = np.full(len(q), np.inf)
            np.minimum.at(best, rows, d)
            out[q] = best
        return out
