"""COINr's ASEM example as a cityrank edition, written from the oracle inputs (iMeta, iData)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from conftest import oracle_file


def read_table(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """A COINr CSV keyed by its first column (uCode / iCode)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = next((k for k in ("uCode", "iCode") if k in rows[0]), next(iter(rows[0])))
    return list(rows[0]), {r[key]: r for r in rows}


def matrix(path: Path, units: list[str], columns: list[str]) -> np.ndarray:
    _, rows = read_table(path)
    return np.array([[float(rows[u][c]) if rows[u][c] not in ("", "NA") else np.nan for c in columns] for u in units])


def meta():
    _, rows = read_table(oracle_file("coinr_asem", "inputs", "ASEM_iMeta.csv"))
    return list(rows.values())


def indicator_ids() -> list[str]:
    return [r["iCode"] for r in meta() if r["Type"] == "Indicator"]


def units() -> list[str]:
    _, rows = read_table(oracle_file("coinr_asem", "inputs", "ASEM_iData_fullprec.csv"))
    return list(rows)


def write_edition(folder: Path, data_csv: Path, *, normaliser="minmax", aggregator="arithmetic") -> Path:
    """edition.toml + cities.csv + data.csv for the ASEM tree (49 indicators, 8 pillars, 2 sub-indexes)."""
    rows = meta()
    lines = ['[edition]', 'id = "asem"', 'title = "ASEM Sustainable Connectivity (COINr example)"', "",
             "[index]", 'id = "Index"', 'name = "Sustainable Connectivity"', "",
             "[methods]", f'normaliser = "{normaliser}"', f'aggregator = "{aggregator}"', ""]
    for level in ("3", "2"):
        for r in (r for r in rows if r["Level"] == level):
            lines += ["[[domains]]", f'id = "{r["iCode"]}"', f'parent = "{r["Parent"]}"', f"weight = {r['Weight']}", ""]
    for r in (r for r in rows if r["Type"] == "Indicator"):
        lines += ["[[indicators]]", f'id = "{r["iCode"]}"', f'domain = "{r["Parent"]}"',
                  f"direction = {r['Direction']}", f"weight = {r['Weight']}", ""]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "edition.toml").write_text("\n".join(lines))
    _, data = read_table(oracle_file("coinr_asem", "inputs", "ASEM_iData_fullprec.csv"))
    with open(folder / "cities.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "country", "EurAsia_group"])
        for code, r in data.items():
            w.writerow([code, r["uName"], code, r["EurAsia_group"]])
    ids = indicator_ids()
    _header, values = read_table(data_csv)
    with open(folder / "data.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["city_id", *ids])
        for code, r in values.items():
            w.writerow([code, *[r[i] if r[i] != "NA" else "" for i in ids]])
    return folder / "edition.toml"
