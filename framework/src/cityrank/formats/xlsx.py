"""The ranking as an Excel workbook (openpyxl): ranking, indicator scores, methods, sources.

Byte-identical for the same inputs: fixed document dates and zip entry times."""

from __future__ import annotations

import datetime
import io
import math
import zipfile

from ..model import Result, thaw
from .output import result_dict

FIXED = datetime.datetime(2000, 1, 1)


def to_xlsx(result: Result) -> bytes:
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - depends on the installation
        from ..errors import CityrankError

        raise CityrankError("XLSX export needs openpyxl: pip install 'cityrank[report]'") from None
    data = result_dict(result)
    wb = Workbook()
    ws = wb.active
    ws.title = "Ranking"
    domains = list(result.nodes[1:])
    ws.append(["rank", "id", "name", "country", "score", "tier", *[f"{d} {k}" for d in domains for k in ("score", "rank")]])
    for c in data["cities"]:
        ws.append([c["rank"], c["id"], c["name"], c["country"], c["score"], c["tier"],
                   *[c["domains"][d][k] for d in domains for k in ("score", "rank")]])
    fw = result.edition.framework
    sheet = wb.create_sheet("Indicators")
    sheet.append(["id", "name", *[i.id for i in fw.indicators]])
    for i in result.order():
        city = result.cities[i]
        sheet.append([city.id, city.name, *[None if math.isnan(v) else float(v) for v in result.indicator_scores[i]]])
    sheet = wb.create_sheet("Methods")
    sheet.append(["stage", "target", "method", "params", "plugin", "version"])
    for m in data["methods"]:
        sheet.append([m["stage"], m["target"], m["method"], str(m["params"]), m["plugin"], m["version"]])
    sheet = wb.create_sheet("Sources")
    sheet.append(["indicator", "name", "coverage", "source"])
    for ind in data["indicators"]:
        sheet.append([ind["id"], ind["name"], ind["coverage"], ind["source"]])
    sheet.append([])
    sheet.append(["inputs SHA-256", data["inputs_sha256"]])
    for note in data["notes"]:
        sheet.append(["note", note])
    for key, value in result.edition.meta.items():
        if isinstance(value, str):
            sheet.append([key, value])
        elif key == "sources":
            for source in thaw(value):
                sheet.append(["source", str(source)])
    wb.properties.created = wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(blob: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
