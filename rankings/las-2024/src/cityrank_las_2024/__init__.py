"""The las-2024 edition: its edition.toml and cities.csv are this package's data."""

from pathlib import Path

import cityrank


@cityrank.hookimpl
def cityrank_register_editions(register):
    register(Path(__file__).with_name("edition.toml"))
