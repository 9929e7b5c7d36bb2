"""cityrank data sheets|check|merge: collection sheets, double entry, a source for every value.

Oracles: Cohen's kappa against a published worked example and scikit-learn; the example's
expected values read from its CSV files with the csv module (not through cityrank); ISO 639-1
against Debian's iso-codes where it is installed; what LibreOffice shows of a workbook.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from cityrank import collection
from conftest import EXAMPLES, ROOT, tiny_copy

EXAMPLE = EXAMPLES / "data-collection"
TINY = ROOT / "tests" / "data" / "tiny"
LEVELS = ["100M optical fibre networks", "gigabit optical fibre networks", "all-optical networks",
          "quantum communications"]


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _level(text: str) -> float:
    return float(LEVELS.index(text) + 1) if text in LEVELS else float(text)


@pytest.fixture
def example(tmp_path) -> Path:
    """The worked example's edition and returned sheets, copied so that a test may change them."""
    shutil.copytree(EXAMPLE, tmp_path / "example")
    return tmp_path / "example"


# --- Cohen's kappa ---------------------------------------------------------------------------


def test_kappa_reproduces_a_published_worked_example():
    """50 grant proposals, two readers: 20 yes–yes, 5 yes–no, 10 no–yes, 15 no–no; p_o = 0.70,
    p_e = 0.5·0.6 + 0.5·0.4 = 0.50, kappa = 0.4
    (https://tutorialspoint.com/statistics/cohen_kappa_coefficient.htm)."""
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert collection.cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


def test_kappa_agrees_with_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    import numpy as np

    rng = np.random.default_rng(7)
    for n, k in [(5, 2), (30, 4), (200, 5)]:
        a = rng.integers(0, k, n).tolist()
        b = [x if rng.random() < 0.6 else int(rng.integers(0, k)) for x in a]
        assert collection.cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-12)
    assert collection.cohen_kappa([1, 1], [1, 1]) is None  # one category throughout: undefined


# --- language codes ----------------------------------------------------------------------------


def test_shipped_language_codes_are_iso_639_1():
    from cityrank.formats.languages import language_code, languages

    codes = languages()
    assert len(codes) == 184 and {"ar", "en", "zh", "ru", "fr", "pt"} <= set(codes)
    assert language_code(" AR ") == "ar" and language_code("xx") is None and language_code("ara") is None
    debian = Path("/usr/share/iso-codes/json/iso_639-2.json")
    if debian.exists():  # the package the list is derived from: every code, no other
        entries = json.loads(debian.read_text(encoding="utf-8"))["639-2"]
        assert set(codes) == {e["alpha_2"] for e in entries if "alpha_2" in e}


# --- sheets ------------------------------------------------------------------------------------


def test_each_cell_goes_to_two_collectors_and_the_workbook_matches_its_twin(fresh_cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "round"
    done = fresh_cli("data", "sheets", TINY, "--indicators", "fibre,speed", "--by", "country", "--collectors", "3",
                     "-o", out)
    assert done.exit_code == 0, done.stderr
    cities = [r["id"] for r in _rows(TINY / "cities.csv")]
    seen: dict[tuple, int] = {}
    for k in (1, 2, 3):
        twin = _rows(out / f"collector-0{k}.csv")
        for r in twin:
            seen[(r["city_id"], r["indicator_id"])] = seen.get((r["city_id"], r["indicator_id"]), 0) + 1
        book = openpyxl.load_workbook(out / f"collector-0{k}.xlsx")
        data_sheets = [ws for ws in book.worksheets if ws.title not in ("instructions", "lists")]
        assert book["lists"].sheet_state == "hidden" and "instructions" in book.sheetnames
        rows = [[("" if v is None else str(v)) for v in row] for ws in data_sheets
                for row in ws.iter_rows(min_row=2, values_only=True)]
        header = [c.value for c in data_sheets[0][1]]
        assert rows == [[r[h] for h in header] for r in twin]  # the same rows, the same order
        for ws in data_sheets:  # one country per sheet, named by it
            assert {row[header.index("country")] for row in ws.iter_rows(min_row=2, values_only=True)} == {ws.title}
            value = header.index("value")
            ladder_rows = {r for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2)
                           if row[header.index("indicator_id")] == "fibre"}
            lists = [dv for dv in ws.data_validations.dataValidation if dv.formula1.startswith("lists!$B")]
            assert len(lists) == 1
            assert all(rng.min_col == rng.max_col == value + 1 for rng in lists[0].sqref.ranges)
            covered = {r for rng in lists[0].sqref.ranges for r in range(rng.min_row, rng.max_row + 1)}
            assert covered == ladder_rows  # the drop-down on exactly the ladder's value cells
        col = [book["lists"].cell(row=r, column=2).value for r in range(1, 6)]
        assert col == ["none", "100M optical fibre", "gigabit optical fibre", "all-optical", "quantum communications"]
    assert seen == {(c, i): 2 for c in cities for i in ("fibre", "speed")}  # double entry, every cell


