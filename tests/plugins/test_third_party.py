"""A third party's distribution, installed as a real dist-info with entry points on sys.path."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest

from conftest import ROOT

ACME = '''
import numpy as np
import click
import cityrank

def share(x, direction, scale=100.0):
    """Share of the column total."""
    return x / np.nansum(x, axis=-2, keepdims=True) * scale

def name_length(cities):
    """Letters in the city's name."""
    return np.array([len(c.name) for c in cities], dtype=float)

def exploding(x, direction):
    raise RuntimeError("kaboom")

@cityrank.hookimpl
def cityrank_register_normalisers(register):
    register("acme-share", share, params={"scale": 100.0})
    register("acme-explode", exploding)

@cityrank.hookimpl
def cityrank_register_indicators(register):
    register("acme.letters", name_length, unit="letters", direction=1, source="the city's name")

@cityrank.hookimpl
def cityrank_register_editions(register):
    from pathlib import Path
    register(Path(__file__).parent / "acme_edition" / "edition.toml")

@cityrank.hookimpl
def cityrank_register_commands(cli):
    @cli.command("acme-hello")
    def hello():
        click.echo("hello from acme")
'''

PLUGINS = {
    "acme": ("acme_cityrank", "acme-cityrank", ACME),
    "broken": ("broken_cityrank", "broken-cityrank", "raise ImportError('missing dependency foo')\n"),
    "misspelt": ("misspelt_cityrank", "misspelt-cityrank",
                 "import cityrank\n@cityrank.hookimpl\ndef cityrank_register_normaliser(register):\n    pass\n"),
    "raising": ("raising_cityrank", "raising-cityrank",
                "import cityrank\n@cityrank.hookimpl\ndef cityrank_register_aggregators(register):\n"
                "    raise KeyError('config')\n"),
    "dupe": ("dupe_cityrank", "dupe-cityrank",
             "import cityrank\n@cityrank.hookimpl\ndef cityrank_register_normalisers(register):\n"
             "    register('minmax', lambda x, direction: x)\n"),
    "exiting": ("exiting_cityrank", "exiting-cityrank", "import sys\nsys.exit(3)\n"),
    "hookexit": ("hookexit_cityrank", "hookexit-cityrank",
                 "import sys, cityrank\n@cityrank.hookimpl\ndef cityrank_register_imputations(register):\n"
                 "    sys.exit('bye')\n"),
    "shadowing": ("shadowing_cityrank", "shadowing-cityrank",
                  "import click, cityrank\n@cityrank.hookimpl\ndef cityrank_register_commands(cli):\n"
                  "    cli.add_command(click.Command('run', callback=lambda: click.echo('not the real run')))\n"
                  "    cli.commands.pop('verify')\n"),
    "badcommands": ("badcommands_cityrank", "badcommands-cityrank",
                    "import cityrank\n@cityrank.hookimpl\ndef cityrank_register_commands(cli):\n"
                    "    raise RuntimeError('no click here')\n"),
}


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Install the plugins above as dist-infos in a folder on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    for ep_name, (module, dist, source) in PLUGINS.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{module}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
        (info / "entry_points.txt").write_text(f"[cityrank]\n{ep_name} = {module}\n")
    edition = site / "acme_edition"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text().replace('id = "tiny"', 'id = "acme-2025"').replace(
        'name = "Transit lines"', 'name = "Transit lines"\nprovider = "acme.letters"'))
    (edition / "data.csv").write_text(
        "city_id,fibre,speed,congestion\nams,3,200,20\nber,2,150,30\nlis,1,90,25\nosl,4,220,10\nrom,1,80,50\n")
    monkeypatch.syspath_prepend(str(site))
    for var in ("CITYRANK_PLUGINS", "CITYRANK_DISABLE_PLUGINS", "CITYRANK_STRICT_PLUGINS"):
        monkeypatch.delenv(var, raising=False)
    return site


def test_plugins_are_listed_with_failures_reported_by_name(installed, fresh_cli):
    result = fresh_cli("plugins", "--format", "json")
    assert result.exit_code == 0
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    assert plugins["acme"]["status"] == "ok" and plugins["acme"]["version"] == "1.2.3"
    assert plugins["acme"]["distribution"] == "acme-cityrank"
    assert plugins["acme"]["provides"]["normaliser"] == ["acme-share", "acme-explode"]
    assert plugins["broken"]["status"] == "failed"
    assert "missing dependency foo" in plugins["broken"]["errors"][0]
    assert "cityrank_register_normaliser" in plugins["misspelt"]["errors"][0]
    assert "cityrank_register_aggregators" in plugins["raising"]["errors"][0]
    assert "already registered by plugin 'builtins'" in plugins["dupe"]["errors"][0]
    assert plugins["dupe"]["status"] == "duplicate"
    assert "warning: plugin 'broken'" in result.stderr
    # a plugin that calls sys.exit at import or in a hook is reported, the rest keep working
    assert plugins["exiting"]["status"] == "failed" and "SystemExit" in plugins["exiting"]["errors"][0]
    assert plugins["hookexit"]["status"] == "failed" and "bye" in plugins["hookexit"]["errors"][0]
    assert "warning: plugin 'badcommands'" in result.stderr and "no click here" in result.stderr
    # a plugin cannot replace or remove a command: the built-in ones stay
    assert plugins["shadowing"]["status"] == "failed"
    assert "may not replace the command(s) run, verify" in plugins["shadowing"]["errors"][0]
    ran = fresh_cli("run", str(installed / "acme_edition"), "--format", "csv")
    assert ran.exit_code == 0 and "not the real run" not in ran.stdout and ran.stdout.startswith("rank,id")
    assert fresh_cli("verify", "--help").exit_code == 0
    table = fresh_cli("plugins")
    assert "[duplicate]" in table.stdout and "[failed]" in table.stdout


def test_third_party_methods_editions_and_commands_work(installed, fresh_cli):
    methods = json.loads(fresh_cli("methods", "--format", "json").stdout)
    by_id = {m["id"]: m for m in methods}
    assert by_id["acme-share"]["plugin"] == "acme"
    assert by_id["acme.letters"]["unit"] == "letters"
    editions = json.loads(fresh_cli("editions", "--format", "json").stdout)
    assert "acme-2025" in [e["id"] for e in editions]
    result = fresh_cli("run", "acme-2025", "--normaliser", "acme-share", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    methods_used = {(m["stage"], m["target"]): m for m in data["methods"]}
    assert methods_used[("normaliser", "speed")]["plugin"] == "acme"
    assert methods_used[("normaliser", "speed")]["version"] == "1.2.3"
    assert methods_used[("indicator", "transit")]["method"] == "acme.letters"
    transit = {i["id"]: i for i in data["indicators"]}["transit"]
    assert transit["coverage"] == 1.0 and "the city's name" in transit["source"]
    assert fresh_cli("acme-hello").stdout.strip() == "hello from acme"


def test_a_plugin_raising_inside_a_hook_is_named(installed, fresh_cli):
    result = fresh_cli("run", "acme-2025", "--normaliser", "acme-explode")
    assert result.exit_code == 2
    assert "plugin 'acme'" in result.stderr and "kaboom" in result.stderr
    assert "cityrank_register_normalisers" in result.stderr


def test_environment_variables_restrict_loading(installed, fresh_cli, monkeypatch):
    monkeypatch.setenv("CITYRANK_DISABLE_PLUGINS", "acme,broken")
    plugins = {p["name"]: p for p in json.loads(fresh_cli("plugins", "--format", "json").stdout)}
    assert plugins["acme"]["status"] == "disabled" and plugins["broken"]["status"] == "disabled"
    assert "acme-share" not in fresh_cli("methods").stdout
    monkeypatch.setenv("CITYRANK_DISABLE_PLUGINS", "all")
    assert {p["status"] for p in json.loads(fresh_cli("plugins", "--format", "json").stdout)} == {"disabled"}
    monkeypatch.delenv("CITYRANK_DISABLE_PLUGINS")
    monkeypatch.setenv("CITYRANK_PLUGINS", "acme")
    plugins = {p["name"]: p["status"] for p in json.loads(fresh_cli("plugins", "--format", "json").stdout)}
    assert plugins["acme"] == "ok" and plugins["broken"] == "disabled"


def test_strict_mode_reraises_for_plugin_authors(installed, fresh_cli, monkeypatch):
    monkeypatch.setenv("CITYRANK_STRICT_PLUGINS", "1")
    result = fresh_cli("plugins")
    assert result.exit_code == 2 and "plugin 'broken'" in result.stderr


def test_every_hook_is_documented():
    from cityrank import hookspecs
    from cityrank.plugins import KINDS, RENAMED

    hooks = [name for name in dir(hookspecs) if name.startswith("cityrank_") and name not in RENAMED.values()]
    assert set(KINDS.values()) | {"cityrank_register_commands"} == set(hooks)
    assert set(RENAMED) <= set(KINDS)  # a former name belongs to a kind that has a hook
    for name in hooks:
        doc = getattr(hookspecs, name).__doc__
        assert doc and ":param" in doc, name


def test_a_hook_under_its_former_name_still_registers_and_is_told_the_new_one():
    """cityrank_register_imputers is now cityrank_register_imputations (the kind is imputation)."""
    import types

    import cityrank
    from cityrank.plugins import Registry

    plugin = types.ModuleType("old_style")

    def fill_with_zero(x, groups=None):
        import numpy as np

        return np.where(np.isnan(x), 0.0, x)

    def cityrank_register_imputers(register):
        register("zero", fill_with_zero)

    plugin.cityrank_register_imputers = cityrank.hookimpl(cityrank_register_imputers)
    reg = Registry(environ={}, entry_points=[], extra_plugins={"old-style": plugin})
    assert reg.get("imputation", "zero").plugin == "old-style"
    info = {p.name: p for p in reg.plugin_infos()}["old-style"]
    assert info.status == "ok" and any("cityrank_register_imputations" in e for e in info.errors)
