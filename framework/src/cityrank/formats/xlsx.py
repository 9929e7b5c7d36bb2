"""The ranking as an Excel workbook (openpyxl): ranking, indicator scores, methods, sources.

Byte-identical for the same inputs: fixed document dates and zip entry times. Text that a
spreadsheet would run as a formula is written as text with a leading apostrophe
(:func:`~cityrank.formats.output.safe_cell`)."""

from __future__ import annotations

import datetime
import io
import math
import re
import zipfile

from ..model import Result, plain_text, thaw
from .output import result_dict, safe_cell

FIXED = datetime.datetime(2000, 1, 1)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


#: the most an XLSX file read may take, packed and unpacked (bytes): an expert's workbook is a few
#: kB, and a small file can unpack to gigabytes (a "zip bomb")
READ_LIMIT = 1 << 24


def check_archive(path, error) -> None:
    """Refuse, before anything is unpacked, an XLSX file that is not a regular file (a device or
    pipe: a zip is read from its end) or whose packed size or declared unpacked size is over
    :data:`READ_LIMIT` (the zip reader never unpacks more than a member declares)."""
    import os
    import stat

    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error("file not found", file=path) from None
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise error("is a folder, not an XLSX file", file=path)
    if not stat.S_ISREG(st.st_mode):
        raise error("not a regular file: an XLSX workbook is read from a file", file=path)
    limit = f"{READ_LIMIT >> 20} MiB"
    if st.st_size > READ_LIMIT:
        raise error(f"larger than {limit}: not an expert's workbook", file=path)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise error(f"not a readable XLSX workbook ({type(exc).__name__})", file=path) from None
    if unpacked > READ_LIMIT:
        raise error(f"unpacks to {unpacked / (1 << 20):,.0f} MiB, more than {limit}: not an expert's workbook",
                    file=path)


#: sheet names of the stages (raw values and normalised scores always; the rest with stages)
STAGE_SHEETS = {"raw": "Raw values", "denominated": "Denominated", "transformed": "Transformed", "imputed": "Imputed",
                "treated": "Treated", "normalised": "Normalised scores"}


def to_xlsx(result: Result, stages: bool = False) -> bytes:
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
    shown = [k for k in STAGE_SHEETS if k in result.stages and (stages or k in ("raw", "normalised"))]
    for stage in shown:
        sheet = wb.create_sheet(STAGE_SHEETS[stage])
        sheet.append(["id", "name", *[i.id for i in fw.indicators]])
        for i in result.order():
            city = result.cities[i]
            sheet.append([city.id, city.name, *[None if math.isnan(v) else float(v) for v in result.stages[stage][i]]])
    sheet = wb.create_sheet("Methods")
    sheet.append(["stage", "target", "method", "params", "plugin", "version"])
    for m in data["methods"]:
        sheet.append([m["stage"], m["target"], m["method"], plain_text(m["params"]), m["plugin"], m["version"]])
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
    return finish(wb, frozen=True)


def finish(wb, frozen: bool = False) -> bytes:
    """A workbook as bytes: formula-like text neutralised, widths and number formats, with
    ``frozen`` a frozen and filtered header on every sheet but Sources; fixed dates."""
    from openpyxl.utils import get_column_letter

    for sheet in wb.worksheets:
        widths: dict[int, int] = {}
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = safe_cell(cell.value)
                    cell.data_type = "s"  # never a formula
                elif isinstance(cell.value, float):
                    cell.number_format = "0.00"  # shown rounded; the cell keeps every digit
                text = "" if cell.value is None else (f"{cell.value:.2f}" if isinstance(cell.value, float) else str(cell.value))
                widths[cell.column] = max(widths.get(cell.column, 0), len(text))
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(6, width + 2))
        if frozen and sheet.title != "Sources":  # a header row, frozen, with filters
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
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
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()
