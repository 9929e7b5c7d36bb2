"""Every case of the bad-input corpus (tests/data/bad_inputs.toml) fails cleanly."""

from __future__ import annotations

import shutil
import tomllib

import pytest

from conftest import ROOT

CORPUS = tomllib.loads((ROOT / "tests" / "data" / "bad_inputs.toml").read_text())["case"]


@pytest.mark.parametrize("case", CORPUS, ids=[c["what"] for c in CORPUS])
def test_bad_input_fails_cleanly(fresh_cli, tmp_path, case):
    edition = tmp_path / "ed"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    for name, old, new in case.get("edits", []):
        text = (edition / name).read_text()
        assert old in text, (name, old)
        (edition / name).write_text(text.replace(old, new, 1))
    for name, text in case.get("files", {}).items():
        (edition / name).write_text(text)
    for name, encoding in case.get("encoding", {}).items():  # the file in another encoding than UTF-8
        (edition / name).write_bytes((edition / name).read_text().encode(encoding))
    out = tmp_path / "out.json"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    args = [a.format(edition=edition, out=out, tmp=tmp_path) for a in case["command"]]
    result = fresh_cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in case["expect"]:
        assert fragment in lines[0], (fragment, lines[0])
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written, no temporary file
