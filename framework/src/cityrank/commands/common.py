"""Helpers shared by the commands: the registry, finding editions, writing output."""

from __future__ import annotations

import math
import os
from pathlib import Path

import click

from ..errors import CityrankError, SpecError, one_line
from ..formats.output import write_atomic
from ..plugins import Registry, get_registry

_warned = False


def registry() -> Registry:
    """The process registry; plugin failures are reported once, as warnings on stderr."""
    global _warned
    reg = get_registry()
    if not _warned:
        _warned = True
        for info in reg.failures():
            for error in info.errors:
                warn_plugin(info, error)
    return reg


def warn_plugin(info, error: str) -> None:
    click.echo(one_line(f"warning: plugin {info.name!r} ({info.distribution} {info.version}): {error}"), err=True)


def edition_path(name: str) -> Path:
    """An installed edition's id, or the path of an edition.toml (or of its folder).

    A bare name (no ``/``, no ``.toml``) is an installed edition's id first, so that a folder
    of the same name (``cityrank new edition sco-2025`` writes one) does not shadow it."""
    candidate = Path(name)
    looks_like_path = name.endswith(".toml") or "/" in name or os.sep in name or name in (".", "..")
    if not looks_like_path:
        editions = registry().methods("edition")
        for method in editions:
            if method.id == name:
                return Path(str(method.function))
        if not candidate.exists():
            known = ", ".join(m.id for m in editions) or "none installed"
            raise CityrankError(f"unknown edition {name!r} (installed: {known}; or give the path of an edition.toml)")
    if not candidate.exists():
        raise SpecError("file not found", file=candidate)
    if candidate.is_dir() and not (candidate / "edition.toml").is_file():
        raise SpecError("this folder has no edition.toml", file=candidate)
    return candidate


def load(name: str, *, with_data: bool = True):
    from ..formats.spec import load_edition

    return load_edition(edition_path(name), with_data=with_data)


def emit(text: str | bytes, output: str | None, force: bool | None = None) -> None:
    """Print, or write ``output`` atomically; an existing file only with ``--force``."""
    if output:
        if force is None:
            ctx = click.get_current_context(silent=True)
            force = bool(ctx and ctx.params.get("force"))
        write_atomic(output, text, force=force)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def output_option(func):
    """``-o FILE`` and ``--force`` (overwrite an existing FILE); read by :func:`emit`."""
    func = click.option("--force", is_flag=True, help="Overwrite an existing output file.")(func)
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")(func)


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Output format.",
)


class FiniteFloat(click.FloatRange):
    """A float option within a range, never NaN or infinite (click's range admits NaN)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


SEED = click.IntRange(min=0, max=2**63 - 1)
