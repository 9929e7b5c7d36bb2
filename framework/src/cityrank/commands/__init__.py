"""Built-in CLI commands, one idea per module."""
