"""One path: every command's options are keywords of the Python API, the API gives what the
command prints for the same arguments, and every keyword changes what it should."""

from __future__ import annotations

import json
import warnings

import pytest

import cityrank
from cityrank.cli import build_cli
from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"

#: options that only say how or where a command writes, not what it computes
OUTPUT = {"fmt", "output", "force", "limit", "stages", "tree", "progress"}

#: each built-in command's options → the keyword of the API call the command makes
KEYWORDS = {
    "run": ("run", {"edition": None, "data_file": "data", "normaliser": "normaliser", "aggregator": "aggregator",
                    "imputation": "imputation", "outliers": "outliers", "weights_file": "weights", "drop": "drop"}),
    "validate": ("check", {"edition": None, "data_file": "data"}),
    "stats": ("run", {"edition": None, "data_file": "data", "imputation": "imputation", "outliers": "outliers"}),
    "show": ("show", {"edition": None}),
    "verify": ("verify", {"edition": None, "data_file": "data", "strict": None, "with_bound": "bound",
                          "time_limit": "time_limit"}),
    "report": ("report", {"edition": None, "uncertainty_file": "uncertainty", "samples": "samples", "seed": "seed",
                          "data_file": "data"}),
    "plot": ("plot", {"edition": None, "kind": "kind", "top": "top", "uncertainty_file": "uncertainty",
                      "samples": "samples", "seed": "seed"}),
    "audit": ("run", {"edition": None}),
    "compare": ("comparison", {"edition_a": None, "edition_b": None}),
    "city": ("city", {"name": "name"}),
    "data sheets": ("collection.sheets", {"edition": "edition", "indicators": "indicators", "by": "by",
                                          "collectors": "collectors", "entries": "entries", "folder": "folder"}),
    "data check": ("collection.check", {"folder": "folder", "edition": "edition"}),
    "data merge": ("collection.merge", {"folder": "folder", "edition": "edition"}),
    "experts questionnaire": ("questionnaires", {"edition": None, "node": "node", "count": "experts", "kind": "kind",
                                                 "folder": None}),
}
SAMPLING = {"edition": None, "samples": "samples", "seed": "seed", "normalisers": "normalisers",
            "aggregators": "aggregators", "imputations": "imputations", "weights_file": "weights",
            "weight_noise": "weight_noise", "panel": "panel", "concentration": "concentration", "spread": "spread",
            "data_file": "data", "chunk_size": "chunk_size", "cluster": "cluster", "workers": "workers",
            "keep_degenerate": "keep_degenerate"}
KEYWORDS["uncertainty"] = ("uncertainty", SAMPLING | {"top": "top"})
KEYWORDS["sensitivity"] = ("sensitivity", SAMPLING | {"bootstrap": "bootstrap"})
KEYWORDS["acceptability"] = ("acceptability", SAMPLING | {"top": "top", "ranks": None, "cluster": None})
for _kind in ("pca", "fa", "entropy", "critic", "optimal"):
    KEYWORDS[f"weights {_kind}"] = ("weights", {"edition": None, "node": "node", "data_file": "data"})
for _kind in ("pca", "fa"):  # the factor analyses' choices are parameters of the method: "pca:factors=4"
    KEYWORDS[f"weights {_kind}"][1].update(factors="method", retain="method")


def _edition_commands():
    """The built-in commands that take an edition (or editions), by their full name."""
    found = {}
    for name, command in build_cli().commands.items():
        for sub, leaf in (getattr(command, "commands", None) or {None: command}).items():
            params = {p.name for p in leaf.params}
            if params & {"edition", "edition_a"} or name == "city":
                found[f"{name} {sub}" if sub else name] = leaf
    return found


def test_every_option_of_every_edition_command_is_an_api_keyword():
    import importlib
    import inspect

    commands = _edition_commands()
    assert set(commands) >= set(KEYWORDS) - {"kemeny"}
    for name, command in commands.items():
        assert name in KEYWORDS, f"cityrank {name}: which API call does it make? (add it to KEYWORDS)"
        method, mapping = KEYWORDS[name]
        if "." in method:  # a function of another public module: cityrank.collection.sheets
            module, function = method.split(".")
            target = getattr(importlib.import_module(f"cityrank.{module}"), function)
        else:
            target = getattr(cityrank.api.Edition, method, None) or getattr(cityrank.api, method)
        accepted = set(inspect.signature(target).parameters)
        for param in command.params:
            if param.name in OUTPUT:
                continue
            assert param.name in mapping, f"cityrank {name} --{param.name}: no API keyword (add it to KEYWORDS)"
            keyword = mapping[param.name]
            assert keyword is None or keyword in accepted, f"cityrank {name} --{param.name}: {method}() lacks {keyword}"


@pytest.fixture
def tiny(registry):
    return cityrank.load(TINY, registry=registry)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cityrank.CityrankWarning)
        return func(*args, **kwargs)


