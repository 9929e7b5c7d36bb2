"""Questionnaires for an expert panel: pairwise comparisons on Saaty's scale (AHP) or a budget
allocation, as XLSX (with drop-downs and instructions) and CSV; the answered files are read
back by :func:`cityrank.formats.experts.read_expert_file`."""

from __future__ import annotations

from ..errors import CityrankError
from .output import csv_text

#: Saaty's fundamental scale (Saaty, Int. J. Services Sciences 1, 2008, table 1)
SCALE = [("1", "equal importance"), ("2", "weak or slight"), ("3", "moderate importance"), ("4", "moderate plus"),
         ("5", "strong importance"), ("6", "strong plus"), ("7", "very strong importance"), ("8", "very, very strong"),
         ("9", "extreme importance")]


def questionnaires(title: str, node: str, kids, count: int, kind: str = "ahp") -> dict[str, str | bytes]:
    """File name → content: one CSV and one XLSX per expert (``expert-01`` …) on the children
    ``kids`` (framework elements with ``id`` and ``name``) of ``node``."""
    names = [f"expert-{e:02d}" for e in range(1, count + 1)]
    files: dict[str, str | bytes] = {}
    if kind == "budget":
        for name in names:
            files[f"{name}.csv"] = csv_text(["expert", *[c.id for c in kids]], [[name, *[""] * len(kids)]])
            files[f"{name}.xlsx"] = budget_xlsx(title, node, name, kids)
        return files
    pairs = [(a, b) for k, a in enumerate(kids) for b in kids[k + 1:]]
    rows = [[a.id, b.id, "", f"How many times more important is {a.name} than {b.name}? "
             "(1 = equally; 3, 5, 7, 9 = moderately … extremely more; 1/3 … 1/9 = less)"] for a, b in pairs]
    for name in names:
        files[f"{name}.csv"] = csv_text(["item", "other", "judgment", "question"], rows)
        files[f"{name}.xlsx"] = ahp_xlsx(title, node, rows)
    return files


def ahp_xlsx(title: str, node: str, rows) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:  # pragma: no cover - depends on the installation
        raise CityrankError("XLSX questionnaires need openpyxl: pip install 'cityrank[report]'") from None
    from .xlsx import finish

    wb = Workbook()
    ws = wb.active
    ws.title = "judgments"
    ws.append(["item", "other", "judgment", "question"])
    for row in rows:
        ws.append(row)
    allowed = [v for v, _ in SCALE][::-1] + [f"1/{v}" for v, _ in SCALE[1:]]
    check = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True,
                           error="A value of Saaty's scale: 1/9 … 9", errorTitle="Judgment", showErrorMessage=True)
    ws.add_data_validation(check)
    check.add(f"C2:C{len(rows) + 1}")
    for r in range(2, len(rows) + 2):  # text, so that a spreadsheet does not read 1/3 as a date
        ws.cell(row=r, column=3).number_format = "@"
    notes = wb.create_sheet("instructions")
    notes.append([f"{title}: the children of {node}"])
    notes.append(["For each pair, write in 'judgment' how many times more important the item is than the other,"])
    notes.append(["on Saaty's scale; a reciprocal (1/3 …) when the other is more important. Leave a pair empty if you"])
    notes.append(["cannot judge it. Then return the file: cityrank experts check reads it as it is."])
    notes.append([])
    notes.append(["value", "meaning"])
    for value, meaning in SCALE:
        notes.append([value, meaning])
    return finish(wb)


def budget_xlsx(title: str, node: str, name: str, kids) -> bytes:
    """A budget-allocation sheet: one row (the expert), a column per item, 0–100 points each;
    the running sum on the instructions sheet (the first sheet holds only the answers)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from .xlsx import finish

    wb = Workbook()
    ws = wb.active
    ws.title = "allocation"
    ws.append(["expert", *[c.id for c in kids]])
    ws.append([name, *[None] * len(kids)])
    last = ws.cell(row=2, column=len(kids) + 1).column_letter
    check = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                           error="A number of points from 0 to 100", errorTitle="Points", showErrorMessage=True)
    ws.add_data_validation(check)
    check.add(f"B2:{last}2")
    notes = wb.create_sheet("instructions")
    notes.append([f"{title}: the children of {node}"])
    notes.append(["Share 100 points among the items in row 2 according to how important each is;"])
    notes.append(["an item may get 0. The points must add up to 100:"])
    notes.append(["your sum", f"=SUM(allocation!B2:{last}2)"])
    notes.append([])
    notes.append(["item", "name"])
    for c in kids:
        notes.append([c.id, c.name])
    return finish(wb)
