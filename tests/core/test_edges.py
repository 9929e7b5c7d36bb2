"""What crosses the edges of cityrank: text that reaches a terminal, paths an edition names,
archives read, files written by two runs at once."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityrank.errors import CityrankError, SpecError
from cityrank.formats.spec import load_edition
from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"


# --- text from edition.toml reaches the terminal without a control character ----------------


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string, every character but plain ASCII written as an escape."""
    out = []
    for ch in text:
        if " " <= ch <= "~" and ch not in '"\\':
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


#: where a text goes in tiny's edition.toml: (text there now, text with {} for the new string)
FIELDS = {
    "title": ('title = "Tiny test edition"', "title = {}"),
    "notes": ("year = 2024", "year = 2024\nnotes = {}"),
    "free metadata": ("year = 2024", "year = 2024\nnewsroom = {}"),
    "index name": ("[methods]", "[index]\nname = {}\n\n[methods]"),
    "domain name": ('name = "Digital infrastructure"', "name = {}"),
    "indicator name": ('name = "Download speed"', "name = {}"),
    "unit": ('unit = "Mbit/s"', "unit = {}"),
    "source": ('unit = "Mbit/s"', 'unit = "Mbit/s"\nsource = {}'),
    "ladder level": ('"gigabit optical fibre"', "{}"),
}

CONTROLS = st.sampled_from([chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]])
TEXTS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10),
    st.tuples(st.text(min_size=0, max_size=5), CONTROLS, st.text(min_size=0, max_size=5)).map("".join),
)


def _controls(text: str) -> list[str]:
    """The control characters (Unicode category Cc) of ``text`` other than line ends."""
    return [ch for ch in text.replace("\n", "") if unicodedata.category(ch) == "Cc"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(FIELDS)), text=TEXTS)
def test_any_text_field_reaches_the_terminal_without_control_characters(fresh_cli, field, text):
    old, new = FIELDS[field]
    with tempfile.TemporaryDirectory() as tmp:
        edition = Path(tmp) / "ed"
        shutil.copytree(TINY, edition)
        toml = edition / "edition.toml"
        toml.write_text(toml.read_text().replace(old, new.format(_toml_string(text)), 1))
        for command in (["show", edition], ["run", edition], ["validate", edition]):
            result = fresh_cli(*command)
            assert "Traceback" not in result.output
            assert not _controls(result.stdout) and not _controls(result.stderr), (command, result.output)
            if _controls(text) or "\n" in text:  # refused at load, naming the file
                assert result.exit_code == 2 and "edition.toml" in result.stderr and "control character" in result.stderr


# --- paths an edition names resolve inside its folder ---------------------------------------

SEGMENTS = ["..", ".", "sub", "in_link", "out_link", "ed", "w.csv", "w_out.csv", "outside.csv", "nowhere"]
SECRET = "SECRET-first-line"


