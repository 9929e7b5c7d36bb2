"""cityrank experts check|combine on a small panel of CSV matrices."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cityrank.methods import panel

SAATY = ",a,b,c\na,1,3,5\nb,1/3,1,3\nc,1/5,1/3,1\n"
INCONSISTENT = ",a,b,c,d\na,1,1/7,2,4\nb,7,1,3/2,3\nc,1/2,2/3,1,2\nd,1/4,1/3,1/2,1\n"


@pytest.fixture
def panel_files(tmp_path):
    files = {"e1.csv": SAATY, "e2.csv": ",a,b,c\na,1,2,\nb,1/2,1,2\nc,,1/2,1\n", "e3.csv": ",a,b,c\na,1,1,1\nb,1,1,1\nc,1,1,1\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return [tmp_path / n for n in files]


def test_check_reports_each_expert(fresh_cli, panel_files):
    out = fresh_cli("experts", "check", *panel_files, "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    e1, e2, _ = data["experts"]
    assert e1["cr"] == pytest.approx(0.033, abs=1e-3) and e1["consistent"] and e1["missing_pairs"] == 0
    assert e2["missing_pairs"] == 1 and e2["weights"]["a"] > e2["weights"]["b"] > e2["weights"]["c"]


def test_check_suggests_revisions_that_work(fresh_cli, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text(INCONSISTENT)
    data = json.loads(fresh_cli("experts", "check", f, "--format", "json").stdout)["experts"][0]
    assert not data["consistent"] and data["revisions"]
    assert data["revisions"][0]["pair"] == ["a", "b"]
    assert data["revisions"][-1]["cr_after"] <= 0.10
    text = fresh_cli("experts", "check", f).stdout
    assert "INCONSISTENT" in text and "revise a vs b" in text


def test_combine_aij_aip_and_agreement(fresh_cli, panel_files, tmp_path):
    aij = json.loads(fresh_cli("experts", "combine", *panel_files, "--format", "json").stdout)
    aip = json.loads(fresh_cli("experts", "combine", *panel_files, "--method", "aip", "--format", "json").stdout)
    for d in (aij, aip):
        assert sum(d["weights"].values()) == pytest.approx(1)
    priorities = [[json.loads(fresh_cli("experts", "check", f, "--format", "json").stdout)["experts"][0]["weights"][i]
                   for i in "abc"] for f in panel_files]
    assert aij["kendall_w"] == pytest.approx(panel.kendall_w(priorities))
    g = np.exp(np.mean(np.log(priorities), axis=0))
    np.testing.assert_allclose(list(aip["weights"].values()), g / g.sum(), rtol=1e-12)
    # with one expert, AIJ and AIP agree
    one = [json.loads(fresh_cli("experts", "combine", panel_files[0], "--method", m, "--format", "json").stdout)["weights"]
           for m in ("aij", "aip")]
    np.testing.assert_allclose(list(one[0].values()), list(one[1].values()), rtol=1e-10)
    # leaving out an expert, and weighting them
    w = tmp_path / "w.csv"
    w.write_text("expert,weight\ne3.csv,0\n")
    weighted = json.loads(fresh_cli("experts", "combine", *panel_files, "--expert-weights", w, "--format", "json").stdout)
    two = json.loads(fresh_cli("experts", "combine", *panel_files[:2], "--format", "json").stdout)
    np.testing.assert_allclose(list(weighted["weights"].values()), list(two["weights"].values()), rtol=1e-10)
    out = tmp_path / "w.csv.out.csv"
    assert fresh_cli("experts", "combine", *panel_files, "-o", out).exit_code == 0
    assert out.read_text().splitlines()[0] == "id,weight"
    toml = tmp_path / "panel.toml"
    assert fresh_cli("experts", "combine", *panel_files, "--node", "digital", "-o", toml).exit_code == 0
    assert 'node = "digital"' in toml.read_text() and "[[experts.ahp]]" in toml.read_text()


@pytest.mark.parametrize(("text", "fragments"), [
    (",a,b,c\na,1,3,5\nb,1/3,1,high\nc,1/5,1/3,1\n", ["row 3", "'c'", "not a number"]),
    (",a,b,c\na,1,3,10\nb,1/3,1,3\nc,1/10,1/3,1\n", ["row 2", "'c'", "outside Saaty's scale"]),
    (",a,b,c\na,1,3,5\nb,3,1,3\nc,1/5,1/3,1\n", ["not reciprocal"]),
    (",a,b,d\na,1,3,5\nb,1/3,1,3\nd,1/5,1/3,1\n", ["differ from"]),
    (",a,b,c,d\na,1,3,,\nb,1/3,1,,\nc,,,1,2\nd,,,1/2,1\n", ["separate groups: a, b | c, d"]),
])
def test_bad_panel_files_are_one_line(fresh_cli, tmp_path, text, fragments):
    """A good expert first (three items, Saaty's matrix), then the bad file; the four-item
    case alone."""
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    files = [bad]
    if text.startswith(",a,b,c\n") or text.startswith(",a,b,d\n"):
        good = tmp_path / "good.csv"
        good.write_text(SAATY)
        files = [good, bad]
    out = fresh_cli("experts", "check", *files)
    assert out.exit_code == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "bad.csv" in out.stderr
    for fragment in fragments:
        assert fragment in out.stderr


def test_questionnaire_round_trip(fresh_cli, tmp_path):
    """Questionnaires for the tiny edition's index (digital vs traditional) are answered in the
    XLSX and in the CSV, then read back as they are by check and combine."""
    openpyxl = pytest.importorskip("openpyxl")
    from conftest import ROOT

    folder = tmp_path / "panel"
    out = fresh_cli("experts", "questionnaire", ROOT / "tests" / "data" / "tiny", "--experts", "2", "-o", folder)
    assert out.exit_code == 0, out.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["expert-01.csv", "expert-01.xlsx", "expert-02.csv", "expert-02.xlsx"]
    book = openpyxl.load_workbook(folder / "expert-01.xlsx")
    ws = book["judgments"]
    assert [c.value for c in ws[1]][:3] == ["item", "other", "judgment"] and ws.data_validations.dataValidation
    assert "instructions" in book.sheetnames
    ws["C2"] = "3"
    book.save(folder / "expert-01.xlsx")
    csv2 = folder / "expert-02.csv"
    csv2.write_text(csv2.read_text().replace("digital,traditional,,", "digital,traditional,1/3,"))
    data = json.loads(fresh_cli("experts", "check", folder / "expert-01.xlsx", csv2, "--format", "json").stdout)
    w1, w2 = (e["weights"] for e in data["experts"])
    assert w1["digital"] == pytest.approx(0.75) and w2["digital"] == pytest.approx(0.25)
    combined = json.loads(fresh_cli("experts", "combine", folder / "expert-01.xlsx", csv2, "--format", "json").stdout)
    assert combined["weights"]["digital"] == pytest.approx(0.5)  # geometric mean of 3 and 1/3
    ws["C2"] = "11"
    book.save(folder / "bad.xlsx")
    bad = fresh_cli("experts", "check", folder / "bad.xlsx")
    assert bad.exit_code == 2 and "sheet 'judgments'" in bad.stderr and "row 2" in bad.stderr and "'judgment'" in bad.stderr
    assert fresh_cli("experts", "questionnaire", ROOT / "tests" / "data" / "tiny", "--experts", "2", "-o", folder).exit_code == 2
    budget = tmp_path / "budget"
    assert fresh_cli("experts", "questionnaire", ROOT / "tests" / "data" / "tiny", "--experts", "1", "--kind", "budget",
                     "--node", "digital", "-o", budget).exit_code == 0
    assert (budget / "expert-01.csv").read_text().startswith("expert,fibre,speed")


def test_budget_questionnaires_feed_an_edition(fresh_cli, tmp_path):
    """Budget sheets answered in the XLSX and in the CSV are an edition's [[experts.budget]]
    files as they are: the weights are the mean shares (0.7 and 0.5 → 0.6)."""
    openpyxl = pytest.importorskip("openpyxl")
    import shutil

    import cityrank
    from conftest import ROOT

    edition = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    panel_dir = edition / "panel"
    out = fresh_cli("experts", "questionnaire", edition, "--experts", "2", "--kind", "budget", "--node", "digital",
                    "-o", panel_dir)
    assert out.exit_code == 0, out.stderr
    book = openpyxl.load_workbook(panel_dir / "expert-01.xlsx")
    ws = book["allocation"]
    assert [c.value for c in ws[1]] == ["expert", "fibre", "speed"] and ws.data_validations.dataValidation
    ws["B2"], ws["C2"] = 70, 30
    book.save(panel_dir / "expert-01.xlsx")
    (panel_dir / "expert-02.csv").write_text("expert,fibre,speed\nexpert-02,50,50\n")
    with (edition / "edition.toml").open("a") as fh:
        fh.write('\n[[experts.budget]]\nnode = "digital"\nfiles = ["panel/expert-01.xlsx", "panel/expert-02.csv"]\n')
    weights = cityrank.load(edition).framework()
    assert float(weights.loc["fibre", "weight"] if hasattr(weights, "loc") else weights["weight"]["fibre"]) \
        == pytest.approx(0.6)
    ws["C2"] = 40  # 110 points
    book.save(panel_dir / "expert-01.xlsx")
    bad = fresh_cli("run", edition)
    assert bad.exit_code == 2 and "110" in bad.stderr and bad.stderr.count("\n") == 1
    ws["C2"] = "lots"
    book.save(panel_dir / "expert-01.xlsx")
    bad = fresh_cli("run", edition)
    assert bad.exit_code == 2 and "expert-01.xlsx (sheet 'allocation')" in bad.stderr and "row 2" in bad.stderr
    assert "'speed'" in bad.stderr


def test_combine_into_an_edition_is_what_the_edition_runs(fresh_cli, tmp_path):
    """combine --into adds the [[experts.ahp]] table (AIP, expert weights) to the edition;
    the edition then runs with exactly the weights combine printed. A second table for the
    same node, or one whose items are not the node's children, is refused and the file kept."""
    import shutil

    import cityrank
    from conftest import ROOT

    edition = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    (edition / "panel").mkdir()
    for name, text in {"e1.csv": ",digital,traditional\ndigital,1,3\ntraditional,1/3,1\n",
                       "e2.csv": ",digital,traditional\ndigital,1,1/2\ntraditional,2,1\n"}.items():
        (edition / "panel" / name).write_text(text)
    (tmp_path / "w.csv").write_text("expert,weight\ne1.csv,3\ne2.csv,1\n")
    files = [edition / "panel" / "e1.csv", edition / "panel" / "e2.csv"]
    printed = json.loads(fresh_cli("experts", "combine", *files, "--method", "aip", "--expert-weights",
                                   tmp_path / "w.csv", "--format", "json").stdout)["weights"]
    by_hand = np.exp(0.75 * np.log([0.75, 0.25]) + 0.25 * np.log([1 / 3, 2 / 3]))
    assert printed["digital"] == pytest.approx(by_hand[0] / by_hand.sum())
    out = fresh_cli("experts", "combine", *files, "--method", "aip", "--expert-weights", tmp_path / "w.csv",
                    "--node", "index", "--into", edition)
    assert out.exit_code == 0, out.stderr
    table = cityrank.load(edition).framework()
    got = table.loc["digital", "weight"] if hasattr(table, "loc") else table["weight"]["digital"]
    assert float(got) == pytest.approx(printed["digital"], abs=1e-12)
    before = (edition / "edition.toml").read_text()
    again = fresh_cli("experts", "combine", *files, "--node", "index", "--into", edition)
    assert again.exit_code == 2 and "already has an expert table for node 'index'" in again.stderr
    assert "--force" in again.stderr
    wrong = fresh_cli("experts", "combine", *files, "--node", "digital", "--into", edition)
    assert wrong.exit_code == 2 and "does not fit the edition" in wrong.stderr and "fibre" in wrong.stderr
    assert (edition / "edition.toml").read_text() == before
    assert not any(p.name.startswith(".") for p in edition.iterdir())


def test_combine_into_with_force_replaces_the_nodes_table(fresh_cli, tmp_path):
    """--force replaces the edition's expert table for the node: the rest of the file (a
    user's comments, other tables) is kept byte for byte, the edition runs with the new
    panel's weights, and replacing again does not grow the file."""
    import shutil
    import tomllib

    import cityrank
    from conftest import ROOT

    edition = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    (edition / "panel").mkdir()
    for name, text in {"e1.csv": ",digital,traditional\ndigital,1,3\ntraditional,1/3,1\n",
                       "e2.csv": ",digital,traditional\ndigital,1,1/2\ntraditional,2,1\n",
                       "t.csv": ",transit,congestion\ntransit,1,4\ncongestion,1/4,1\n"}.items():
        (edition / "panel" / name).write_text(text)
    files = [edition / "panel" / "e1.csv", edition / "panel" / "e2.csv"]
    assert fresh_cli("experts", "combine", *files, "--node", "index", "--into", edition).exit_code == 0
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text() + "\n# the traditional panel met in May\n")
    assert fresh_cli("experts", "combine", edition / "panel" / "t.csv", "--node", "traditional",
                     "--into", edition).exit_code == 0
    before = toml.read_text()
    out = fresh_cli("experts", "combine", files[1], "--node", "index", "--into", edition, "--force")
    assert out.exit_code == 0 and "replaced [[experts.ahp]] for 'index'" in out.stderr, out.stderr
    after = toml.read_text()
    doc = tomllib.loads(after)
    assert [(t["node"], len(t["files"])) for t in doc["experts"]["ahp"]] == [("traditional", 1), ("index", 1)]
    assert "# the traditional panel met in May" in after
    cut = before.index("# AIJ of 2 experts")
    assert after.startswith(before[:cut])  # everything above the old table, byte for byte
    w = cityrank.load(edition).framework()
    got = w.loc["digital", "weight"] if hasattr(w, "loc") else w["weight"]["digital"]
    assert float(got) == pytest.approx(1 / 3, abs=1e-12)  # e2 alone: digital 1/2 as important
    assert fresh_cli("experts", "combine", files[1], "--node", "index", "--into", edition, "--force").exit_code == 0
    assert toml.read_text() == after
    inline = tmp_path / "inline"  # a table that is not a [[experts.ahp]] block of its own is left to the user
    shutil.copytree(ROOT / "tests" / "data" / "tiny", inline)
    (inline / "e1.csv").write_text((edition / "panel" / "e1.csv").read_text())
    text = ('experts = { ahp = [{ node = "index", items = ["digital", "traditional"], files = ["e1.csv"] }] }\n'
            + (inline / "edition.toml").read_text())
    (inline / "edition.toml").write_text(text)
    out = fresh_cli("experts", "combine", inline / "e1.csv", "--node", "index", "--into", inline, "--force")
    assert out.exit_code == 2 and "could not be cut out of the file exactly" in out.stderr
    assert (inline / "edition.toml").read_text() == text