def _weights_file(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,weight\ndigital,1\ntraditional,3\n")
    return path


def _data_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("city_id,speed\nams,100\nber,300\nlis,120\nosl,90\nrom,400\n")
    return path


# option on the command line, keyword in Python, a value other than the default
VARIANTS = [
    ("--normalisers", "normalisers", "minmax;rank"),
    ("--aggregators", "aggregators", "arithmetic;geometric"),
    ("--imputations", "imputations", "none;mean"),
    ("--weights", "weights", _weights_file),
    ("--weight-noise", "weight_noise", "uniform"),
    ("--concentration", "concentration", "2"),
    ("--spread", "spread", "0.5"),
    ("--data", "data", _data_file),
    ("--seed", "seed", "7"),
]


@pytest.mark.parametrize(("option", "keyword", "value"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_uncertainty_option_and_keyword_agree_and_matter(tiny, fresh_cli, tmp_path, option, keyword, value):
    value = value(tmp_path) if callable(value) else value
    extra = ["--weight-noise", "uniform"] if option == "--spread" else []
    cli = json.loads(fresh_cli("uncertainty", TINY, "--samples", "300", option, str(value), *extra,
                               "--format", "json").stdout)
    typed = {"concentration": float, "spread": float, "seed": int}.get(keyword, lambda v: v)(value)
    more = {"weight_noise": "uniform"} if option == "--spread" else {}
    api = _quiet(tiny.uncertainty, 300, **{keyword: typed}, **more)
    assert {**api.info(), "cities": api.rows()} == cli
    default = _quiet(tiny.uncertainty, 300, **more)
    assert api.rows() != default.rows(), f"{keyword}= changes nothing"


def test_concentration_from_python_widens_the_intervals(tiny):
    """The keyword the API once ignored: a Dirichlet of concentration 2 is far looser than 50."""
    tight, loose = _quiet(tiny.uncertainty, 500, seed=1), _quiet(tiny.uncertainty, 500, seed=1, concentration=2)
    width = lambda u: sum(r["p95_rank"] - r["p05_rank"] for r in u.rows())  # noqa: E731
    assert width(loose) > width(tight)
    assert loose.info()["assumptions"]["weights"] == "dirichlet (concentration 2)"


def test_a_noise_parameter_keeps_the_editions_other_one(tmp_path, registry):
    """[uncertainty] weights = "dirichlet:concentration=5": --spread alone keeps concentration 5."""
    folder = tmp_path / "ed"
    import shutil

    shutil.copytree(TINY, folder)
    toml = folder / "edition.toml"
    toml.write_text(toml.read_text() + '\n[uncertainty]\nweights = "dirichlet:concentration=5"\n')
    ed = cityrank.load(folder, registry=registry)
    assert _quiet(ed.uncertainty, 10, spread=0.5).info()["assumptions"]["weights"] == "dirichlet (concentration 5)"


def test_chunks_and_workers_change_nothing(tiny):
    base = _quiet(tiny.uncertainty, 300, seed=4, normalisers="minmax;rank").rows()
    assert _quiet(tiny.uncertainty, 300, seed=4, normalisers="minmax;rank", chunk_size=7, workers=2).rows() == base


def test_sensitivity_and_acceptability_match_their_commands(tiny, fresh_cli):
    cli = json.loads(fresh_cli("sensitivity", TINY, "--samples", "32", "--seed", "3", "--normalisers", "minmax;rank",
                               "--bootstrap", "50", "--format", "json").stdout)
    api = _quiet(tiny.sensitivity, 32, seed=3, normalisers="minmax;rank", bootstrap=50)
    assert {**api.info(), "indices": api.rows(), "notes": list(api.notes)} == cli
    assert [r["assumption"] for r in api.rows()] == ["weights", "normaliser"]
    cli = json.loads(fresh_cli("acceptability", TINY, "--samples", "200", "--seed", "3", "--top", "0.4",
                               "--format", "json").stdout)
    api = _quiet(tiny.acceptability, 200, seed=3, top=0.4)
    assert {**api.info(), "cities": api.rows()} == cli


def test_show_weights_verify_and_report_match_their_commands(tiny, fresh_cli, tmp_path):
    assert _quiet(tiny.show) == json.loads(fresh_cli("show", TINY, "--format", "json").stdout)
    cli = json.loads(fresh_cli("weights", "entropy", TINY, "--node", "digital", "--format", "json").stdout)
    found = _quiet(tiny.weights, "entropy", node="digital")
    assert cli["items"] == list(found.values) and cli["weights"] == list(found.values.values())
    ed = cityrank.load("brics-2024")
    assert _quiet(ed.verify) == json.loads(fresh_cli("verify", "brics-2024", "--format", "json").stdout)
    out = tmp_path / "r.html"
    assert fresh_cli("report", TINY, "-o", out).exit_code == 0
    assert _quiet(tiny.report) == out.read_text(encoding="utf-8")


def test_bad_keywords_are_one_clear_error(tiny):
    for call, match in ((lambda: tiny.uncertainty(True), "samples"), (lambda: tiny.uncertainty(0), "samples"),
                        (lambda: tiny.uncertainty(10, cluster=""), "cluster"),
                        (lambda: tiny.report(samples=10, uncertainty="ua.json"), "not both"),
                        (lambda: tiny.weights("entropy", node="nowhere"), "unknown node"),
                        (lambda: tiny.plot("pie"), "unknown kind")):
        with pytest.raises(cityrank.CityrankError, match=match):
            _quiet(call)


def test_results_have_reprs(tiny):
    assert "samples" in repr(_quiet(tiny.uncertainty, 20))
    assert "varying" in repr(_quiet(tiny.sensitivity, 8))
    assert "samples" in repr(_quiet(tiny.acceptability, 20))
    assert "weights" in repr(tiny.weights())