@pytest.fixture(scope="module")
def tree():
    """root/ (outside.csv holding a secret) and root/ed/ (tiny, a weights file, sub/, links in and out)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        (root / "outside.csv").write_text(f"{SECRET},x\nfibre,2\n")
        ed = root / "ed"
        shutil.copytree(TINY, ed)
        (ed / "w.csv").write_text("id,weight\nfibre,2\n")
        (ed / "sub").mkdir()
        (ed / "sub" / "w.csv").write_text("id,weight\nfibre,2\n")
        (ed / "in_link").symlink_to("sub")
        (ed / "out_link").symlink_to("..")
        (ed / "w_out.csv").symlink_to("../outside.csv")
        yield root


def _expected(segments: list[str]) -> str:
    """Where the documented rule puts a relative path: "inside" or "outside" the edition's
    folder, by walking its segments by hand over the links of the ``tree`` fixture."""
    links = {"in_link": ["ed", "sub"], "out_link": [], "w_out.csv": ["outside.csv"]}
    here = ["ed"]  # below root; going above root is outside too
    above = 0
    for seg in segments:
        if seg == ".":
            continue
        if seg == "..":
            if here:
                here.pop()
            else:
                above += 1
        elif here == ["ed"] and seg in links:
            here = list(links[seg])
        else:
            here.append(seg)
    return "inside" if above == 0 and here[:1] == ["ed"] else "outside"


@settings(max_examples=150)
@given(segments=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5), absolute=st.booleans())
def test_any_path_an_edition_names_resolves_as_documented(tree, segments, absolute):
    ed = tree / "ed"
    name = "/".join(segments)
    if absolute:
        name = str(ed / name)
    (ed / "edition.toml").write_text((TINY / "edition.toml").read_text().replace(
        "[methods]", f'[weights]\nfile = "{name}"\n\n[methods]'))
    os.environ.pop("CITYRANK_OUTSIDE_FILES", None)
    try:
        load_edition(ed)
        error = None
    except CityrankError as exc:
        error = str(exc)
    if absolute:
        assert error is not None and "[weights] file" in error and "is an absolute path" in error
    elif _expected(segments) == "outside":
        assert error is not None and "[weights] file" in error and "leads outside the edition's folder" in error
    else:
        assert error is None or ("leads outside" not in error and "absolute" not in error)
    assert error is None or SECRET not in error


def test_a_linked_cities_file_outside_is_refused_unless_allowed(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    ed = tmp_path / "ed"
    shutil.copytree(TINY, ed)
    shutil.move(ed / "cities.csv", tmp_path / "elsewhere" / "cities.csv")
    (ed / "cities.csv").symlink_to(tmp_path / "elsewhere" / "cities.csv")
    with pytest.raises(SpecError, match=r"\[edition\] cities: 'cities.csv' leads outside the edition's folder"):
        load_edition(ed)
    monkeypatch.setenv("CITYRANK_OUTSIDE_FILES", "1")
    assert len(load_edition(ed).cities) == 5
    # a link that stays inside the folder is fine without the variable
    monkeypatch.delenv("CITYRANK_OUTSIDE_FILES")
    (ed / "cities.csv").unlink()
    shutil.move(tmp_path / "elsewhere" / "cities.csv", ed / "real-cities.csv")
    (ed / "cities.csv").symlink_to("real-cities.csv")
    assert len(load_edition(ed).cities) == 5


# --- archives are size-checked before they are read ---------------------------------------


def _archive(path: Path, sizes: list[int]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, size in enumerate(sizes):
            zf.writestr(f"xl/part{k}.xml", b"\0" * size)


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl's reader fails the test if called: the size check must come first."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened before its size was checked")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_unread(tmp_path, fresh_cli, no_openpyxl):
    bomb = tmp_path / "answers.xlsx"
    _archive(bomb, [20 << 20])  # 20 MiB of zeros: about 20 kB packed
    assert bomb.stat().st_size < 100_000
    result = fresh_cli("experts", "check", bomb)
    assert result.exit_code == 2
    assert "answers.xlsx" in result.stderr and "unpacks to 20 MiB, more than 16 MiB" in result.stderr


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=4))
def test_any_archive_is_size_checked_before_it_is_read(monkeypatch, sizes):
    from cityrank.formats import xlsx

    monkeypatch.setattr(xlsx, "READ_LIMIT", 4096)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.xlsx"
        _archive(path, sizes)
        if sum(sizes) > 4096:
            with pytest.raises(SpecError, match="unpacks to"):
                xlsx.check_archive(path, SpecError)
        else:
            xlsx.check_archive(path, SpecError)


# --- a file written by two runs at once --------------------------------------------------


def test_a_file_made_between_the_check_and_the_rename_is_kept(tmp_path, monkeypatch):
    """Another run writes the file after this one checked that the name is free: this run
    fails, the other's file stays as it wrote it, and no temporary file is left."""
    from cityrank.formats import atomic

    target = tmp_path / "out.json"
    stage = atomic._stage

    def stage_then_other_run(*args):
        tmp = stage(*args)
        target.write_text("the other run's result")
        return tmp

    monkeypatch.setattr(atomic, "_stage", stage_then_other_run)
    with pytest.raises(CityrankError, match="the file exists; use --force"):
        atomic.write_atomic(target, "mine", force=False)
    assert target.read_text() == "the other run's result"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_without_hard_links_the_name_is_still_taken_exclusively(tmp_path, monkeypatch):
    from cityrank.formats import atomic

    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")  # EPERM, as a file system without hard links

    monkeypatch.setattr(atomic.os, "link", no_links)
    atomic.write_atomic(tmp_path / "a.txt", "first", force=False)
    assert (tmp_path / "a.txt").read_text() == "first"
    target = tmp_path / "b.txt"
    stage = atomic._stage

    def stage_then_other_run(*args):
        tmp = stage(*args)
        target.write_text("theirs")
        return tmp

    monkeypatch.setattr(atomic, "_stage", stage_then_other_run)
    with pytest.raises(CityrankError, match="the file exists"):
        atomic.write_atomic(target, "mine", force=False)
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_of_several_files_none_is_left_when_one_name_is_taken(tmp_path, monkeypatch):
    from cityrank.formats import atomic

    stage = atomic._stage

    def stage_then_other_run(target, shown, data):
        tmp = stage(target, shown, data)
        if target.name == "b.csv":
            target.write_text("theirs")
        return tmp

    monkeypatch.setattr(atomic, "_stage", stage_then_other_run)
    with pytest.raises(CityrankError, match=r"b\.csv"):
        atomic.write_all({tmp_path / "a.csv": "1", tmp_path / "b.csv": "2"}, force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]
    assert (tmp_path / "b.csv").read_text() == "theirs"