def test_budget_xlsx_keeps_every_digit(tmp_path):
    """Thirds typed as numbers in a spreadsheet sum to 100 as the spreadsheet shows them."""
    openpyxl = pytest.importorskip("openpyxl")
    from cityrank.formats.experts import read_budget_file

    book = openpyxl.Workbook()
    book.active.append(["expert", "a", "b", "c"])
    book.active.append(["e1", 100 / 3, 100 / 3, 100 / 3])
    book.save(tmp_path / "b.xlsx")
    items, labels, table = read_budget_file(tmp_path / "b.xlsx")
    assert items == ["a", "b", "c"] and labels == ["e1"] and table.sum() == pytest.approx(100, abs=1e-12)


def test_budget_sheets_are_checked_and_combined(fresh_cli, tmp_path):
    """check names the sheet that does not sum to 100; combine gives the mean shares (the
    budget weighting's), Kendall's W = 1 for experts with the same order, and --into adds an
    [[experts.budget]] table the edition then runs with; mixing kinds is refused."""
    import shutil

    import cityrank
    from conftest import ROOT

    edition = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    a, b, bad = edition / "a.csv", edition / "b.csv", tmp_path / "bad.csv"
    a.write_text("expert,digital,traditional\nann,70,30\n")
    b.write_text("expert,traditional,digital\nbob,40,60\n")  # columns in another order
    bad.write_text("expert,digital,traditional\ncy,70,40\n")
    report = json.loads(fresh_cli("experts", "check", a, b, bad, "--format", "json").stdout)["experts"]
    assert [r["sums_to_total"] for r in report] == [True, True, False] and report[1]["weights"]["digital"] == 0.6
    assert "NOT 100" in fresh_cli("experts", "check", bad).stdout
    combined = json.loads(fresh_cli("experts", "combine", a, b, "--format", "json").stdout)
    assert combined["weights"]["digital"] == pytest.approx(0.65) and combined["kendall_w"] == pytest.approx(1.0)
    refused = fresh_cli("experts", "combine", a, bad)
    assert refused.exit_code == 2 and "sum to 110" in refused.stderr
    (tmp_path / "m.csv").write_text(SAATY)
    mixed = fresh_cli("experts", "check", a, tmp_path / "m.csv")
    assert mixed.exit_code == 2 and "m.csv" in mixed.stderr and "mixed" in mixed.stderr
    assert fresh_cli("experts", "combine", a, b, "--node", "index", "--into", edition).exit_code == 0
    table = cityrank.load(edition).framework()
    got = table.loc["digital", "weight"] if hasattr(table, "loc") else table["weight"]["digital"]
    assert float(got) == pytest.approx(0.65)


