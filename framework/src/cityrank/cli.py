"""The ``cityrank`` command line: a thin click group; each command lives in ``commands/``."""

from __future__ import annotations

import sys

import click

from .errors import CityrankError


class Group(click.Group):
    """Turns domain errors into one line on stderr and exit code 2, with no traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CityrankError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


def build_cli() -> click.Group:
    from .commands import listing, run, weights

    @click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(package_name="cityrank")
    def cli():
        """Build, run and audit composite city rankings."""

    for module in (run, listing, weights):
        for command in module.COMMANDS:
            cli.add_command(command)
    from .commands.common import registry

    try:
        registry().add_commands(cli)
    except CityrankError as exc:  # strict plugin mode
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    return cli


def main(argv=None):
    return build_cli()(args=argv, prog_name="cityrank")
