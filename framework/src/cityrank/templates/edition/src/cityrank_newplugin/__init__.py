"""The newplugin edition for cityrank: its edition.toml, cities.csv and data.csv are package data."""

from pathlib import Path

import cityrank


@cityrank.hookimpl
def cityrank_register_editions(register):
    register(Path(__file__).with_name("edition.toml"))