def test_kendall_w_is_undefined_when_every_expert_ties_every_item(fresh_cli, tmp_path):
    """Two experts who judge every pair equal: W is 0/0, said to be undefined (it crashed)."""
    assert np.isnan(panel.kendall_w([[0.5, 0.5], [0.5, 0.5]]))
    files = []
    for name in ("e1.csv", "e2.csv"):
        (tmp_path / name).write_text("item,other,judgment\na,c,1\n")
        files.append(tmp_path / name)
    out = fresh_cli("experts", "combine", *files, "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["kendall_w"] is None and data["weights"] == {"a": 0.5, "c": 0.5}
    assert "Kendall's W (agreement of the experts' orders): undefined" in fresh_cli("experts", "combine", *files).stdout
    budget = tmp_path / "b.csv"
    budget.write_text("expert,a,b\ne1,50,50\ne2,50,50\n")
    assert json.loads(fresh_cli("experts", "combine", budget, "--format", "json").stdout)["kendall_w"] is None


def test_a_formula_without_its_value_is_not_read_as_an_empty_judgment(fresh_cli, tmp_path):
    """openpyxl reads a formula whose result the file does not hold as empty: that would make a
    judged pair 'not judged' without a word. It is an error naming the cell."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["item", "other", "judgment"], ["a", "b", 3], ["a", "c", "=1/3"], ["b", "c", None]):
        sheet.append(row)
    path = tmp_path / "e1.xlsx"
    book.save(path)
    out = fresh_cli("experts", "check", path)
    assert out.exit_code == 2
    assert "e1.xlsx (sheet 'Sheet'), row 3, column 'judgment': the formula =1/3 has no value saved" in out.stderr


def test_llsm_prioritisation_from_combine_to_the_edition_run(fresh_cli, tmp_path):
    """--prioritisation llsm on a node of four children (below four, the eigenvector and the
    geometric means coincide): AIJ's combined matrix (element-wise geometric mean of the
    experts' judgments) turned into priorities by its rows' geometric means, computed here by
    hand, and not the eigenvector; --into writes prioritisation = "llsm", the edition then runs
    with those weights, and the panel bootstrap resamples under it; a bad value is refused."""
    import shutil

    import cityrank
    from conftest import ROOT

    edition = tmp_path / "one"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", edition)
    toml = edition / "edition.toml"
    text = toml.read_text().replace('domain = "traditional"', 'domain = "digital"')
    text = text.replace('[[domains]]\nid = "traditional"\nname = "Traditional infrastructure"\nweight = 1\n'
                        'aggregator = "geometric"\n', "")
    toml.write_text(text)
    items = ["fibre", "speed", "transit", "congestion"]
    judgments = [np.array([[1, 3, 1 / 5, 2], [1 / 3, 1, 7, 1 / 4], [5, 1 / 7, 1, 9], [1 / 2, 4, 1 / 9, 1]]),
                 np.array([[1, 2, 1 / 3, 3], [1 / 2, 1, 5, 1 / 2], [3, 1 / 5, 1, 7], [1 / 3, 2, 1 / 7, 1]])]
    files = []
    for k, m in enumerate(judgments, start=1):
        path = edition / f"e{k}.csv"
        path.write_text("," + ",".join(items) + "\n" + "".join(
            items[i] + "," + ",".join(repr(float(v)) for v in row) + "\n" for i, row in enumerate(m)))
        files.append(path)
    combined = np.exp(np.mean(np.log(judgments), axis=0))
    g = np.exp(np.log(combined).mean(axis=1))
    printed = json.loads(fresh_cli("experts", "combine", *files, "--prioritisation", "llsm", "--format", "json").stdout)
    assert printed["prioritisation"] == "llsm"
    np.testing.assert_allclose([printed["weights"][i] for i in items], g / g.sum(), rtol=1e-10)
    eigen = json.loads(fresh_cli("experts", "combine", *files, "--format", "json").stdout)["weights"]
    assert not np.allclose([eigen[i] for i in items], g / g.sum(), rtol=1e-3)
    out = fresh_cli("experts", "combine", *files, "--prioritisation", "llsm", "--node", "digital", "--into", edition)
    assert out.exit_code == 0, out.stderr
    assert 'prioritisation = "llsm"' in toml.read_text()
    table = cityrank.load(edition).framework()
    for i in items:
        got = table.loc[i, "weight"] if hasattr(table, "loc") else table["weight"][i]
        assert float(got) == pytest.approx(printed["weights"][i], abs=1e-12)
    ua = fresh_cli("uncertainty", str(edition), "--samples", "20", "--panel", "bootstrap", "--format", "json")
    assert ua.exit_code == 0, ua.stderr
    toml.write_text(toml.read_text().replace('prioritisation = "llsm"', 'prioritisation = "median"'))
    bad = fresh_cli("run", str(edition))
    assert bad.exit_code == 2 and 'prioritisation must be "eigenvector" or "llsm"' in bad.stderr
