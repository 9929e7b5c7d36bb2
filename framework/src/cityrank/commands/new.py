"""``cityrank new edition|plugin NAME``: write a ready distribution to start from."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import click

from ..errors import CityrankError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

def _write(folder: Path, files: dict[str, str]) -> None:
    """Write every file into a temporary folder beside ``folder``, then rename it: all or nothing."""
    if folder.exists():
        raise CityrankError(f"{folder} already exists; choose another name or folder (nothing was written)")
    if not folder.parent.is_dir():
        raise CityrankError("the folder does not exist (nothing was written)", file=folder.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            for rel, text in files.items():
                path = tmp / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            os.rename(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except OSError as exc:
        raise CityrankError(f"cannot write: {exc.strerror or exc} (nothing was written)", file=folder) from None


@click.group()
def new():
    """Write a new edition or plugin distribution to start from."""


def _check_name(name: str) -> str:
    if not NAME.match(name) or len(name) > 64:
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise CityrankError(f"name {shown!r}: use at most 64 lower-case letters, digits and single hyphens, "
                            "e.g. sco-2025")
    if name in RESERVED:
        raise CityrankError(f"name {name!r} is reserved ({RESERVED[name]}): choose another")
    from ..installed import entry_points
    from ..plugins import ENTRY_POINT_GROUP

    taken = {ep.name: ep for ep in entry_points(ENTRY_POINT_GROUP)}
    if name in taken:
        dist = taken[name].dist
        raise CityrankError(f"name {name!r}: a plugin of that name is installed"
                            f"{f' ({dist.name} {dist.version})' if dist else ''}; two cannot load together")
    return "cityrank_" + name.replace("-", "_")


#: plugin names that CITYRANK_DISABLE_PLUGINS and the registry give a meaning of their own
RESERVED = {"builtins": "the name of cityrank's own methods", "all": "CITYRANK_DISABLE_PLUGINS=all disables every plugin"}


@new.command("edition")
@click.argument("name")
@click.option("--dir", "where", type=click.Path(file_okay=False), default=".", show_default=True)
def new_edition(name, where):
    """A ranking edition NAME: pyproject, registration module, edition.toml, cities.csv, data.csv, test."""
    import datetime

    module = _check_name(name)
    year = re.search(r"(19|20)\d\d", name)
    files = from_template("edition", name, module)
    toml = f"src/{module}/edition.toml"
    files[toml] = files[toml].replace("year = 2000", f"year = {year.group(0) if year else datetime.date.today().year}")
    folder = Path(where) / name
    _write(folder, files)
    click.echo(f"wrote {folder}/: pip install -e {folder} (or add it to the workspace), then cityrank validate {name}")


#: template folders shipped with cityrank (each can be linted and tested as it is); their
#: placeholder is the name ``newplugin``, an edition's year ``year = 2000``
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def from_template(template: str, name: str, module: str) -> dict[str, str]:
    """The files of a template folder with its placeholder names replaced."""
    root = TEMPLATES / template

    def fill(text: str) -> str:
        return (text.replace("cityrank_newplugin", module).replace("cityrank-newplugin", f"cityrank-{name}")
                .replace("newplugin", name))

    return {fill(str(p.relative_to(root))): fill(p.read_text(encoding="utf-8"))
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@new.command("plugin")
@click.argument("name")
@click.option("--kind", type=click.Choice(["method", "indicator"]), default="method", show_default=True,
              help="method: a normaliser and an aggregator; indicator: a data plugin (providers, build script, "
                   "derived data with its source and licence, tests against hand-computed values).")
@click.option("--dir", "where", type=click.Path(file_okay=False), default=".", show_default=True)
def new_plugin(name, kind, where):
    """A plugin distribution NAME: a method plugin, or with --kind indicator a data plugin."""
    module = _check_name(name)
    folder = Path(where) / name
    _write(folder, from_template(f"{kind}-plugin", name, module))
    listing = "cityrank methods --kind indicator" if kind == "indicator" else "cityrank methods"
    click.echo(f"wrote {folder}/: pip install -e {folder}, then {listing}")


COMMANDS = [new]
