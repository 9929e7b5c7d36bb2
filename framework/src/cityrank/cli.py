"""The ``cityrank`` command line: a thin click group; each command lives in ``commands/``."""

from __future__ import annotations

import click

from .errors import CityrankError


class Group(click.Group):
    """Turns domain errors into one line on stderr and exit code 2, with no traceback.

    Plugin commands are added on first lookup, so that a plugin error in strict mode is
    reported like any other error.
    """

    _plugins_added = False

    def _add_plugin_commands(self):
        if not self._plugins_added:
            self._plugins_added = True
            from .commands.common import registry

            registry().add_commands(self)

    def get_command(self, ctx, cmd_name):
        self._add_plugin_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        self._add_plugin_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CityrankError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


def build_cli() -> click.Group:
    from .commands import analysis, audit, listing, new, report, run, verify, weights

    @click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(package_name="cityrank")
    def cli():
        """Build, run and audit composite city rankings."""

    for module in (run, listing, weights, verify, analysis, audit, report, new):
        for command in module.COMMANDS:
            cli.add_command(command)
    return cli


def main(argv=None):
    return build_cli()(args=argv, prog_name="cityrank")
