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
        return (": ".join([", ".join(where), self.message])) if where else self.message


class SpecError(CityrankError):
    """An edition specification (TOML) or a weights / expert file is invalid."""


class DataError(CityrankError):
    """A cities or data file is invalid."""


class MethodError(CityrankError):
    """A method is unknown, badly parameterised, or cannot be applied to the data."""


class PluginError(CityrankError):
    """A plugin failed to load, to register, or raised inside a hook."""
