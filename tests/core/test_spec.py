"""The edition spec: expert panels in [experts], per-node methods, parsing of method choices."""

from __future__ import annotations

import shutil
import tomllib

import numpy as np
import pytest

from cityrank.engine import resolve_weights, run
from cityrank.errors import MethodError, SpecError
from cityrank.formats.spec import load_edition
from cityrank.methods.weightings import ahp, budget
from cityrank.model import MethodChoice
from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(TINY, tmp_path / "ed")
    return tmp_path / "ed"


def _append(folder, text):
    path = folder / "edition.toml"
    path.write_text(path.read_text() + "\n" + text)
    return path


def test_ahp_panel_in_the_spec_sets_the_weights(folder, registry):
    path = _append(folder, """
[[experts.ahp]]
node = "index"
items = ["digital", "traditional"]
matrices = [[[1, 3], ["1/3", 1]], [[1, 5], [0.2, 1]]]
""")
    weights, diagnostics = resolve_weights(load_edition(path), registry)
    expected = ahp(("digital", "traditional"), [np.array([[1, 3], [1 / 3, 1]]), np.array([[1, 5], [0.2, 1]])])
    assert weights.values["digital"] == pytest.approx(expected.weights[0])
    assert weights.values["digital"] == pytest.approx(np.sqrt(15) / (np.sqrt(15) + 1))
    assert weights.source == "expert panel" and diagnostics[0]["node"] == "index"


def test_budget_panel_from_a_file(folder, registry):
    (folder / "panel.csv").write_text("expert,traditional,digital\nA,30,70\nB,50,50\n")
    path = _append(folder, '[[experts.budget]]\nnode = "index"\nfile = "panel.csv"\n')
    weights, _ = resolve_weights(load_edition(path), registry)
    want = budget(("digital", "traditional"), [[70, 30], [50, 50]]).weights
    assert [weights.values["digital"], weights.values["traditional"]] == pytest.approx(want)
    assert run(load_edition(path), registry).weights.source == "expert panel"


def test_expert_tables_must_name_a_node_and_its_children(folder):
    path = _append(folder, '[[experts.ahp]]\nnode = "index"\nitems = ["digital", "speed"]\nmatrices = []\n')
    with pytest.raises(SpecError, match="must be the children of 'index'"):
        load_edition(path)


def test_equal_weights_switch(folder, registry):
    path = _append(folder, '[weights]\nmethod = "equal"\n')
    result = run(load_edition(path), registry)
    np.testing.assert_allclose(result.score(), (result.score("digital") + result.score("traditional")) / 2)


def test_method_choice_parsing():
    choice = MethodChoice.parse("goalposts:lower=20,upper=85,cap=false")
    assert choice.kwargs() == {"lower": 20, "upper": 85, "cap": False}
    assert MethodChoice.parse({"name": "power", "p": 3}).kwargs() == {"p": 3}
    assert str(MethodChoice.parse("power:p=3")) == "power:p=3"
    with pytest.raises(MethodError):
        MethodChoice.parse("power:p")


def test_unknown_keys_are_typos(folder):
    path = _append(folder, '[[indicators]]\nid = "x"\ndomian = "digital"\n')
    with pytest.raises(SpecError, match="unknown key"):
        load_edition(path)


def test_bad_expert_matrix_in_the_spec_names_the_file(folder, registry):
    path = _append(folder, """
[[experts.ahp]]
node = "index"
matrices = [[[1, 3], [3, 1]]]
""")
    with pytest.raises(SpecError, match=r"edition.toml: \[\[experts.ahp\]\] for node 'index'.*not reciprocal"):
        resolve_weights(load_edition(path), registry)


@pytest.mark.parametrize("text", [
    '[edition]\nid = "plain"\n[index]\nid = "index"\n',
    'x = 1\n[ edition ]  # the table\ntitle = "t"\nid = "plain"\n\n[[domains]]\nid = "d"\n',
    '[edition]\nnote = """\\\n[not a table]\\\n"""\nid = "plain"\n[index]\nid = "x"\n',  # cut inside a string: whole file
    'edition.id = "plain"\n[index]\nid = "x"\n',  # dotted key, no [edition] table
    '[edition]\ntitle = "t"\n[edition.extra]\nk = 1\n',  # id missing from the cut part: the whole file says
])
def test_peek_edition_id_agrees_with_the_whole_file(tmp_path, text):
    from cityrank.formats.spec import peek_edition_id

    path = tmp_path / "edition.toml"
    path.write_text(text)
    try:
        whole = tomllib.loads(text)["edition"]["id"]
    except KeyError:
        with pytest.raises(SpecError):
            peek_edition_id(path)
        return
    assert peek_edition_id(path) == whole == "plain"


def test_an_edition_toml_with_a_byte_order_mark_and_windows_line_ends_loads(tmp_path):
    """As some editors save it: a UTF-8 byte-order mark and CRLF line ends."""
    folder = tmp_path / "ed"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", folder)
    toml = folder / "edition.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_text().replace("\n", "\r\n").encode("utf-8"))
    got, want = load_edition(folder), load_edition(ROOT / "tests" / "data" / "tiny")
    assert (got.id, got.title, got.framework, got.methods, got.cities) == \
        (want.id, want.title, want.framework, want.methods, want.cities)


def test_a_geonames_place_listed_twice_is_found_across_batches(tmp_path):
    """Cities are read a batch at a time; the second listing of a GeoNames id is reported with
    the first one's row whether they are in one batch or thousands of rows apart."""
    from cityrank.errors import DataError
    from cityrank.formats.cities import read_cities

    n = 20_000
    rows = [f"c{k},City {k},XXX,{k + 1}" for k in range(n)]
    path = tmp_path / "cities.csv"
    path.write_text("id,name,country,geonameid\n" + "\n".join(rows) + "\n")
    assert len(read_cities(path)) == n
    for first, second in ((3, 10), (3, n - 5)):
        again = rows.copy()
        again[second] = f"c{second},City {second},XXX,{first + 1}"
        path.write_text("id,name,country,geonameid\n" + "\n".join(again) + "\n")
        with pytest.raises(DataError) as err:
            read_cities(path)
        assert err.value.row == second + 2 and f"also on row {first + 2}" in str(err.value)
