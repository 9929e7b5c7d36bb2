"""The ``cityrank`` command line: a thin click group; each command lives in ``commands/``."""

from __future__ import annotations

import contextlib
import errno
import os
import sys

import click

from .errors import CityrankError, one_line


class Group(click.Group):
    """Turns domain errors into one line on stderr and exit code 2, with no traceback; Ctrl-C
    into exit code 130. Any other exception is a bug: one line too (``CITYRANK_DEBUG=1``
    re-raises it).

    Plugin commands are added on first lookup, so that a plugin error in strict mode is
    reported like any other error.
    """

    _plugins_added = False

    def _add_plugin_commands(self, *, listing: bool = False):
        """Add the plugins' commands. To run a command, through the process registry (every
        plugin loaded and checked, failures reported once); to list them (``--help``),
        through a registry of the plugins alone, so that listing imports no numpy: only a
        plugin that fails to import or to add its commands is reported then."""
        if self._plugins_added:
            return
        self._plugins_added = True
        from .commands.common import registry, warn_plugin

        if not listing:
            failures = registry().add_commands(self)
        else:
            from .plugins import Registry

            plugins = Registry(builtins=False)
            failures = [(info, e) for info in plugins.plugins.values() if info.status == "failed" for e in info.errors]
            failures += plugins.add_commands(self)
        for info, message in failures:
            warn_plugin(info, message)

    def get_command(self, ctx, cmd_name):
        self._add_plugin_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        self._add_plugin_commands(listing=True)
        return super().list_commands(ctx)

    def main(self, args=None, prog_name=None, standalone_mode=True, **extra):
        """As click's, but a usage error (a bad option or argument) is one line too."""
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.ClickException as exc:
            hint = f" (see {exc.ctx.command_path} --help)" if getattr(exc, "ctx", None) else ""
            message = exc.format_message().strip().replace("\n\t", " ")  # click lists choices one per line
            click.echo(one_line(f"error: {message}{hint}"), err=True)
            code = exc.exit_code
        except click.exceptions.Abort:
            click.echo("interrupted (nothing was written)", err=True)
            code = 130
        except OSError as exc:  # writing --help or --version, before any command runs
            code = _output_failure(exc)
            if code is None:
                raise
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CityrankError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted (nothing was written)", err=True)
            ctx.exit(130)  # 128 + SIGINT, as shells report it
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except (MemoryError, RecursionError) as exc:
            click.echo(f"error: the input is too large or too deeply nested ({type(exc).__name__})", err=True)
            ctx.exit(2)
        except Exception as exc:
            if os.environ.get("CITYRANK_DEBUG"):
                raise
            code = _output_failure(exc) if isinstance(exc, OSError) else None
            if code is not None:
                ctx.exit(code)
            text = str(exc).strip().splitlines()
            click.echo(one_line(f"error: unexpected {type(exc).__name__}: {text[0] if text else ''} "
                                "(a cityrank bug: please report it; CITYRANK_DEBUG=1 shows the traceback)"), err=True)
            ctx.exit(2)


#: what writing to standard output can meet: a full disk or quota, an I/O error, a file too large
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def _output_failure(exc: OSError) -> int | None:
    """The exit code for a failure to write standard output, said in one line; None for any
    other OSError (files are named in their errors: one without a name is standard output).
    A reader that stopped early (``| head``) ends the command quietly, as a shell tool does."""
    if isinstance(exc, BrokenPipeError):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 141  # 128 + SIGPIPE
    if exc.filename is None and exc.errno in _OUTPUT_ERRORS:
        click.echo(one_line(f"error: cannot write the output: {exc.strerror}"), err=True)
        return 2
    return None


def build_cli() -> click.Group:
    from .commands import analysis, audit, cache, data, experts, listing, new, report, run, verify, weights

    @click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(package_name="cityrank")
    def cli():
        """Build, run and audit composite city rankings."""

    from .commands.common import format_from_output

    own = {"experts combine": {".csv", ".toml"}, "weights": {".csv"}}
    for module in (run, listing, weights, experts, data, verify, analysis, audit, report, new, cache):
        for command in module.COMMANDS:
            cli.add_command(format_from_output(command, own))
    return cli


def main(argv=None):
    return build_cli()(args=argv, prog_name="cityrank")
