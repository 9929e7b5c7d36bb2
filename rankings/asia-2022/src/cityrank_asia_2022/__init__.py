"""The asia-2022 edition: its edition.toml and cities.csv are this package's data."""

from importlib.resources import files

import cityrank


@cityrank.hookimpl
def cityrank_register_editions(register):
    register(files(__name__) / "edition.toml")
