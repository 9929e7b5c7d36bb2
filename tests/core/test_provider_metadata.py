"""An indicator computed by a provider takes the provider's direction, unit, level and source
unless the edition says otherwise; a contradiction is a note naming both."""

from __future__ import annotations

import warnings

import pytest

import cityrank

EDITION = """
[edition]
id = "ports"
title = "Three cities and their nearest seaport"

[methods]
tiers = [0.5, 1.0]

[[domains]]
id = "traditional"
name = "Traditional infrastructure"

[[indicators]]
id = "port"
name = "Distance to the nearest seaport"
domain = "traditional"
provider = "transport.seaport_distance"
{extra}
"""

# Almaty lies about 2,000 km from any sea (the provider's table of seaports has none in
# Kazakhstan's interior); Rotterdam and Mumbai are seaports themselves.
CITIES = """id,name,country,geonameid,latitude,longitude
ala,Almaty,KAZ,1526384,43.25667,76.92861
rtm,Rotterdam,NLD,2747891,51.9225,4.47917
bom,Mumbai,IND,1275339,19.07283,72.88261
"""


def _edition(tmp_path, extra=""):
    (tmp_path / "edition.toml").write_text(EDITION.format(extra=extra))
    (tmp_path / "cities.csv").write_text(CITIES)
    return cityrank.load(tmp_path / "edition.toml")


def _ranks(result):
    table = result.table()
    return dict(zip(list(table.index), [int(r) for r in table["rank"]], strict=True))


def test_the_providers_direction_unit_level_and_source_are_inherited(tmp_path):
    ed = _edition(tmp_path)
    provider = ed.registry.get("indicator", "transport.seaport_distance")
    ind = ed.spec.framework.indicators[0]
    assert provider.extra["direction"] == -1
    assert (ind.direction, ind.unit, ind.level) == (-1, provider.extra["unit"], provider.extra["level"])
    assert ind.source == provider.extra["source"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", cityrank.CityrankWarning)  # nothing to say: no contradiction
        ranks = _ranks(ed.run())
    assert ranks["ala"] == 3  # the farthest from a seaport is last, not first
    assert ranks["rtm"] < 3 and ranks["bom"] < 3


def test_the_editions_word_stands_with_a_note_naming_both(tmp_path):
    ed = _edition(tmp_path, 'direction = 1\nunit = "kilometres"')
    ind = ed.spec.framework.indicators[0]
    assert (ind.direction, ind.unit) == (1, "kilometres")
    with pytest.warns(cityrank.CityrankWarning, match="'port' is ranked more is better.*transport.seaport_distance.*less is better"):
        ranks = _ranks(ed.run())
    assert ranks["ala"] == 1


def test_an_agreeing_direction_says_nothing(tmp_path, recwarn):
    ed = _edition(tmp_path, "direction = -1")
    ed.run()
    assert not [w for w in recwarn if "provider" in str(w.message)]


def test_the_cli_shows_and_ranks_with_the_providers_direction(tmp_path, fresh_cli):
    _edition(tmp_path)
    shown = fresh_cli("show", str(tmp_path / "edition.toml"))
    assert shown.exit_code == 0, shown.output
    assert "less is better" in shown.output and "more is better" not in shown.output
    run = fresh_cli("run", str(tmp_path / "edition.toml"), "--format", "csv")
    assert run.exit_code == 0, run.output
    rows = [line.split(",") for line in run.output.splitlines()]
    header = rows[0]
    last = max(rows[1:], key=lambda r: int(r[header.index("rank")]))
    assert last[header.index("id")] == "ala"