def test_sheets_refuse_an_existing_folder_and_unknown_indicators(fresh_cli, tmp_path):
    assert fresh_cli("data", "sheets", TINY, "--indicators", "fibre", "-o", tmp_path / "r").exit_code == 0
    again = fresh_cli("data", "sheets", TINY, "--indicators", "fibre", "-o", tmp_path / "r")
    assert again.exit_code == 2 and "--force" in again.stderr
    bad = fresh_cli("data", "sheets", TINY, "--indicators", "fibr", "-o", tmp_path / "s")
    assert bad.exit_code == 2 and "did you mean 'fibre'" in bad.stderr and not (tmp_path / "s").exists()


# --- the worked example, end to end ------------------------------------------------------------


def _expected(example: Path):
    """What the example's sheets say, read with the csv module: per cell the values by collector."""
    cells: dict[tuple, dict] = {}
    for name in ("collector-01", "collector-02"):
        for r in _rows(example / "returned" / f"{name}.csv"):
            if r["value"]:
                v = _level(r["value"]) if r["indicator_id"] == "wired_networks" else float(r["value"])
                cells.setdefault((r["city_id"], r["indicator_id"]), {})[r["collector"]] = (v, r)
    return cells


def test_example_check_lists_disagreements_and_agreement(fresh_cli, example):
    metrics = pytest.importorskip("sklearn.metrics")
    done = fresh_cli("data", "check", example / "returned", "--format", "json")
    assert done.exit_code == 1, done.stderr  # open: a value without a date, two disagreements
    report = json.loads(done.stdout)
    cells = _expected(example)
    disagree = {k for k, v in cells.items() if len(v) == 2 and len({x for x, _ in v.values()}) == 2}
    assert {(d["city_id"], d["indicator_id"]) for d in report["disagreements"]} == disagree
    assert [(p["file"], p["row"], p["column"], p["kind"]) for p in report["problems"]] == \
        [("collector-01.csv", 9, "published", "no_date")]
    wired = [v for (c, i), v in cells.items() if i == "wired_networks"]
    a, b = [v["Amira"][0] for v in wired], [v["Lin"][0] for v in wired]
    got = report["agreement"]["indicators"]["wired_networks"]
    assert got["kappa"] == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-12)
    assert got["agreement"] == sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    fibre = [v for (c, i), v in cells.items() if i == "fibre_share" and len(v) == 2]
    diffs = [abs(v["Amira"][0] - v["Lin"][0]) / max(v["Amira"][0], v["Lin"][0]) for v in fibre]
    assert report["agreement"]["indicators"]["fibre_share"]["mean_relative_difference"] == pytest.approx(
        sum(diffs) / len(diffs))
    assert report == collection.check(example / "returned").to_dict() | {"folder": report["folder"]}
    text = fresh_cli("data", "check", example / "returned").stdout
    assert "collector-01.csv, row 9, column 'published'" in text and "2 = gigabit optical fibre networks" in text


