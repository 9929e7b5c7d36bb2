"""The host checks what every method returns: a misbehaving plugin is one error naming it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityrank import hookimpl
from cityrank.engine import Choices, run
from cityrank.errors import CityrankError, PluginError
from cityrank.formats.spec import load_edition
from cityrank.model import MethodChoice
from cityrank.plugins import Registry
from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny" / "edition.toml"


def _registry(normaliser=None, aggregator=None, **extra):
    class Bad:
        @hookimpl
        def cityrank_register_normalisers(self, register):
            if normaliser:
                register("bad", normaliser)

        @hookimpl
        def cityrank_register_aggregators(self, register):
            if aggregator:
                register("bad", aggregator, **extra)

    return Registry(environ={}, entry_points=[], extra_plugins={"badplugin": Bad()})


def _run(reg, **choices):
    return run(load_edition(TINY), reg, choices=Choices(**{k: MethodChoice(v) for k, v in choices.items()}))


OUTPUTS = {
    "all NaN": lambda x, *a: np.full(np.shape(x), np.nan),
    "inf": lambda x, *a: np.where(np.isnan(x), np.nan, np.inf),
    "wrong shape": lambda x, *a: np.zeros((2, np.shape(x)[-1])),
    "a scalar": lambda x, *a: 1.0,
    "strings": lambda x, *a: np.full(np.shape(x), "high"),
    "None": lambda x, *a: None,
}


@pytest.mark.parametrize("case", OUTPUTS)
def test_a_bad_normaliser_is_named(case):
    with pytest.raises(PluginError) as info:
        _run(_registry(normaliser=OUTPUTS[case]), normaliser="bad")
    assert info.value.plugin == "badplugin" and "normaliser 'bad'" in str(info.value)


AGGREGATES = {
    "all NaN": lambda s, w: np.full(np.shape(s)[:-1], np.nan),
    "inf": lambda s, w: np.full(np.shape(s)[:-1], np.inf),
    "wrong shape": lambda s, w: np.zeros(3),
    "strings": lambda s, w: np.full(np.shape(s)[:-1], "x"),
    "None": lambda s, w: None,
    "raises SystemExit": lambda s, w: exec("raise SystemExit(3)"),
}


@pytest.mark.parametrize("case", AGGREGATES)
def test_a_bad_aggregator_is_named_with_its_node(case):
    with pytest.raises(PluginError) as info:
        _run(_registry(aggregator=AGGREGATES[case]), aggregator="bad")
    assert info.value.plugin == "badplugin" and "aggregator 'bad'" in str(info.value)


def test_declared_bounds_are_enforced_and_rounding_clipped():
    over = _registry(aggregator=lambda s, w: np.full(np.shape(s)[:-1], 1.5), bounds=(0, 1))
    with pytest.raises(PluginError, match=r"outside its bounds \[0, 1\]"):
        _run(over, aggregator="bad")
    rounding = _registry(aggregator=lambda s, w: np.full(np.shape(s)[:-1], 1 + 1e-14), bounds=(0, 1))
    result = _run(rounding, aggregator="bad")
    assert np.all(result.scores[:, 0] == 1.0)


def test_means_stay_within_their_children():
    """An arithmetic mean of [0, 100] scores is never above 100 nor a negative zero."""
    result = _run(Registry(environ={}, entry_points=[]))
    s = result.scores
    assert np.nanmax(s) <= 100 and not np.any(np.signbit(s[s == 0]))


@given(st.sampled_from(["nan", "inf", "-inf", "str", "shape", "ok", "neg0", "obj"]),
       st.integers(0, 4), st.integers(0, 3))
def test_random_plugin_output_gives_a_clean_error_or_a_valid_result(kind, row, col):
    """Property: whatever a normaliser returns, the run ends in a CityrankError or in finite,
    bounded scores with every city ranked."""

    def normaliser(x, direction):
        y = np.nan_to_num(np.asarray(x, dtype=float), nan=50.0)
        y = np.where(np.isnan(x), np.nan, np.clip(y, 0, 100)).astype(object)
        cell = (row, col)
        if kind == "str":
            y[cell] = "a"
        elif kind == "obj":
            y[cell] = None
        elif kind != "ok" and kind != "shape":
            y[cell] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "neg0": -0.0}[kind]
        if kind == "shape":
            return y[:-1]
        return y

    try:
        result = _run(_registry(normaliser=normaliser), normaliser="bad")
    except CityrankError as exc:
        assert "normaliser 'bad'" in str(exc)
        return
    scores = result.scores[:, 0]
    assert np.all(np.isfinite(scores)) and np.all(~np.isnan(result.ranks[:, 0]))
    assert not np.any(np.signbit(result.scores[result.scores == 0]))
