"""Where an output may go: a device is written in place (never replaced), a link is written
through, an existing file needs --force; a failure leaves nothing behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import ROOT

TINY = str(ROOT / "tests" / "data" / "tiny")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_a_device_is_written_not_replaced(fresh_cli):
    for command in (["run", TINY, "--format", "csv", "-o", "/dev/null"], ["report", TINY, "-o", "/dev/null"],
                    ["run", TINY, "-o", "/dev/null", "--force"], ["uncertainty", TINY, "--samples", "5", "-o", "/dev/null"]):
        out = fresh_cli(*command)
        assert out.exit_code == 0, out.stderr
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_device_is_one_error_and_stays_a_device(fresh_cli):
    out = fresh_cli("run", TINY, "--format", "csv", "-o", "/dev/full")
    assert out.exit_code == 2 and "/dev/full: cannot write: No space left on device" in out.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_link_is_written_through(fresh_cli, tmp_path):
    target, link = tmp_path / "real.csv", tmp_path / "link.csv"
    target.write_text("old\n")
    link.symlink_to(target.name)
    refused = fresh_cli("run", TINY, "--format", "csv", "-o", str(link))
    assert refused.exit_code == 2 and "use --force" in refused.stderr and target.read_text() == "old\n"
    out = fresh_cli("run", TINY, "--format", "csv", "-o", str(link), "--force")
    assert out.exit_code == 0, out.stderr
    assert link.is_symlink() and target.read_text().startswith("rank,id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]  # no temporary file left


def test_the_output_files_suffix_gives_the_format(fresh_cli, tmp_path):
    """-o r.csv / r.json / r.xlsx without --format writes what --format would (an .xlsx file
    held a text table); a --format that contradicts the suffix, or a suffix the command cannot
    write, is one error and writes nothing."""
    import json
    import zipfile

    for fmt in ("csv", "json"):
        given = fresh_cli("run", TINY, "--format", fmt).stdout
        fresh_cli("run", TINY, "-o", tmp_path / f"r.{fmt}")
        assert (tmp_path / f"r.{fmt}").read_text() == given
    assert fresh_cli("run", TINY, "-o", tmp_path / "r.xlsx").exit_code == 0
    assert "xl/workbook.xml" in zipfile.ZipFile(tmp_path / "r.xlsx").namelist()
    assert json.loads(fresh_cli("stats", TINY, "-o", tmp_path / "s.json").stderr and (tmp_path / "s.json").read_text())
    (tmp_path / "m.csv").write_text(",a,b\na,1,3\nb,1/3,1\n")
    for args, message in ((["run", TINY, "--format", "json", "-o", tmp_path / "x.csv"], "--format json and -o"),
                          (["run", TINY, "--format", "table", "-o", tmp_path / "x.xlsx"], "the file name says XLSX"),
                          (["audit", TINY, "-o", tmp_path / "x.csv"], "cityrank audit writes table or json"),
                          (["experts", "check", tmp_path / "m.csv", "-o", tmp_path / "x.json", "--format", "table"],
                           "disagree")):
        out = fresh_cli(*args)
        assert out.exit_code == 2 and message in out.stderr, out.stderr
        assert not list(tmp_path.glob("x.*"))


def test_weights_commands_write_a_weights_file_for_run(fresh_cli, tmp_path):
    """weights ahp -o w.csv writes id,weight (it wrote the text report into w.csv): the
    weights the JSON gives, which run --weights then reads."""
    import csv
    import json

    (tmp_path / "m.csv").write_text(",digital,traditional\ndigital,1,3\ntraditional,1/3,1\n")
    printed = json.loads(fresh_cli("weights", "ahp", tmp_path / "m.csv", "--format", "json").stdout)
    assert fresh_cli("weights", "ahp", tmp_path / "m.csv", "-o", tmp_path / "w.csv").exit_code == 0
    rows = list(csv.DictReader((tmp_path / "w.csv").open()))
    assert [r["id"] for r in rows] == printed["items"]
    assert [float(r["weight"]) for r in rows] == printed["weights"]
    run = json.loads(fresh_cli("run", TINY, "--weights", tmp_path / "w.csv", "--format", "json").stdout)
    assert run["weights"]["values"]["digital"] == printed["weights"][0]


def test_every_built_in_command_with_format_and_output_checks_the_suffix():
    """The suffix rule covers each command that has both --format and -o (new ones too)."""
    import click

    from cityrank.cli import build_cli

    def commands(group):
        for command in group.commands.values():
            yield from commands(command) if isinstance(command, click.Group) else [command]

    cli = build_cli()
    both = [c for c in commands(cli) if {"fmt", "output"} <= {p.name for p in c.params}]
    assert len(both) > 10
    assert all(getattr(c.callback, "formats_checked", False) for c in both), [c.name for c in both]


def test_a_folder_of_files_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """write_folder (run --stages -o FOLDER/, questionnaires): when a file cannot be written,
    none of the others is (no temporary file left either), and a folder made for them is
    removed again; files that were there before are kept as they were."""
    import click

    from cityrank.commands.common import write_folder
    from cityrank.errors import CityrankError
    from cityrank.formats import atomic

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.csv").write_text("old\n")
    (folder / "c.csv").mkdir()  # the third file's place is a folder
    with pytest.raises(CityrankError, match="is a folder"):
        write_folder(folder, {"a.csv": "new\n", "b.csv": "b\n", "c.csv": "c\n"}, force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv", "c.csv"]
    assert (folder / "a.csv").read_text() == "old\n"

    real, calls = atomic._stage, []

    def full_disk(target, shown, data):  # the second file meets a full disk
        calls.append(target)
        if len(calls) == 2:
            raise CityrankError("cannot write: No space left on device", file=shown)
        return real(target, shown, data)

    monkeypatch.setattr(atomic, "_stage", full_disk)
    new = tmp_path / "new"
    with pytest.raises(CityrankError, match="No space left"):
        write_folder(new, {"a.csv": "a\n", "b.csv": "b\n", "c.csv": "c\n"}, force=False)
    assert not new.exists()
    monkeypatch.setattr(atomic, "_stage", real)
    monkeypatch.setattr(click, "echo", lambda *a, **k: None)
    write_folder(new, {"a.csv": "a\n", "b.csv": "b\n"}, force=False)
    assert sorted(p.name for p in new.iterdir()) == ["a.csv", "b.csv"]


def _cli() -> str:
    import sys

    return str(Path(sys.executable).with_name("cityrank"))


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """`cityrank show EDITION | true`: the pipe closes before the output is written; the
    command stops without a word on stderr, with 141 (128 + SIGPIPE) as a shell tool does (it
    said 'unexpected BrokenPipeError … a cityrank bug')."""
    import subprocess

    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait()  # gone: its end of the pipe is closed
    out = subprocess.run([_cli(), "show", "brics-2024"], stdin=subprocess.DEVNULL, stdout=reader.stdin,
                         stderr=subprocess.PIPE, text=True, check=False)
    reader.stdin.close()
    assert out.returncode == 141 and out.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_standard_output_on_a_full_device_is_one_error():
    import subprocess

    for args in (["run", TINY, "--format", "csv"], ["--version"]):  # a command's output, or click's own
        with open("/dev/full", "w") as full:
            out = subprocess.run([_cli(), *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False)
        *notes, last = out.stderr.splitlines()  # the run's notes come first: they are written before the output
        assert out.returncode == 2 and last == "error: cannot write the output: No space left on device"
        assert all(n.startswith("warning: ") for n in notes)