def _writer(path, text, barrier, results):
    from cityrank.formats.atomic import write_atomic

    barrier.wait()
    try:
        write_atomic(path, text, force=False)
        results.put(text)
    except CityrankError:
        results.put(None)


def test_two_processes_writing_one_file_one_wins_and_the_other_fails(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for round_ in range(8):
        path = tmp_path / f"out{round_}.csv"
        barrier, results = ctx.Barrier(4), ctx.Queue()
        texts = [f"writer {k}\n" * 400_000 for k in range(4)]  # 3.6 MB: each is busy writing a while
        procs = [ctx.Process(target=_writer, args=(path, t, barrier, results)) for t in texts]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        winners = [o for o in outcomes if o is not None]
        assert len(winners) == 1, f"round {round_}: {len(winners)} runs reported success"
        assert path.read_text() == winners[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


# --- what is read is bounded and named ----------------------------------------------------


def test_a_huge_line_is_refused_naming_the_file(tmp_path, monkeypatch):
    from cityrank.errors import DataError
    from cityrank.formats import csvfile

    monkeypatch.setattr(csvfile, "LINE_LIMIT", 1000)
    path = tmp_path / "data.csv"
    path.write_text("city_id,speed\n" + "ams," + "1" * 50_000 + "\n")  # more than the limit and a block read
    with pytest.raises(DataError, match=r"data.csv: a line of more than"):
        list(csvfile.read_batches(path)[1])
    path.write_text("city_id,speed\n" + "ams,1\n" * 2000)  # many short lines are fine
    assert sum(len(n) for n, _ in csvfile.read_batches(path)[1]) == 2000
    path.write_bytes(b"city_id,speed\r" + b"ams,1\r" * 2000)  # so are lines ended by CR alone
    assert sum(len(n) for n, _ in csvfile.read_batches(path)[1]) == 2000


def test_an_edition_toml_that_never_ends_is_refused_naming_it(tmp_path, monkeypatch):
    from cityrank.formats import spec

    monkeypatch.setattr(spec, "TOML_LIMIT", 1000)
    path = tmp_path / "edition.toml"
    path.write_text("# " + "x" * 2000 + "\n")
    with pytest.raises(SpecError, match=r"edition.toml: larger than"):
        spec.read_toml(path)


def test_io_is_untouched_by_the_bounded_reader(tmp_path):
    """The bounded reader gives the csv module exactly the file's text (a byte-order mark
    dropped, line ends kept)."""
    from cityrank.formats.csvfile import read_cells

    text = '\ufeffa,b\r\n"x\ny",2\r3,4\n'
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    import csv

    assert read_cells(path) == list(csv.reader(io.StringIO(text[1:], newline="")))


# --- one expert counted once -----------------------------------------------------------------


def test_one_experts_file_given_twice_is_an_error_and_identical_answers_a_warning(tmp_path, fresh_cli):
    matrix = ",digital,traditional\ndigital,1,3\ntraditional,1/3,1\n"
    (tmp_path / "ann.csv").write_text(matrix)
    (tmp_path / "link.csv").symlink_to("ann.csv")
    twice = fresh_cli("experts", "combine", tmp_path / "ann.csv", tmp_path / "link.csv", "--format", "json")
    assert twice.exit_code == 2 and "link.csv: is the same file as" in twice.stderr
    # two experts who answered alike: their files have the same bytes; both count, and it is said
    (tmp_path / "bob.csv").write_text(matrix)
    alike = fresh_cli("experts", "combine", tmp_path / "ann.csv", tmp_path / "bob.csv", "--format", "json")
    assert alike.exit_code == 0, alike.stderr
    assert "warning: " in alike.stderr and "bob.csv has the same bytes as" in alike.stderr
    assert json.loads(alike.stdout)["weights"] == pytest.approx({"digital": 0.75, "traditional": 0.25})
