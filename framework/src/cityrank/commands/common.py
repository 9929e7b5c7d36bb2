"""Helpers shared by the commands: the registry, finding editions, writing output."""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import click
from click.core import ParameterSource

from ..errors import CityrankError, one_line
from ..formats.atomic import refuse_existing, write_atomic
from ..formats.atomic import write_folder as write_files
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
    """An installed edition's id, or the path of an edition.toml (see :func:`cityrank.api.edition_path`)."""
    from ..api import edition_path as find

    return find(name, registry())


def run_edition(edition, data_file=None, **choices):
    """A run of an :class:`cityrank.api.Edition` (:meth:`~cityrank.api.Edition.run`), as a
    notebook would make it; its notes are left to the command to print, once."""
    return quiet(edition.run, data=data_file, **choices).result


def quiet(func, *args, **kwargs):
    """``func(*args, **kwargs)`` with its notes (:class:`cityrank.CityrankWarning`) not warned:
    the command prints them itself, once."""
    import warnings

    from ..api import CityrankWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityrankWarning)
        return func(*args, **kwargs)


def noted(func, *args, **kwargs):
    """``func(*args, **kwargs)`` with the notes it warns (:class:`cityrank.CityrankWarning`)
    printed on stderr as the commands print them, each once."""
    import warnings

    from ..api import CityrankWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CityrankWarning)
        value = func(*args, **kwargs)
    for w in caught:
        if issubclass(w.category, CityrankWarning):
            click.echo(one_line(f"warning: {w.message}"), err=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return value


def load(name: str, *, with_data: bool = True):
    """The edition a command names, as the Python API loads it (:func:`cityrank.api.load`)."""
    from ..api import load as load_edition

    return load_edition(name, registry=registry(), with_data=with_data)


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


def write_folder(folder: Path, files: dict[str, str | bytes], force: bool, what: str = "") -> None:
    """:func:`cityrank.formats.atomic.write_folder`, and say so."""
    write_files(folder, files, force)
    click.echo(f"wrote {len(files)} files to {folder}/{what}", err=True)


#: the output formats a file name's suffix says
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def format_from_output(command: click.Command, own: dict[str, set[str]], path: str = "") -> click.Command:
    """``--format`` taken from ``-o``'s suffix (.csv, .json, .xlsx) when it is not given, and
    one that contradicts the suffix an error: a file named .xlsx holding a text table is a
    wrong output with exit 0. ``own`` names, by command (``"experts combine"``) or group
    (``"weights"``), the suffixes it writes itself (``-o panel.toml``, ``-o weights.csv``)."""
    path = f"{path} {command.name}".strip()
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            format_from_output(sub, own, path)
        return command
    params = {p.name: p for p in command.params}
    callback = command.callback
    outputs = [p.name for p in command.params if "-o" in getattr(p, "opts", ())]
    if not outputs or callback is None or hasattr(callback, "formats_checked"):
        return command
    formats = "fmt" in params and "output" in params
    choices = list(getattr(params["fmt"].type, "choices", ())) if formats else []
    mine = set().union(*(v for k, v in own.items() if path == k or path.startswith(k + " ")))

    def wrapped(*args, **kwargs):
        for name in outputs:  # -o '' would write to standard output, or into the current folder
            if isinstance(kwargs.get(name), str) and not kwargs[name].strip():
                raise CityrankError(f"-o {kwargs[name]!r}: the file name is empty")
        if not formats:
            return callback(*args, **kwargs)
        output, fmt = kwargs.get("output"), kwargs.get("fmt")
        suffix = Path(output).suffix.lower() if output else ""
        if suffix in (".html", ".htm") and "html" not in choices and suffix not in mine:
            raise CityrankError(f"-o {output}: cityrank {path} writes {' or '.join(choices)} (--format), not HTML; "
                                f"the HTML page is `cityrank report EDITION -o {output}`")
        if output and not output.endswith(("/", os.sep)):  # where the output goes, before any work
            refuse_existing(output, bool(kwargs.get("force")))
        implied = SUFFIX_FORMATS.get(suffix)
        if implied and implied != fmt:
            ctx = click.get_current_context()
            if ctx.get_parameter_source("fmt") not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
                raise CityrankError(f"--format {fmt} and -o {output} disagree: the file name says {implied.upper()}")
            if implied in choices:
                kwargs["fmt"] = implied
            elif suffix not in mine:
                raise CityrankError(f"-o {output}: cityrank {path} writes {' or '.join(choices)} (--format), "
                                    f"not {implied.upper()}")
        return callback(*args, **kwargs)

    command.callback = functools.update_wrapper(wrapped, callback)
    command.callback.formats_checked = True
    return command


def output_option(func):
    """``-o FILE`` and ``--force`` (overwrite an existing FILE); read by :func:`emit`."""
    func = click.option("--force", is_flag=True, help="Overwrite an existing output file.")(func)
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")(func)


PRIORITISATION_OPTION = click.option(
    "--prioritisation", type=click.Choice(["eigenvector", "llsm"]), default="eigenvector", show_default=True,
    help="How priorities come from a matrix: the principal eigenvector (Harker's when incomplete) or "
         "logarithmic least squares (the rows' geometric means when complete).")


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Output format.",
)


class FiniteFloat(click.FloatRange):
    """A float option within a range, never NaN or infinite (click's range admits NaN), and
    written as a number is in a data file: no '_' (Python reads 5_0 as 50)."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and "_" in value:
            self.fail(f"{value!r} is not a number.", param, ctx)
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class WholeNumber(click.IntRange):
    """A whole-number option within a range, written without '_' (Python reads 1_000 as 1000)."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and "_" in value:
            self.fail(f"{value!r} is not a whole number.", param, ctx)
        return super().convert(value, param, ctx)


SEED = WholeNumber(min=0, max=2**63 - 1)