def test_example_merge_keeps_agreed_sourced_values_and_runs(fresh_cli, example, tmp_path):
    out = tmp_path / "data.csv"
    done = fresh_cli("data", "merge", example / "returned", "-o", out)
    assert done.exit_code == 0, done.stderr
    cells = _expected(example)
    kept = {k: next(iter(v.values()))[0] for k, v in cells.items()
            if len(v) == 2 and len({x for x, _ in v.values()}) == 1
            and all(r["source_url"] and r["published"] for _, r in v.values())}
    data = _rows(out)
    got = {(r["city_id"], i): float(r[i]) for r in data for i in ("wired_networks", "fibre_share") if r[i]}
    assert got == kept
    provenance = _rows(tmp_path / "data.provenance.csv")
    status = {(r["city_id"], r["indicator_id"]): r["status"] for r in provenance}
    assert {k for k, s in status.items() if s == "verified"} == set(kept)
    assert status[("moscow", "fibre_share")] == "unsourced" and status[("beijing", "fibre_share")] == "disputed"
    for r in provenance:  # each kept value names its source as the collector wrote it
        if r["status"] == "verified":
            first = cells[(r["city_id"], r["indicator_id"])]["Amira"][1]
            assert (r["source_url"], r["source_title"], r["collector"], r["verified_by"]) == \
                (first["source_url"], first["source_title"], "Amira", "Lin")
    before = out.read_bytes(), (tmp_path / "data.provenance.csv").read_bytes()
    assert fresh_cli("data", "merge", example / "returned", "-o", out, "--force").exit_code == 0
    assert (out.read_bytes(), (tmp_path / "data.provenance.csv").read_bytes()) == before  # byte-identical
    merged = collection.merged(example / "returned")
    assert (merged.data.encode(), merged.provenance.encode()) == before  # Python gives the same
    run = json.loads(fresh_cli("run", example / "edition", "--data", out, "--format", "json").stdout)
    raw = {(c["id"], i): v["raw"] for c in run["cities"] for i, v in c["indicators"].items() if v["raw"] is not None}
    assert raw == kept


def test_a_filled_workbook_reads_as_its_csv_twin(fresh_cli, example, tmp_path):
    """Collector 1 returns the XLSX (filled from the example's CSV), collector 2 the CSV: the
    check finds the same problems and disagreements, at the workbook's sheet and row."""
    openpyxl = pytest.importorskip("openpyxl")
    blank = tmp_path / "blank"
    assert fresh_cli("data", "sheets", example / "edition", "--collectors", "2", "-o", blank).exit_code == 0
    returned = example / "returned"
    typed = {(r["city_id"], r["indicator_id"]): r for r in _rows(returned / "collector-01.csv")}
    book = openpyxl.load_workbook(blank / "collector-01.xlsx")
    for ws in book.worksheets[:2]:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            r = typed[(row[0].value, row[header.index("indicator_id")].value)]
            for name in ("value", "source_title", "source_url", "language", "published", "page_or_quote",
                         "collector", "note"):
                text = r[name]
                if name == "value" and text.replace(".", "").isdigit():
                    text = float(text)  # a number typed into a spreadsheet is a number
                row[header.index(name)].value = text or None
    (returned / "collector-01.csv").unlink()
    book.save(returned / "collector-01.xlsx")
    report = json.loads(fresh_cli("data", "check", returned, "--format", "json").stdout)
    assert [(p["file"], p["sheet"], p["row"], p["kind"]) for p in report["problems"]] == \
        [("collector-01.xlsx", "fibre_share", 5, "no_date")]
    assert {(d["city_id"], d["indicator_id"]) for d in report["disagreements"]} == \
        {("beijing", "fibre_share"), ("moscow", "wired_networks")}
    assert report["agreement"]["indicators"]["wired_networks"]["kappa"] == pytest.approx(0.5)


# --- problems, bad input, nothing half-written -------------------------------------------------

HEADER = "city_id,indicator_id,value,source_title,source_url,language,published,page_or_quote,collector,note\n"


def _round(folder: Path, text: str, manifest: str = "") -> Path:
    folder.mkdir()
    (folder / "c.csv").write_text(HEADER + text, encoding="utf-8")
    if manifest:
        (folder / "collection.toml").write_text(manifest, encoding="utf-8")
    return folder


