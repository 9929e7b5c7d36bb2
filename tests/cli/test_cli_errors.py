"""Bad input of every kind: one line naming the file, row and column, exit 2, nothing written."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def edition(tmp_path):
    folder = tmp_path / "ed"
    shutil.copytree(TINY, folder)
    return folder


def _edit(folder, name, old, new):
    path = folder / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))


CASES = {
    "malformed csv": ("data.csv", "ber,2,150,60,30", "ber,2,150,60", ["data.csv", "row 3", "expected 5 fields"]),
    "malformed toml": ("edition.toml", 'title = "Tiny test edition"', 'title = "Tiny', ["edition.toml", "malformed TOML"]),
    "unknown city": ("data.csv", "rom,1,", "xyz,1,", ["data.csv", "row 6", "'city_id'", "unknown city id 'xyz'"]),
    "unknown indicator": ("data.csv", "city_id,fibre", "city_id,fibber", ["data.csv", "row 1", "'fibber'", "unknown indicator"]),
    "duplicate city": ("cities.csv", "rom,Rome", "ams,Rome", ["cities.csv", "row 6", "duplicate city id 'ams'"]),
    "duplicate indicator": ("edition.toml", 'id = "transit"', 'id = "speed"', ["edition.toml", "duplicate id 'speed'"]),
    "non-numeric": ("data.csv", "ber,2,150", "ber,2,fast", ["data.csv", "row 3", "'speed'", "not a number"]),
    "infinite": ("data.csv", "ber,2,150", "ber,2,inf", ["data.csv", "row 3", "'speed'", "not a finite number"]),
    "negative weight": ("edition.toml", "weight = 2", "weight = -2", ["edition.toml", "weight must be non-negative"]),
    "unknown domain": ("edition.toml", 'domain = "traditional"', 'domain = "transport"', ["edition.toml", "unknown domain 'transport'"]),
    "unknown method": ("edition.toml", 'aggregator = "geometric"', 'aggregator = "geomtric"', ["unknown aggregator 'geomtric'", "known:"]),
    "unknown parameter": ("edition.toml", '"minmax:lower=1,upper=100"', '"minmax:low=1"', ["'minmax'", "no parameter 'low'"]),
    "cycle": ("edition.toml", 'name = "Digital infrastructure"', 'name = "Digital infrastructure"\nparent = "traditional"', []),
    "bad ladder level": ("data.csv", "ams,all-optical", "ams,6G", ["data.csv", "row 2", "'fibre'", "'6G' is neither a level of the ladder"]),
    "log of zero": ("data.csv", "ber,2,150", "ber,2,0", ["data.csv", "row 3", "'speed'", "cannot apply log to 0"]),
    "ladder level out of range": ("data.csv", "ber,2,150", "ber,7,150", ["data.csv", "row 3", "'fibre'", "from 0 to 4"]),
    "ladder level not whole": ("data.csv", "ber,2,150", "ber,2.5,150", ["data.csv", "row 3", "'fibre'", "whole number"]),
    "line break in a quoted field": ("data.csv", "ber,2,150", 'ber,2,"1\n50"', ["data.csv", "row 3", "'speed'", "not a number"]),
    "unterminated quote": ("data.csv", "ber,2,150", 'ber,2,"150', ["data.csv", "malformed CSV"]),
    "not UTF-8": ("cities.csv", "Lisbon", "Lisb\udcf3n", ["cities.csv", "not UTF-8"]),
    "NFD duplicate city": ("cities.csv", "rom,Rome", "ama\u0301s,Rome", ["cities.csv", "row 6", "duplicate city id"]),
    "all weights zero": ("edition.toml", "weight = 2", "weight = 0", []),
    "domain without indicators": ("edition.toml", '[[indicators]]\nid = "fibre"', '[[domains]]\nid = "empty"\n\n[[indicators]]\nid = "fibre"', ["edition.toml", "'empty' has no indicators"]),
    "infinite method parameter": ("edition.toml", '"minmax:lower=1,upper=100"', '"minmax:lower=1,upper=inf"', ["edition.toml", "finite number"]),
    "deeply nested TOML": ("edition.toml", "year = 2024", "year = " + "[" * 3000 + "]" * 3000, ["edition.toml", "malformed TOML"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_edition_input(fresh_cli, edition, tmp_path, case):
    name, old, new, fragments = CASES[case]
    _edit(edition, name, old, new)
    if case == "NFD duplicate city":  # the same id, once precomposed (NFC) and once decomposed (NFD)
        _edit(edition, "cities.csv", "ams,Amsterdam", "am\u00e1s,Amsterdam")
    if case == "all weights zero":
        _edit(edition, "edition.toml", "weight = 1", "weight = 0")
        fragments = ["edition.toml", "all weights under 'index' are zero"]
    if case == "cycle":
        _edit(edition, "edition.toml", 'name = "Traditional infrastructure"',
              'name = "Traditional infrastructure"\nparent = "digital"')
        fragments = ["edition.toml", "cycle in the framework tree"]
    out = tmp_path / "out.json"
    result = fresh_cli("run", edition / "edition.toml", "--format", "json", "-o", out)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    assert not out.exists()
    assert not any(p.name.startswith(".out.json") for p in tmp_path.iterdir())


@pytest.mark.parametrize(("content", "fragments"), [
    ("id,weight\nfibre,-1\n", ["w.csv", "row 2", "'weight'", "negative weight"]),
    ("id,weight\ndigital,0\ntraditional,0\n", ["w.csv", "all weights under 'index' are zero"]),
    ("id,weight\nbandwidth,1\n", ["w.csv", "row 2", "'id'", "unknown indicator or domain id 'bandwidth'"]),
    ("id,weight\nfibre,heavy\n", ["w.csv", "row 2", "not a number"]),
])
def test_bad_weights_file(fresh_cli, tmp_path, content, fragments):
    weights = tmp_path / "w.csv"
    weights.write_text(content)
    result = fresh_cli("run", TINY / "edition.toml", "--weights", weights)
    assert result.exit_code == 2
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.mark.parametrize(("content", "fragments"), [
    (",a,b\na,1,2\nb,2,1\n", ["m.csv", "row 3", "'a'", "not reciprocal: b vs a is 2 here but a vs b is 2 on row 2",
                             "should be 0.5"]),
    (",a,b\na,3,2\nb,1/2,1\n", ["m.csv", "row 2", "'a'", "an item compared with itself is 1, not 3"]),
    (",a,b\na,1,-2\nb,-1/2,1\n", ["m.csv", "row 2", "'b'", "outside Saaty's scale"]),
    (",a,b\na,1,12\nb,1/12,1\n", ["m.csv", "row 2", "outside Saaty's scale"]),
    (",a,b\na,1,high\nb,1/2,1\n", ["m.csv", "row 2", "'b'", "not a number"]),
    (",a,b\na,1,2\nb,1/0,1\n", ["m.csv", "row 3", "division by zero"]),
    (",a,b\nb,1,2\na,1/2,1\n", ["m.csv", "row 2", "should be 'a'"]),
])
def test_bad_ahp_matrix(fresh_cli, tmp_path, content, fragments):
    matrix = tmp_path / "m.csv"
    matrix.write_text(content)
    result = fresh_cli("weights", "ahp", matrix)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    for fragment in fragments:
        assert fragment in result.stderr


def test_bad_options(fresh_cli):
    assert fresh_cli("run", "no-such-edition").exit_code == 2
    assert "unknown edition 'no-such-edition'" in fresh_cli("run", "no-such-edition").stderr
    result = fresh_cli("run", TINY / "edition.toml", "--normaliser", "minmax:lower")
    assert result.exit_code == 2 and "expected name:key=value" in result.stderr
    assert fresh_cli("run", TINY / "edition.toml", "--format", "yaml").exit_code == 2


def test_existing_output_is_replaced_atomically_only_on_success(fresh_cli, edition, tmp_path):
    out = tmp_path / "keep.csv"
    out.write_text("previous\n")
    _edit(edition, "data.csv", "ber,2,150", "ber,2,x")
    assert fresh_cli("run", edition, "--format", "csv", "-o", out).exit_code == 2
    assert out.read_text() == "previous\n"


def test_a_large_file_fails_on_its_first_bad_row_without_being_read_whole(fresh_cli, edition):
    """Row 12 is bad and the end of the file is not UTF-8: reading everything first would
    report the encoding; a stream stops at row 12."""
    cities = "".join(f"c{i},City {i},NLD,,,\n" for i in range(20))
    (edition / "cities.csv").write_text("id,name,country,geonameid,latitude,longitude\n" + cities)
    rows = "".join(f"c{i},1,{'x' if i == 10 else 100},1,1\n" for i in range(20_000))  # 400 kB
    (edition / "data.csv").write_bytes(b"city_id,fibre,speed,transit,congestion\n" + rows.encode() + b"\xff\xfe" * 1000)
    result = fresh_cli("validate", edition)
    assert result.exit_code == 2 and "row 12" in result.stderr and "'speed'" in result.stderr


def test_a_quoted_field_may_span_lines(fresh_cli, edition):
    """A quoted field may hold a line break (an extra column's note); rows after it keep their
    numbers. In an id, name or country a line break is an error: it would split every output line."""
    from cityrank.formats.cities import read_cities

    cities = edition / "cities.csv"
    lines = cities.read_text().splitlines()
    lines[0] += ",note"
    lines[1] += ',"founded\n1275"'
    lines[2:] = [line + "," for line in lines[2:]]
    lines[2] = lines[2].replace("52.52437", "99")  # Berlin: record 3 (on the file's fourth line)
    cities.write_text("\n".join(lines) + "\n")
    bad = fresh_cli("run", edition, "--format", "json")
    assert bad.exit_code == 2 and "row 3" in bad.stderr and "latitude" in bad.stderr, bad.stderr
    cities.write_text(cities.read_text().replace(",99,", ",52.52437,"))
    assert fresh_cli("run", edition, "--format", "json").exit_code == 0
    assert read_cities(cities)[0].attributes["note"] == "founded\n1275"
    cities.write_text(cities.read_text().replace("ams,Amsterdam", 'ams,"Amster\ndam"'))
    named = fresh_cli("run", edition, "--format", "json")
    assert named.exit_code == 2 and "row 2, column 'name': a control character" in named.stderr


def test_data_for_a_few_cities_is_said(fresh_cli, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("city_id,transit\nams,10\n")
    result = fresh_cli("run", TINY, "--data", mine, "--format", "csv")
    assert result.exit_code == 0
    assert "has values for 1 of 5 cities" in result.stderr


def test_an_empty_data_column_is_said_to_leave_the_editions(fresh_cli, tmp_path):
    """A column of the user's file with no value at all does not replace the edition's: the run
    is the edition's own, and the note says so (it said the cities were 'missing' them)."""
    mine = tmp_path / "mine.csv"
    mine.write_text("city_id,transit,speed\nams,,\nber,,\n")
    result = fresh_cli("run", TINY, "--data", mine, "--format", "csv")
    assert result.exit_code == 0
    assert "has no values for transit, speed: those columns are left as the edition has them" in result.stderr
    assert "missing" not in result.stderr
    assert result.stdout == fresh_cli("run", TINY, "--format", "csv").stdout


def test_help_lists_plugin_commands_without_importing_numpy():
    """``cityrank --help`` is a start-up path: it lists every command, the plugins' too,
    importing neither numpy nor any method."""
    import subprocess
    import sys

    code = ("import sys\nfrom cityrank.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('numpy' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "False"
    assert "kemeny" in done.stdout and "uncertainty" in done.stdout  # a plugin's command and a core one


def test_a_usage_error_lists_the_choices_on_its_one_line(fresh_cli, tmp_path):
    """click lays a missing choice option's choices out one per line; the error stays one
    readable line (the line breaks were written as \\n\\t escapes)."""
    out = fresh_cli("plot", ROOT / "tests" / "data" / "tiny", "-o", tmp_path / "p.svg")
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Choose from: bar, heatmap, map, intervals" in lines[0], lines
    assert "\\n" not in lines[0] and "\\t" not in lines[0]
