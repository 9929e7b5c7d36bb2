"""Every case of the bad-input corpus (tests/data/bad_inputs.toml) fails cleanly."""

from __future__ import annotations

import hashlib
import shutil
import sys
import textwrap
import tomllib

import pytest

from conftest import OWN_PLUGINS, ROOT

CORPUS = tomllib.loads((ROOT / "tests" / "data" / "bad_inputs.toml").read_text())["case"]


def _install(site, source, monkeypatch):
    """A third party's plugin (entry point ``corpus``) as a dist-info on sys.path; the module
    name is the case's own, so that cases do not share an imported module."""
    module = "corpus_" + hashlib.sha256(source.encode()).hexdigest()[:12]
    site.mkdir()
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: corpus-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[cityrank]\ncorpus = {module}\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # nothing written beside the case's files
    monkeypatch.setenv("CITYRANK_PLUGINS", OWN_PLUGINS + ",corpus")
    return module


@pytest.mark.parametrize("case", CORPUS, ids=[c["what"] for c in CORPUS])
def test_bad_input_fails_cleanly(fresh_cli, tmp_path, case, monkeypatch):
    module = _install(tmp_path / "site", case["plugin"], monkeypatch) if "plugin" in case else None
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
    try:
        result = fresh_cli(*args)
    finally:
        sys.modules.pop(module, None)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in case["expect"]:
        assert fragment in lines[0], (fragment, lines[0])
    for fragment in case.get("absent", []):  # the blame is on what is wrong, not elsewhere
        assert fragment not in lines[0], (fragment, lines[0])
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written, no temporary file
