"""Plugin manager: loads built-in methods and entry points of the group ``cityrank``.

Load order: built-ins first, then entry points sorted by name. Each entry point is loaded on
its own; one that fails to import, to validate against the hook specs or to register is
recorded with its name, distribution, version and a one-line error, shown by
``cityrank plugins``, and the rest keep working.

Environment variables:

- ``CITYRANK_PLUGINS``: comma-separated allow-list of entry point names; only these load.
- ``CITYRANK_DISABLE_PLUGINS``: comma-separated names to skip, or ``all`` for every entry
  point (built-ins stay; name ``builtins`` to block them too).
- ``CITYRANK_STRICT_PLUGINS=1``: re-raise plugin errors instead of recording them (for
  plugin authors).
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import re
import sys
import threading
from collections.abc import Mapping
from typing import Any

import attrs
import pluggy

from . import hookspecs, installed
from .errors import CityrankError, MethodError, PluginError

ENTRY_POINT_GROUP = "cityrank"
ENV_ALLOW = "CITYRANK_PLUGINS"
ENV_BLOCK = "CITYRANK_DISABLE_PLUGINS"
ENV_STRICT = "CITYRANK_STRICT_PLUGINS"
BUILTINS = "builtins"
#: the module of the built-in methods' hook implementations
BUILTIN_MODULE = "cityrank.methods"

#: registration hooks by kind of thing they provide
KINDS = {
    "normaliser": "cityrank_register_normalisers",
    "aggregator": "cityrank_register_aggregators",
    "weighting": "cityrank_register_weightings",
    "imputation": "cityrank_register_imputations",
    "outliers": "cityrank_register_outliers",
    "indicator": "cityrank_register_indicators",
    "edition": "cityrank_register_editions",
}
#: the former names of hooks, still called (a plugin using one is told the new name)
RENAMED = {"imputation": "cityrank_register_imputers", "outliers": "cityrank_register_outlier_treatments"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


@attrs.frozen
class Method:
    """One registered method (or indicator provider, or edition)."""

    kind: str
    id: str
    function: Any
    plugin: str
    version: str
    description: str = ""
    params: Mapping[str, Any] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    #: an indicator provider's declared data, fingerprinted when it registered
    #: (:func:`cityrank.derived.fingerprint`); None: it declared none, its results are not cached
    depends: Any = None


@attrs.define
class PluginInfo:
    """What ``cityrank plugins`` shows about one plugin."""

    name: str
    distribution: str
    version: str
    status: str = "ok"  # ok | failed | duplicate (an id another plugin registered first) | disabled
    builtin: bool = False
    errors: list[str] = attrs.field(factory=list)
    provides: dict[str, list[str]] = attrs.field(factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def _split(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {v.strip() for v in value.split(",") if v.strip()}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class Registry:
    """A typed facade over pluggy: every lookup goes through here, sorted by id.

    Build one with :func:`get_registry` (cached, for the CLI) or directly in tests.
    ``entry_points`` replaces the installed ones (a list of objects with ``name``, ``load()``
    and optionally ``dist``); ``extra_plugins`` maps names to already-imported plugin objects;
    ``builtins=False`` leaves cityrank's own methods out (what ``--help`` needs to list the
    plugins' commands without importing numpy).
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        entry_points=None,
        extra_plugins: Mapping[str, object] | None = None,
        builtins: bool = True,
    ):
        env = os.environ if environ is None else environ
        self.strict = env.get(ENV_STRICT, "") not in ("", "0")
        self.pm = pluggy.PluginManager("cityrank")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self._registered: dict[str, dict[str, Method]] | None = None
        allow, block = _split(env.get(ENV_ALLOW)), _split(env.get(ENV_BLOCK)) or set()

        version = installed.version("cityrank")
        if BUILTINS in block:
            self.plugins[BUILTINS] = PluginInfo(BUILTINS, "cityrank", version, "disabled", True)
        elif builtins:  # without them (``builtins=False``): only to list plugin commands, numpy unloaded
            # the built-in methods are a plugin like any other, loaded by its module's name as an
            # entry point is: the registry sits below the methods and knows none of them
            self._add(BUILTINS, importlib.import_module(BUILTIN_MODULE), "cityrank", version, builtin=True)

        if entry_points is None:
            entry_points = installed.entry_points(ENTRY_POINT_GROUP)
        for ep in sorted(entry_points, key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            dname = dist.metadata["Name"] if dist is not None else "?"
            dversion = dist.version if dist is not None else "?"
            if ("all" in block or ep.name in block) or (allow is not None and ep.name not in allow):
                self.plugins[ep.name] = PluginInfo(ep.name, dname, dversion, "disabled")
                continue
            try:
                with plugin_code():
                    plugin = ep.load()
            except (Exception, SystemExit) as exc:  # a plugin may not end the host
                self._fail(PluginInfo(ep.name, dname, dversion), f"failed to import: {_one_line(exc)}", exc)
                continue
            self._add(ep.name, plugin, dname, dversion)
        for name, plugin in (extra_plugins or {}).items():
            self._add(name, plugin, name, "0")

    # -- loading ----------------------------------------------------------------------

    def _fail(self, info: PluginInfo, message: str, exc: BaseException | None = None):
        info.status = "failed"
        info.errors.append(message)
        self.plugins[info.name] = info
        if self.strict:
            raise PluginError(message, plugin=info.name) from exc

    def _add(self, name, plugin, dist, version, builtin=False):
        info = PluginInfo(name, dist, version, builtin=builtin)
        if name in self.plugins:
            return self._fail(info, f"a plugin named {name!r} is already loaded")
        unknown = sorted(
            attr
            for attr in dir(plugin)
            if attr.startswith("cityrank_") and not hasattr(hookspecs, attr)
        )
        if unknown:
            return self._fail(info, f"unknown hook(s): {', '.join(unknown)}")
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:
            return self._fail(info, f"invalid hook implementation: {_one_line(exc)}", exc)
        self.plugins[name] = info

    def _renamed(self, kind: str, hook_name: str) -> list:
        """Implementations of the hook's former name, each plugin told the new one."""
        old = RENAMED.get(kind)
        impls = getattr(self.pm.hook, old).get_hookimpls() if old else []
        for impl in impls:
            self.plugins[impl.plugin_name].errors.append(f"hook {old} is now called {hook_name}; rename it "
                                                         "(the old name still works)")
        return impls

    def _collect(self) -> dict[str, dict[str, Method]]:
        if self._registered is not None:
            return self._registered
        registered: dict[str, dict[str, Method]] = {kind: {} for kind in KINDS}
        for kind, hook_name in KINDS.items():
            impls = getattr(self.pm.hook, hook_name).get_hookimpls()
            impls += self._renamed(kind, hook_name)
            for impl in sorted(impls, key=lambda i: (i.plugin_name != BUILTINS, i.plugin_name)):
                info = self.plugins[impl.plugin_name]
                batch: list[Method] = []

                def register(*args, _kind=kind, _info=info, _batch=batch, **kwargs):
                    _batch.append(_make(_kind, _info, *args, **kwargs))

                try:
                    with plugin_code():
                        impl.function(register=register)
                except (Exception, SystemExit) as exc:
                    self._fail(info, f"hook {hook_name} failed: {_one_line(exc)}", exc)
                    continue
                for method in batch:
                    other = registered[kind].get(method.id)
                    if other is not None:
                        message = (
                            f"{kind} {method.id!r} is already registered by plugin "
                            f"{other.plugin!r}; plugin {info.name!r} cannot register it again"
                        )
                        info.errors.append(message)
                        if info.status == "ok":
                            info.status = "duplicate"
                        if self.strict:
                            raise PluginError(message, plugin=info.name)
                        continue
                    registered[kind][method.id] = method
                    info.provides.setdefault(kind, []).append(method.id)
        self._registered = registered
        return registered

    # -- lookups ----------------------------------------------------------------------

    def methods(self, kind: str) -> list[Method]:
        """Registered things of one kind, sorted by id."""
        return sorted(self._collect()[kind].values(), key=lambda m: m.id)

    def find(self, kind: str, name: str) -> Method | None:
        """One registered method, or None."""
        return self._collect()[kind].get(name)

    def get(self, kind: str, name: str) -> Method:
        """One registered method; an unknown name is a :class:`MethodError` listing the known."""
        found = self._collect()[kind].get(name)
        if found is None:
            known = ", ".join(m.id for m in self.methods(kind)) or "none installed"
            raise MethodError(f"unknown {kind} {name!r} (known: {known})")
        return found

    def plugin_infos(self) -> list[PluginInfo]:
        self._collect()
        return sorted(self.plugins.values(), key=lambda p: (not p.builtin, p.name))

    def failures(self) -> list[PluginInfo]:
        return [p for p in self.plugin_infos() if p.status == "failed" or p.errors]

    def add_commands(self, cli) -> list[tuple[PluginInfo, str]]:
        """Let plugins add CLI commands; a failing plugin is recorded like any other.
        Returns the failures (plugin, message), for the caller to report."""
        failed = []
        for impl in self.pm.hook.cityrank_register_commands.get_hookimpls():
            before = dict(cli.commands)
            info = self.plugins[impl.plugin_name]
            try:
                with plugin_code():
                    impl.function(cli=cli)
            except (Exception, SystemExit) as exc:
                message = f"hook cityrank_register_commands failed: {_one_line(exc)}"
                self._fail(info, message, exc)
                failed.append((info, message))
            replaced = sorted(name for name, command in before.items() if cli.commands.get(name) is not command)
            if replaced:  # a plugin adds commands; it cannot replace or remove one that is there
                for name in replaced:
                    cli.commands[name] = before[name]
                message = f"hook cityrank_register_commands may not replace the command(s) {', '.join(replaced)}"
                self._fail(info, message)
                failed.append((info, message))
        return failed


def _make(kind: str, info: PluginInfo, *args, **kwargs) -> Method:
    """Check one registration against the hook contract and wrap it."""
    if kind == "edition":
        if len(args) != 1 or kwargs:
            raise TypeError("register(path) takes exactly the path of an edition.toml")
        from .formats.spec import peek_edition_id

        path = args[0]
        return Method(kind, peek_edition_id(path), path, info.name, info.version)
    if len(args) != 2:
        raise TypeError(f"register(id, function, ...) expected for a {kind}, got {len(args)} positional arguments")
    ident, function = args
    if not isinstance(ident, str) or not _ID.match(ident):
        raise TypeError(f"{kind} id {ident!r} must be lower-case letters, digits, '.', '_' or '-'")
    if not callable(function):
        raise TypeError(f"{kind} {ident!r}: the function is not callable")
    description = kwargs.pop("description", "") or _first_paragraph(function.__doc__)
    params = dict(kwargs.pop("params", {}) or {})
    extra, depends = kwargs, None
    if kind == "indicator":
        if extra.get("direction", 1) not in (1, -1):
            raise TypeError(f"indicator provider {ident!r}: direction must be +1 or -1")
        depends = _depends(ident, function, extra.pop("data_files", None), extra.pop("data_packages", None))
    elif kind == "aggregator" and set(extra) <= {"bounds", "positive"}:
        _check_bounds(ident, extra.get("bounds"))
        if isinstance(extra.get("bounds"), list):
            extra["bounds"] = tuple(extra["bounds"])
        if not isinstance(extra.get("positive", False), bool) and not callable(extra["positive"]):
            raise TypeError(f"aggregator {ident!r}: positive must be True, False or a function of the parameters")
    elif extra:
        raise TypeError(f"{kind} {ident!r}: unexpected keyword(s) {', '.join(sorted(extra))}")
    return Method(kind, ident, function, info.name, info.version, description, params, extra, depends)


def _depends(ident: str, function, files, packages):
    """The fingerprint of what a provider declares it reads (``data_files``: paths, read whole;
    ``data_packages``: installed distributions, known by their version), or None when it
    declares neither: its results are then not cached."""
    if files is None and packages is None:
        return None
    for what, value in (("data_files", files), ("data_packages", packages)):
        if isinstance(value, str | bytes | os.PathLike) or (value is not None and not hasattr(value, "__iter__")):
            raise TypeError(f"indicator provider {ident!r}: {what} must be a list")
    try:
        versions = [(str(name), installed.version(name)) for name in packages or ()]
    except installed.PackageNotFoundError as exc:
        raise TypeError(f"indicator provider {ident!r}: data package {exc} is not installed") from None
    from .derived import fingerprint  # numpy, which listing the plugins' commands does not load

    try:
        return fingerprint(function, list(files or ()), versions)
    except OSError as exc:
        raise TypeError(f"indicator provider {ident!r}: cannot read data file {exc.filename}: {exc.strerror}") from None


def _check_bounds(ident, bounds):
    if bounds is None or bounds == "children":
        return
    ok = isinstance(bounds, tuple | list) and len(bounds) == 2 and all(
        isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
    if not ok or not bounds[0] < bounds[1]:
        raise TypeError(f"aggregator {ident!r}: bounds must be 'children' or (lower, upper), got {bounds!r}")


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


_cached: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry used by the CLI, built on first use."""
    global _cached
    if _cached is None:
        _cached = Registry()
    return _cached


def call(method: Method, /, *args, _what: str = "", **kwargs):
    """Call a registered method; anything it raises, and any result that breaks the contract of
    its kind (:mod:`cityrank.contract`), becomes one error naming plugin and method. ``_what``
    says what it is applied to; every other keyword is the method's (a parameter may be
    called ``method``, as ``rank:method=n``)."""
    what = _what
    where = f" on {what}" if what else ""
    kind = "indicator provider" if method.kind == "indicator" else method.kind  # not the indicator it fills
    try:
        with plugin_code():
            result = method.function(*args, **kwargs)
    except CityrankError:
        raise
    except (ValueError, TypeError, ZeroDivisionError, FloatingPointError) as exc:
        plugin = "" if method.plugin == BUILTINS else f" (plugin {method.plugin!r})"
        raise MethodError(f"{kind} {method.id!r}{plugin} failed{where}: {exc}") from exc
    except (Exception, SystemExit) as exc:
        hook = KINDS.get(method.kind, "")
        raise PluginError(
            f"{kind} {method.id!r} (from hook {hook}) failed{where}: it raised {_one_line(exc)}",
            plugin=method.plugin,
        ) from exc
    from .contract import check

    return check(method, result, args, kwargs, what)


# -- plugin output ------------------------------------------------------------------------
# Standard output carries the results (--format json/csv piped to another program): whatever
# plugin code prints while it runs goes to standard error instead, at the Python level (print,
# click.echo) and at the level of the file descriptor (a C library, a subprocess). Methods run
# in threads (the Monte Carlo), so the diversion is counted: the first call in makes it, the
# last one out undoes it.

_diverted = threading.Lock()
_depth = 0
_saved: tuple | None = None  # (sys.stdout, a duplicate of descriptor 1 or None)


@contextlib.contextmanager
def plugin_code():
    """Run plugin code (an import, a hook, a method) with its standard output sent to standard error."""
    global _depth, _saved
    with _diverted:
        if _depth == 0:
            _saved = _divert()
        _depth += 1
    try:
        yield
    finally:
        with _diverted:
            _depth -= 1
            if _depth == 0:
                _restore(*_saved)
                _saved = None


def _divert() -> tuple:
    stdout = sys.stdout
    _flush(stdout, sys.__stdout__)  # what the host printed so far goes where it was going
    fd = None
    try:
        fd = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no descriptor 1 or 2 (a closed stream): the Python level still holds
        if fd is not None:
            os.close(fd)
        fd = None
    sys.stdout = sys.stderr
    return stdout, fd


def _restore(stdout, fd) -> None:
    _flush(sys.stdout, sys.__stdout__)  # the plugin's output, before descriptor 1 is stdout again
    sys.stdout = stdout
    if fd is not None:
        os.dup2(fd, 1)
        os.close(fd)


def _flush(*streams) -> None:
    for stream in streams:
        with contextlib.suppress(Exception):  # None, or a stream already closed
            stream.flush()
