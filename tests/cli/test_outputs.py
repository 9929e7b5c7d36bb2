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
