"""Distances and neighbourhoods for indicator providers: any set of cities in, one value each.

Great-circle (haversine) distances on a sphere of the IUGG mean Earth radius. Public, so that
a third-party data plugin measures "within 50 km" exactly as the built-in ones do.
"""

from __future__ import annotations

import numpy as np

#: mean Earth radius R1 of the IUGG (Moritz, Geodetic Reference System 1980), km
EARTH_RADIUS_KM = 6371.0088
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


class Points:
    """Weighted points (airports, ports, grid cells), indexed by latitude for radius queries."""

    def __init__(self, lat, lon, weight=None):
        lat = np.asarray(lat, dtype=np.float64)
        order = np.argsort(lat, kind="stable")
        self._order = order
        self.lat = lat[order]
        self.lon = np.asarray(lon, dtype=np.float64)[order]
        w = np.ones(len(lat)) if weight is None else np.asarray(weight, dtype=np.float64)
        self.weight = w[order]

    def __len__(self) -> int:
        return len(self.lat)

    def within(self, lat, lon, radius_km: float, *, group=None, groups=None, chunk: int = 1 << 22) -> np.ndarray:
        """Σ weight of the points within ``radius_km`` of each (lat, lon); NaN where a
        coordinate is missing. With ``group`` (one label per query) and ``groups`` (one per
        point), only the points of another group count (e.g. another country).

        Vectorised: each query's candidates are the points of its latitude band (1° of
        latitude is ≥ 110.5 km), the distances of many queries in one array of at most about
        ``chunk`` pairs (memory stays bounded for any number of cities)."""
        if not radius_km > 0:
            raise ValueError(f"radius_km must be positive, got {radius_km}")
        lat, lon = np.atleast_1d(np.asarray(lat, dtype=np.float64)), np.atleast_1d(np.asarray(lon, dtype=np.float64))
        known = ~(np.isnan(lat) | np.isnan(lon))
        band = radius_km / 110.0
        lo = np.searchsorted(self.lat, np.where(known, lat - band, 0.0))
        hi = np.searchsorted(self.lat, np.where(known, lat + band, 0.0))
        size = np.where(known, hi - lo, 0)
        if groups is not None:
            mine = np.asarray(group)
            theirs = np.asarray(groups)[self._order]
        out = np.zeros(len(lat))
        ends = np.cumsum(size)
        start = 0
        while start < len(lat):  # queries start … stop-1: about `chunk` candidate pairs
            stop = max(start + 1, int(np.searchsorted(ends, (ends[start - 1] if start else 0) + chunk, side="right")))
            q = np.arange(start, stop)
            sz = size[q]
            query = np.repeat(q, sz)
            point = np.arange(sz.sum()) + np.repeat(lo[q] - (np.cumsum(sz) - sz), sz)
            near = haversine_km(lat[query], lon[query], self.lat[point], self.lon[point]) <= radius_km
            if groups is not None:
                near &= theirs[point] != mine[query]
            out += np.bincount(query[near], weights=self.weight[point[near]], minlength=len(lat))
            start = stop
        return np.where(known, out, np.nan)

    def nearest_km(self, lat, lon, block: int = 256) -> np.ndarray:
        """Distance in km from each (lat, lon) to the nearest point; NaN where missing."""
        lat, lon = np.atleast_1d(np.asarray(lat, dtype=np.float64)), np.atleast_1d(np.asarray(lon, dtype=np.float64))
        out = np.full(len(lat), np.nan)
        if not len(self):
            return out
        for start in range(0, len(lat), block):  # (block × points) distances at a time
            part = slice(start, start + block)
            d = haversine_km(lat[part, None], lon[part, None], self.lat[None, :], self.lon[None, :])
            with np.errstate(invalid="ignore"):
                out[part] = np.min(d, axis=1)
        return out
