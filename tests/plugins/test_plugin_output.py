"""A plugin that prints never corrupts what the CLI writes on standard output.

The plugin below prints at import, in every registration hook and in its methods, through
``print``, straight to file descriptor 1 and from a subprocess; the CLI runs as a real process
(descriptor 1 is what a pipe would read), and its standard output must be exactly what it is
with the plugin quiet or not loaded at all."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import OWN_PLUGINS, ROOT

CHATTY = '''
import os
import subprocess
import sys

import cityrank
import numpy as np

LOUD = os.environ.get("CHATTY") == "loud"


def say(what):
    if LOUD:
        print(f"chatty: {what}")
        os.write(1, f"chatty (fd 1): {what}\\n".encode())
        subprocess.run([sys.executable, "-c", f"print('chatty (subprocess): {what}')"], check=True)


say("imported")


def share(x, direction):
    """Share of the column total, in per cent."""
    say("normalising")
    y = x * direction
    y = y - np.nanmin(y, axis=-2, keepdims=True) + 1.0
    return y / np.nansum(y, axis=-2, keepdims=True) * 100.0


def letters(cities):
    """Letters in the city's name."""
    say("providing")
    return np.array([len(c.name) for c in cities], dtype=float)


@cityrank.hookimpl
def cityrank_register_normalisers(register):
    say("registering normalisers")
    register("chatty-share", share)


@cityrank.hookimpl
def cityrank_register_indicators(register):
    say("registering indicators")
    register("chatty.letters", letters, unit="letters", source="the city's name")


@cityrank.hookimpl
def cityrank_register_commands(cli):
    say("registering commands")
'''


@pytest.fixture
def chatty(tmp_path):
    """The chatty plugin as an installed distribution in a folder, and an edition using its provider."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "chatty_cityrank.py").write_text(textwrap.dedent(CHATTY))
    info = site / "chatty_cityrank-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: chatty-cityrank\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cityrank]\nchatty = chatty_cityrank\n")
    return site


def _cli(site: Path, *args, loud: bool = True, load: bool = True) -> str:
    """The CLI's standard output, run as its own process (exit 0 required)."""
    env = dict(os.environ, PYTHONPATH=str(site), CHATTY="loud" if loud else "quiet",
               CITYRANK_PLUGINS=OWN_PLUGINS + (",chatty" if load else ""))
    done = subprocess.run([sys.executable, "-c", "from cityrank.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    if loud and load:
        assert "chatty (fd 1): registering normalisers" in done.stderr  # said, on the other stream
        assert "chatty (subprocess): registering normalisers" in done.stderr
    return done.stdout


def test_a_printing_plugin_leaves_machine_readable_output_as_it_is_without_it(chatty):
    tiny = ROOT / "tests" / "data" / "tiny"
    loud = _cli(chatty, "run", tiny, "--format", "json")
    assert json.loads(loud)["cities"]
    assert loud == _cli(chatty, "run", tiny, "--format", "json", load=False)
    assert loud == _cli(chatty, "run", tiny, "--format", "json", loud=False)
    listed = _cli(chatty, "editions", "--format", "json")
    assert json.loads(listed) and listed == _cli(chatty, "editions", "--format", "json", load=False)


def test_a_printing_method_and_provider_leave_json_and_csv_intact(chatty, tmp_path):
    edition = tmp_path / "ed"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text().replace('name = "Transit lines"', 'name = "Transit lines"\nprovider = "chatty.letters"'))
    (edition / "data.csv").write_text("city_id,fibre,speed,congestion\nams,3,200,20\nber,2,150,30\nlis,1,90,25\n"
                                      "osl,4,220,10\nrom,1,80,50\n")
    for fmt in ("json", "csv"):
        args = ("run", edition, "--normaliser", "chatty-share", "--format", fmt)
        loud = _cli(chatty, *args)
        assert loud == _cli(chatty, *args, loud=False)
        if fmt == "json":
            ran = json.loads(loud)
            transit = {i["id"]: i for i in ran["indicators"]}["transit"]
            assert transit["coverage"] == 1.0  # the provider ran
        else:
            rows = list(csv.reader(io.StringIO(loud)))
            assert rows[0][:2] == ["rank", "id"] and len(rows) == 6
    # the Monte Carlo calls methods from several threads: still nothing on stdout
    args = ("uncertainty", edition, "--samples", "40", "--seed", "1", "--normalisers", "chatty-share;minmax",
            "--format", "json")
    loud = _cli(chatty, *args)
    assert json.loads(loud) and loud == _cli(chatty, *args, loud=False)


def test_the_diversion_is_undone_and_nests(capfd):
    """After plugin code, the host's own output goes to stdout again, also after nested calls
    and an exception inside."""
    from cityrank.plugins import plugin_code

    with plugin_code():
        print("plugin outer")
        with plugin_code():
            os.write(1, b"plugin inner\n")
        print("plugin after inner")
    with pytest.raises(RuntimeError), plugin_code():
        raise RuntimeError
    print("host")
    out, err = capfd.readouterr()
    assert out == "host\n"
    assert err.splitlines() == ["plugin outer", "plugin inner", "plugin after inner"]
