"""The newplugin edition for cityrank: its edition.toml, cities.csv and data.csv are package data."""

from importlib.resources import files

import cityrank


@cityrank.hookimpl
def cityrank_register_editions(register):
    register(files(__name__) / "edition.toml")
