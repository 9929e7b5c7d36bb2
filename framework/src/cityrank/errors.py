"""Domain errors. Each carries where the problem is; the CLI prints one line and exits 2."""

from __future__ import annotations


class CityrankError(Exception):
    """A problem with the user's input, a method choice or a plugin.

    ``file``, ``row`` (1-based, the header is row 1) and ``column`` locate it in an input
    file; ``plugin`` names the plugin at fault.
    """

    def __init__(self, message: str, *, file=None, row=None, column=None, plugin=None):
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.plugin = plugin

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f", row {self.row}" if self.row is not None else ""))
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.plugin is not None:
            where.append(f"plugin {self.plugin!r}")
        return one_line((": ".join([", ".join(where), self.message])) if where else self.message)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters (data quoted in a message
    may hold them) written as escapes, so that an error is always exactly one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class SpecError(CityrankError):
    """An edition specification (TOML) or a weights / expert file is invalid."""


class DataError(CityrankError):
    """A cities or data file is invalid."""


class MethodError(CityrankError):
    """A method is unknown, badly parameterised, or cannot be applied to the data."""


class PluginError(CityrankError):
    """A plugin failed to load, to register, or raised inside a hook."""
