"""Outputs are safe to open and stable: no formula cells, byte-identical files, valid JSON."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"
FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "ed"
    shutil.copytree(TINY, folder)
    cities = folder / "cities.csv"
    cities.write_text(cities.read_text().replace("ams,Amsterdam", f"ams,\"{FORMULA}\"")
                      .replace("ber,Berlin", "ber,+Berlin").replace("lis,Lisbon", "lis,@Lisbon"))
    return folder


def test_csv_neutralises_formula_cells(fresh_cli, hostile):
    import csv

    out = fresh_cli("run", hostile, "--format", "csv")
    assert out.exit_code == 0, out.stderr
    names = {row["id"]: row["name"] for row in csv.DictReader(out.stdout.splitlines())}
    assert names["ams"] == "'" + FORMULA and names["ber"] == "'+Berlin" and names["lis"] == "'@Lisbon"
    assert names["osl"] == "Oslo"


def test_xlsx_has_no_formula_and_is_byte_identical(fresh_cli, hostile, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert fresh_cli("run", hostile, "--format", "xlsx", "-o", a).exit_code == 0
    time.sleep(1.1)  # openpyxl stamps the save time to the second
    assert fresh_cli("run", hostile, "--format", "xlsx", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    book = openpyxl.load_workbook(a)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + FORMULA in {c.value for c in cells}


@pytest.mark.parametrize("option", ["minmax:upper=inf", "minmax:lower=nan", "zscore:sd=-inf"])
def test_non_finite_parameters_are_refused(fresh_cli, option):
    out = fresh_cli("run", TINY, "--normaliser", option, "--format", "json")
    assert out.exit_code == 2 and out.stdout == ""
    assert "must be a finite number" in out.stderr and len(out.stderr.splitlines()) == 1


def test_json_is_valid_with_missing_values(fresh_cli):
    """Lisbon has no transit value: scores it lacks are null, never NaN (which is not JSON)."""
    out = fresh_cli("run", TINY, "--format", "json")
    data = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["cities"]
