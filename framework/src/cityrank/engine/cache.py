"""Provider results kept between runs: a provider that declares what it reads is called once per
set of inputs, and later runs read its values from the cache folder (``cityrank cache``).

The key is the SHA-256 of everything the values depend on: the provider's id, plugin and
version, function, registered and given parameters, every field of every city (ids, names,
countries, GeoNames ids, coordinates, attributes), the fingerprint taken when it registered
(its package's and the core helpers' source, its data files' content, its data packages'
versions: :func:`cityrank.derived.fingerprint`), and the Python and numpy versions. A provider
that declares nothing is not cached: it may read anything. An entry also holds the SHA-256 of
its key and values, so one that is cut short, damaged or misplaced is recomputed and
rewritten, never trusted. Writes are atomic (a run reads a whole entry or none).

A file of the fingerprint that changed after the provider registered (a rebuilt data file, a
source edited during a long session) leaves the cache out for that provider, for reading and
for writing: what the process holds in memory may be older than the files, and only a new
registry fingerprints them again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Mapping

import numpy as np

from .. import derived
from ..model import thaw
from ..plugins import Method

#: the layout of an entry and of its key; a change of either makes every old entry a miss
FORMAT = "cityrank provider results 1"


def provider_values(method: Method, params: Mapping, cities, cities_digest: Callable[[], str],
                    compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()`` (the provider's ``(N,)`` float64 values for ``cities``), read from the cache
    when an entry for these exact inputs is there and whole, else computed and written.
    ``cities_digest()`` is the SHA-256 of every field of every city."""
    key = _key(method, params, cities_digest)
    if key is None:
        return compute()
    path = derived.cache_dir() / f"{derived.PROVIDER_PREFIX}{key}{derived.SUFFIX}"
    found = _read(path, key, len(cities))
    if found is not None:
        return found
    values = np.ascontiguousarray(compute(), dtype=np.float64)
    if derived.unchanged(method.depends):  # the provider read the files its key names
        derived.save_arrays(path, {"values": values, "check": _check(key, values)})
    return values


def _key(method: Method, params: Mapping, cities_digest: Callable[[], str]) -> str | None:
    """The entry's key, or None when these results are not to be cached: the cache is off, the
    provider declared nothing, or its fingerprint could not be taken or a file of it changed."""
    depends = method.depends
    if depends is None or depends.digest is None or not derived.cache_enabled() or not derived.unchanged(depends):
        return None
    function = method.function
    try:
        inputs = json.dumps({
            "format": FORMAT, "provider": method.id, "plugin": method.plugin, "version": method.version,
            "function": f"{function.__module__}.{function.__qualname__}", "fingerprint": depends.digest,
            "registered params": thaw(method.params), "params": thaw(params), "cities": cities_digest(),
            "python": sys.version, "numpy": np.__version__,
        }, sort_keys=True, allow_nan=True)
    except (TypeError, ValueError, AttributeError):  # a parameter that has no canonical text: not cached
        return None
    return hashlib.sha256(inputs.encode()).hexdigest()


def _check(key: str, values: np.ndarray) -> np.ndarray:
    """SHA-256 of the key and the values' bytes, as 32 bytes."""
    h = hashlib.sha256(key.encode())
    h.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    return np.frombuffer(h.digest(), dtype=np.uint8)


def _read(path, key: str, n: int) -> np.ndarray | None:
    """The values of a whole entry for ``key`` with ``n`` values, or None (absent, unreadable,
    damaged, of another shape or another key)."""
    try:
        arrays = derived.load_arrays(path)
    except Exception:  # any failure to read an entry is a miss
        return None
    values, check = arrays.get("values"), arrays.get("check")
    if (set(arrays) != {"values", "check"} or values.dtype != np.float64 or values.shape != (n,)
            or check.dtype != np.uint8 or not np.array_equal(check, _check(key, values))):
        return None
    return values