def test_each_problem_is_located(fresh_cli, tmp_path):
    rows = ("ams,fibre,5,T,https://example.org/a,en,2023-01-01,,A,\n"      # 2: not a level (0–4)
            "ber,fibre,gigabit optical fibre,T,,en,2023-01-01,,A,\n"       # 3: no URL
            "lis,fibre,2,T,https://example.org/a,en,,,A,\n"                # 4: no date
            "osl,fibre,2,T,https://example.org/a,en,3024-01-01,,A,\n"      # 5: in the future
            "ams,speed,12,T,https://example.org/a,en,2025-02,,A,\n"        # 6: after the edition's year (2024)
            "ber,speed,-3,T,https://example.org/a,english,2023,,A,\n"      # 7: log of a negative; not a code
            "xyz,speed,3,T,https://example.org/a,en,2023,,A,\n"            # 8: not a city
            "lis,sped,3,T,https://example.org/a,en,2023,,A,\n"             # 9: not an indicator
            "ams,fibre,3,T,https://example.org/a,en,2023,,A,\n"            # 10: filled twice
            "osl,speed,,,,,,,A,\n"                                         # 11: a gap
            "lis,speed,3,T,www.example.org,en,2023,,B,\n")                 # 12: not a URL
    folder = _round(tmp_path / "r", rows)
    done = fresh_cli("data", "check", folder, "--edition", TINY, "--format", "json")
    assert done.exit_code == 1, done.stderr
    found = {(p["row"], p["column"], p["kind"]) for p in json.loads(done.stdout)["problems"]}
    assert found == {(2, "value", "bad_value"), (3, "source_url", "no_source"), (4, "published", "no_date"),
                     (5, "published", "future_date"), (6, "published", "after_edition_year"),
                     (7, "value", "bad_value"), (7, "language", "bad_language"), (8, "city_id", "unknown_city"),
                     (9, "indicator_id", "unknown_indicator"), (10, "indicator_id", "twice"),
                     (12, "source_url", "bad_url")}
    assert [(g["row"], g["city_id"]) for g in json.loads(done.stdout)["gaps"]] == [(11, "osl")]
    out = tmp_path / "data.csv"
    refused = fresh_cli("data", "merge", folder, "--edition", TINY, "-o", out)
    assert refused.exit_code == 2 and "9 problem(s)" in refused.stderr and "c.csv, row 2, column 'value'" in refused.stderr
    assert not out.exists() and not (tmp_path / "data.provenance.csv").exists()  # nothing written


def test_bad_input_is_one_line_and_exit_2(fresh_cli, tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "c.csv").write_text("city_id,indicator_id,value\nams,fibre,2\n")
    done = fresh_cli("data", "check", folder, "--edition", TINY)
    assert done.exit_code == 2 and "column 'source_title'" in done.stderr and "c.csv" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    no_manifest = fresh_cli("data", "check", tmp_path / "r")
    assert no_manifest.exit_code == 2 and "--edition" in no_manifest.stderr
    assert fresh_cli("data", "check", tmp_path / "missing", "--edition", TINY).exit_code == 2


def test_an_open_check_then_a_clean_one(fresh_cli, tmp_path):
    """Double entry that agrees, sourced: nothing open (exit 0); the merge marks it verified."""
    text = "".join(f"{c},speed,{v},T,https://example.org/{c},en,2023-05-01,p. 1,{who},\n"
                   for c, v in (("ams", 10), ("ber", 20)) for who in ("A", "B"))
    folder = _round(tmp_path / "r", text)
    done = fresh_cli("data", "check", folder, "--edition", TINY, "--format", "json")
    assert done.exit_code == 0 and json.loads(done.stdout)["open"] == 0
    merged = collection.merged(folder, edition=TINY)
    assert merged.counts["verified"] == 2
    assert [r["verified_by"] for r in csv.DictReader(io.StringIO(merged.provenance))] == ["B", "B"]


# --- any script, unchanged; formulas neutralised -------------------------------------------------


