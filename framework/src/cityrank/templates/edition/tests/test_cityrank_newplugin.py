"""The newplugin edition loads, is consistent and runs, with the plugins installed beside it
(an indicator with a provider is computed by its plugin, as `cityrank run` computes it)."""

import warnings
from importlib.resources import files

import cityrank


def test_edition_loads_and_runs():
    edition = cityrank.load(files("cityrank_newplugin") / "edition.toml")
    assert edition.id == "newplugin"
    ids = [c.id for c in edition.cities]
    assert len(ids) == len(set(ids))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cityrank.CityrankWarning)  # the run's notes: `cityrank validate` lists them
        try:
            result = edition.run()
        except cityrank.CityrankError as exc:  # until data.csv has values or an indicator a provider
            assert "no city can be scored" in str(exc)
            return
    assert len(result.table()) == len(ids)