def test_text_in_any_script_round_trips_and_formulas_stay_text(fresh_cli, tmp_path):
    rtl = "\u200fتقرير الاتصالات «٢٠٢٣»"  # a right-to-left mark, Arabic quotes and digits
    nfd = unicodedata.normalize("NFD", "Société d'État — Łódź")
    zh, ru = "北京市通信管理局：年度报告", "Отчёт о сетях связи"
    formula = '=HYPERLINK("http://evil.example","x")'
    edition = tiny_copy(tmp_path / "ed", ("cities.csv", "lis,Lisbon,PRT", "são,São Paulo,BRA"), ("data.csv", "\nlis,", "\nsão,"))
    nfd_id = unicodedata.normalize("NFD", "são")
    rows = (f'ams,speed,10,"{rtl}",https://example.org/a,ar,2023,"{zh}",A,\n'
            f'{nfd_id},speed,20,"{nfd}",https://example.org/b,fr,2023,"{ru}",A,\n'
            f'ber,speed,30,"{formula.replace(chr(34), chr(34) * 2)}",https://example.org/c,en,2023,@SUM(1),A,+1 note\n')
    folder = _round(tmp_path / "r", rows)
    report = collection.check(folder, edition=edition)
    assert report.problems == []
    assert {e["source_title"] for e in report.round.entries} == {rtl, nfd, formula}  # exactly as typed
    assert any(e["city_id"] == "são" for e in report.round.entries)  # the NFD id is the NFC city
    out = tmp_path / "d.csv"
    assert fresh_cli("data", "merge", folder, "--edition", edition, "-o", out).exit_code == 0
    raw = (tmp_path / "d.provenance.csv").read_bytes().decode("utf-8")
    assert rtl in raw and nfd in raw and zh in raw and ru in raw
    assert unicodedata.normalize("NFC", nfd) not in raw  # not normalised on the way
    prov = {r["city_id"]: r for r in csv.DictReader(io.StringIO(raw))}
    assert prov["ber"]["source_title"] == "'" + formula  # neutralised, as every CSV output is
    assert prov["ber"]["page_or_quote"] == "'@SUM(1)" and prov["ber"]["note"] == "A: +1 note"


def test_formula_like_names_in_a_workbook_stay_text(fresh_cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    edition = tiny_copy(tmp_path / "ed", ("cities.csv", "osl,Oslo,NOR", "osl,=1+2,NOR"))
    assert fresh_cli("data", "sheets", edition, "--indicators", "speed", "-o", tmp_path / "r").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "r" / "collector-01.xlsx")["speed"]
    cell = next(row[1] for row in ws.iter_rows(min_row=2) if row[0].value == "osl")
    assert cell.value == "'=1+2" and cell.data_type == "s"


# --- as LibreOffice shows it --------------------------------------------------------------------


def test_sheets_as_libreoffice_shows_them(fresh_cli, tmp_path):
    """Debian's LibreOffice Calc (headless, to PDF) opens the workbook and shows the header,
    the cities in their own script and the instructions."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        pytest.skip("LibreOffice or pdftotext is not installed (Debian libreoffice-calc-nogui, poppler-utils)")
    import subprocess

    assert fresh_cli("data", "sheets", EXAMPLE / "edition", "-o", tmp_path / "r").exit_code == 0
    book = tmp_path / "r" / "collector-01.xlsx"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(book)], check=True, capture_output=True, timeout=180)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "collector-01.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "city_id" in text and "source_url" in text and "What a good source is" in text
    for name in ("Cairo", "Beijing", "北京", "Москва"):
        assert name in text


# --- the guide ----------------------------------------------------------------------------------


def test_the_guide_shows_what_check_prints_and_its_python_runs(fresh_cli, tmp_path, monkeypatch):
    import re

    page = (ROOT / "docs" / "data-collection.md").read_text(encoding="utf-8")
    shown = re.search(r"## 2\. Check what comes back.*?```\n\n```\n(.*?)```", page, re.S).group(1)
    monkeypatch.chdir(ROOT)
    assert fresh_cli("data", "check", "examples/data-collection/returned").stdout == shown
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "data-collection")
    monkeypatch.chdir(tmp_path)
    code = re.search(r"## From Python\n\n```python\n(.*?)```", page, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "data-collection.md", "exec"), namespace)  # as a user would paste it
    assert namespace["merged"].counts == {"verified": 5, "collected": 0, "disputed": 2, "unsourced": 1, "missing": 0}
    assert (tmp_path / "round-1" / "collection.toml").exists() and (tmp_path / "data.provenance.csv").exists()
