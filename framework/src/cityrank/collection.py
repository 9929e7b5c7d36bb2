"""Source data that a team collects and verifies: sheets → check → merge.

::

    from cityrank import collection
    collection.sheets("sco-2025", "round-1", collectors=2)     # one workbook (and CSV) per collector
    report = collection.check("round-1")                        # problems, disagreements, gaps, agreement
    collection.merge("round-1", "data.csv")                     # data.csv + data.provenance.csv

``sheets`` writes, beside the sheets, ``collection.toml``: the edition and which groups of rows
each collector got, so that ``check`` and ``merge`` need only the folder. With two entries per
cell (double entry), each cell is collected twice, independently; ``check`` lists every
disagreement side by side and the agreement per indicator (Cohen's kappa for ladder levels,
the relative difference for numbers) and per collector; ``merge`` keeps a value only with a
source URL and date and without a disagreement, and says so for each value it leaves out.

This module is the logic behind ``cityrank data``; the sheets' layout and reading are in
:mod:`cityrank.formats.collection`. The name is not ``cityrank.data``: "data" already names an
edition's data file (``Edition.data``, ``run --data``), which ``merge`` writes.
"""

from __future__ import annotations

import datetime
import difflib
import json
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import CityrankError, DataError, SpecError
from .formats import collection as layout
from .formats.atomic import write_folder
from .formats.csvfile import MISSING, parse_number

MANIFEST = "collection.toml"
#: what the way of splitting rows into groups (sheets) may be
BY = ("indicator", "country")
#: the problems merge settles itself (the value is left out, with a note); any other stops it
UNSOURCED = ("no_source", "no_date")
STATUSES = ("verified", "collected", "disputed", "unsourced", "missing")

_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+[^\s]*$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


# --- the edition -----------------------------------------------------------------------------


def _edition(edition, base: Path | None = None):
    """A :class:`cityrank.model.Spec` from itself, an API edition, an installed id or a path
    (relative to ``base`` when given), loaded as :func:`cityrank.api.load` loads it."""
    from .api import Edition as Loaded
    from .api import load
    from .model import Spec

    if isinstance(edition, Spec):
        return edition
    if isinstance(edition, Loaded):
        return edition.spec
    if not isinstance(edition, str | os.PathLike):
        raise CityrankError(f"expected an edition (its id or the path of its edition.toml), not a {type(edition).__name__}")
    if base is not None and not (isinstance(edition, str) and _installed(edition)):
        edition = base / os.fspath(edition)
    return load(edition).spec


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or os.sep in text or text in (".", "..")


def _indicators(spec, wanted: Sequence[str] | None):
    """The indicators to collect: those named, else those the edition has no data for (no
    provider and no column in its data file)."""
    known = {i.id: i for i in spec.framework.indicators}
    if wanted:
        out = []
        for ident in wanted:
            ident = _nfc(ident)
            if ident not in known:
                raise CityrankError(f"--indicators: unknown indicator {ident!r}{_did_you_mean(ident, known)} "
                                    f"(the edition has: {', '.join(known)})")
            if known[ident] not in out:
                out.append(known[ident])
        return out
    have = set(spec.data.indicator_ids) if spec.data is not None else set()
    out = [i for i in spec.framework.indicators if i.provider is None and i.id not in have]
    if not out:
        raise CityrankError(f"every indicator of {spec.id} has data; name the ones to collect with --indicators")
    return out


def _did_you_mean(text: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(text, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- sheets ----------------------------------------------------------------------------------


def _groups(spec, indicators, by: str) -> list[tuple[str, list[tuple]]]:
    """The rows ``(city, indicator)`` in groups: one per indicator (cities in the edition's
    order) or one per country (its cities × the indicators)."""
    if by == "indicator":
        return [(i.id, [(c, i) for c in spec.cities]) for i in indicators]
    countries: dict[str, list] = {}
    for c in spec.cities:
        countries.setdefault(c.country or "no country", []).append(c)
    return [(k, [(c, i) for c in cities for i in indicators]) for k, cities in countries.items()]


def _assign(sizes: Sequence[int], collectors: int, entries: int) -> list[list[int]]:
    """Which groups each collector gets: every group to ``entries`` different collectors, the
    largest groups first, each to the collectors with the fewest rows so far (ties: the first)."""
    load = [0] * collectors
    got: list[list[int]] = [[] for _ in range(collectors)]
    for g in sorted(range(len(sizes)), key=lambda g: -sizes[g]):
        for k in sorted(range(collectors), key=lambda k: (load[k], k))[:entries]:
            load[k] += sizes[g]
            got[k].append(g)
    return [sorted(g) for g in got]


def _levels_text(ind) -> str:
    if not ind.levels:
        return ""
    return "; ".join(f"{k} = {label}" for k, label in enumerate(ind.levels, start=1)) + " (0 = none)"


def _choices(ind) -> tuple[str, ...] | None:
    """A ladder's drop-down: "none" (level 0), then the levels' labels."""
    if not ind.levels:
        return None
    return ("none", *ind.levels) if "none" not in (x.lower() for x in ind.levels) else tuple(ind.levels)


def local_name(city) -> str:
    """The city's name in its own script, where the cities file has it (column ``local_name``)."""
    return city.attributes.get("local_name", "")


def _instructions(spec, name: str, indicators, entries: int) -> list[str]:
    year = spec.meta.get("year")
    lines = [
        f"{spec.title} ({spec.id}): data collection, sheet {name}",
        "",
        "Fill one row per city and indicator: the value, then where it comes from.",
        "value: a number in the indicator's unit; for a ladder, a level from the drop-down (or its number; 0 = none).",
        "source_title, source_url: the page or document the value is read from, as a reader can open it.",
        "language: the source's language as a two-letter ISO 639-1 code (ar, en, zh, ru, fr, pt …).",
        "published: the source's date of publication as YYYY-MM-DD (YYYY-MM or YYYY when it gives no more).",
        "page_or_quote: the page, table or a short quote that holds the value, so that a checker finds it quickly.",
        "collector: your name (the same in every row). note: anything a checker should know.",
        "No value found: leave value empty and say in note what you searched; an empty row is counted as a gap.",
        "",
        "What a good source is:",
        "- primary: the operator, the regulator, the city or the national statistics office, rather than a news item"
        " that repeats them;",
        "- dated, and of the edition's time: published in " + (f"{year} or before" if year else "the edition's year")
        + ", never a later update;",
        "- public and stable: a URL anyone can open (an archived copy is better than a page that changes);",
        "- one value, one source: do not combine sources or compute a value unless the note says how.",
    ]
    if entries > 1:
        lines += ["", f"Each row is collected by {entries} people independently (double entry): do not compare notes "
                  "before you hand the sheet back; disagreements are settled afterwards."]
    lines += ["", "Indicators:"]
    lines += [f"- {i.id}: {i.name}" + (f" ({i.unit})" if i.unit else "") + (f". {i.notes}" if i.notes else "")
              for i in indicators]
    lines += ["", "Return this file as it is (XLSX), or its CSV twin saved as CSV UTF-8: cityrank data check reads both."]
    return lines


def sheet_files(edition, *, indicators: Sequence[str] | None = None, by: str = "indicator", collectors: int = 1,
                entries: int | None = None, folder=None) -> dict[str, bytes]:
    """The files of a collection round, name → bytes: per collector an XLSX and its CSV twin
    (``collector-01.xlsx``, ``collector-01.csv`` …), and ``collection.toml`` (which names an
    edition given by path relative to ``folder``, where the files go)."""
    from .formats.languages import languages

    spec = _edition(edition)
    chosen = _indicators(spec, indicators)
    if by not in BY:
        raise CityrankError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    if isinstance(collectors, bool) or not isinstance(collectors, int) or collectors < 1:
        raise CityrankError(f"--collectors must be a whole number of at least 1, not {collectors!r}")
    entries = min(2, collectors) if entries is None else entries
    if isinstance(entries, bool) or not isinstance(entries, int) or not 1 <= entries <= collectors:
        raise CityrankError(f"--entries must be from 1 to --collectors ({collectors}), not {entries!r}")
    groups = _groups(spec, chosen, by)
    local = any(local_name(c) for c in spec.cities)
    header = layout.columns(local)
    names = [f"collector-{k:0{max(2, len(str(collectors)))}d}" for k in range(1, collectors + 1)]
    files: dict[str, bytes] = {}
    assigned = _assign([len(rows) for _, rows in groups], collectors, entries)
    for name, mine in zip(names, assigned, strict=True):
        taken: set[str] = set()
        book = []
        for g in mine:
            key, cells = groups[g]
            rows = [[c.id, c.name, *([local_name(c)] if local else []), c.country, i.id, i.name, i.notes, i.unit,
                     _levels_text(i), *[""] * len(layout.FILLED)] for c, i in cells]
            book.append((layout.sheet_title(key, taken), rows, [_choices(i) for _, i in cells]))
        files[f"{name}.xlsx"] = layout.workbook(book, header, _instructions(spec, name, chosen, entries),
                                                sorted(languages()))
        files[f"{name}.csv"] = layout.csv_twin(header, book)
    sheets_of = [(n, [groups[g][0] for g in mine]) for n, mine in zip(names, assigned, strict=True)]
    files[MANIFEST] = _manifest_text(spec, _reference(edition, spec, folder), chosen, by, entries, sheets_of).encode()
    return files


def sheets(edition, folder=None, *, indicators: Sequence[str] | None = None, by: str = "indicator",
           collectors: int = 1, entries: int | None = None, force: bool = False) -> dict[str, bytes]:
    """:func:`sheet_files`, written into ``folder`` when given (all of them or none; existing
    files only with ``force``)."""
    files = sheet_files(edition, indicators=indicators, by=by, collectors=collectors, entries=entries, folder=folder)
    if folder is not None:
        write_folder(Path(folder), files, force)
    return files


def _reference(edition, spec, folder) -> str:
    """How collection.toml names the edition: its id when it is installed under that id and
    was given so, else the path of its edition.toml, relative to the sheets' folder."""
    if isinstance(edition, str) and not _looks_like_path(edition) and _installed(edition):
        return edition
    if isinstance(edition, str | os.PathLike):
        path = Path(edition)
    elif spec.path is not None:
        if _installed(spec.id):
            return spec.id
        path = spec.path
    else:
        raise CityrankError("an edition without a file cannot be named in collection.toml: give its path or id")
    if folder is None:
        return path.as_posix()
    return Path(os.path.relpath(path.resolve(), Path(folder).resolve())).as_posix()


def _installed(name: str) -> bool:
    from .plugins import get_registry

    return any(m.id == name for m in get_registry().methods("edition"))


def _toml_line(key: str, value: str) -> str:
    return f"{key} = {json.dumps(value, ensure_ascii=False)}\n"  # a JSON string is a TOML basic string


def _manifest_text(spec, ref: str, indicators, by, entries, sheets_of) -> str:
    lines = ["# What was handed out (cityrank data sheets); cityrank data check and merge read it.\n",
             _toml_line("edition", ref), _toml_line("edition_id", spec.id),
             f"indicators = [{', '.join(json.dumps(i.id, ensure_ascii=False) for i in indicators)}]\n",
             _toml_line("by", by), f"entries = {entries}\n"]
    for name, groups in sheets_of:
        lines += ["\n[[sheets]]\n", _toml_line("name", name),
                  f"groups = [{', '.join(json.dumps(g, ensure_ascii=False) for g in groups)}]\n"]
    return "".join(lines)


# --- reading a round back --------------------------------------------------------------------


class Round:
    """A folder of returned sheets, read and checked: every entry, problem and gap."""

    def __init__(self, folder, edition=None, today: datetime.date | None = None):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise DataError("not a folder of collection sheets", file=self.folder)
        self.manifest = _read_manifest(self.folder)
        if edition is None and self.manifest is None:
            raise DataError(f"no {MANIFEST} here (cityrank data sheets writes it): give the edition (--edition)",
                            file=self.folder)
        self.spec = _edition(edition if edition is not None else self.manifest["edition"],
                             None if edition is not None else self.folder)
        if self.manifest is not None and self.manifest.get("edition_id", self.spec.id) != self.spec.id:
            raise DataError(f"the sheets are for edition {self.manifest['edition_id']!r}, not {self.spec.id!r}",
                            file=self.folder / MANIFEST)
        self.indicators = {i.id: i for i in self.spec.framework.indicators}
        wanted = self.manifest["indicators"] if self.manifest else list(self.indicators)
        for ident in wanted:
            if ident not in self.indicators:
                raise DataError(f"indicator {ident!r} is not the edition's", file=self.folder / MANIFEST)
        self.wanted = list(wanted)
        self.cities = {c.id: c for c in self.spec.cities}
        self.year = self.spec.meta.get("year")
        self.today = today or datetime.date.today()
        self.problems: list[dict] = []
        self.gaps: list[dict] = []
        self.entries: list[dict] = []
        self.files: list[str] = []
        self._read()

    # the files: a collector's XLSX or its CSV twin, whichever was filled
    def _sheet_files(self) -> dict[str, list[Path]]:
        stems: dict[str, list[Path]] = {}
        for path in sorted(self.folder.iterdir()):
            name = path.name
            if not path.is_file() or name.startswith((".", "~$")) or name.endswith(".provenance.csv"):
                continue
            if path.suffix.lower() in (".xlsx", ".csv"):
                stems.setdefault(path.stem, []).append(path)
        return stems

    def _read(self) -> None:
        stems = self._sheet_files()
        if not stems:
            raise DataError("no sheets here (XLSX or CSV)", file=self.folder)
        for stem, paths in stems.items():
            read = [(p, list(layout.read_rows(p))) for p in paths]
            filled = [(p, rows) for p, rows in read if any(r.filled() for r in rows)]
            if len(filled) > 1:
                raise DataError(f"{' and '.join(p.name for p, _ in filled)} are both filled: keep the one the collector "
                                "returned and remove the other", file=self.folder)
            path, rows = filled[0] if filled else next((x for x in read if x[0].suffix.lower() == ".xlsx"), read[0])
            self.files.append(path.name)
            self._rows(stem, path, rows)
        if self.manifest is not None:
            for sheet in self.manifest.get("sheets", []):
                if sheet["name"] not in stems:
                    self.problems.append({"kind": "not_returned", "file": f"{sheet['name']}.xlsx", "sheet": None,
                                          "row": None, "column": None, "city_id": None, "indicator_id": None,
                                          "message": "not returned (neither the XLSX nor its CSV twin is here)"})
                else:
                    self._missing_rows(sheet)
        self.problems.sort(key=_place_key)
        self.gaps.sort(key=_place_key)

    def _missing_rows(self, sheet) -> None:
        """Rows handed out to a collector that their returned sheet no longer has."""
        by = self.manifest.get("by", "indicator")
        have = {(e["city_id"], e["indicator_id"]) for e in self.entries if e["stem"] == sheet["name"]}
        have |= {(g["city_id"], g["indicator_id"]) for g in self.gaps if g["stem"] == sheet["name"]}
        file = next((f for f in self.files if Path(f).stem == sheet["name"]), f"{sheet['name']}.xlsx")
        for group in sheet.get("groups", []):
            for c in self.spec.cities:
                for ind in self.wanted:
                    if (by == "indicator" and ind != group) or (by == "country" and (c.country or "no country") != group):
                        continue
                    if (c.id, ind) not in have:
                        self.gaps.append({"file": file, "sheet": None, "row": None, "city_id": c.id, "indicator_id": ind,
                                          "stem": sheet["name"], "message": "the row is missing from the sheet"})

    def _problem(self, row, column: str | None, kind: str, message: str, city=None, indicator=None) -> None:
        self.problems.append({"kind": kind, **row.place(), "column": column, "city_id": city, "indicator_id": indicator,
                              "message": message})

    def _rows(self, stem: str, path: Path, rows) -> None:
        seen = {(e["city_id"], e["indicator_id"], e["collector"]): e for e in self.entries}
        for row in rows:
            city, ind = _nfc(row["city_id"]), _nfc(row["indicator_id"])
            if not row.filled():
                if city in self.cities and ind in self.wanted:
                    self.gaps.append({**row.place(), "city_id": city, "indicator_id": ind, "stem": stem,
                                      "message": "no value and no note"})
                continue
            if city not in self.cities:
                self._problem(row, "city_id", "unknown_city", f"{city!r} is not a city of {self.spec.id}"
                              f"{_did_you_mean(city, self.cities)}", city or None, ind or None)
                continue
            if ind not in self.wanted:
                known = "is not one of this collection's indicators" if ind in self.indicators else \
                    f"is not an indicator of {self.spec.id}{_did_you_mean(ind, self.indicators)}"
                self._problem(row, "indicator_id", "unknown_indicator", f"{ind!r} {known}", city, ind or None)
                continue
            collector = _nfc(row["collector"]) or stem
            entry = {**row.place(), "stem": stem, "city_id": city, "indicator_id": ind, "collector": collector,
                     "value_text": row["value"], "value": None,
                     **{k: row[k] for k in ("source_title", "source_url", "language", "published", "page_or_quote",
                                            "note")}, "valid": True}
            first = seen.get((city, ind, collector))
            if first is not None:
                self._problem(row, "indicator_id", "twice", f"{city} × {ind} is filled twice by {collector} "
                              f"(first in {first['file']}, row {first['row']})", city, ind)
                continue
            seen[(city, ind, collector)] = entry
            self._check_entry(row, entry)
            self.entries.append(entry)

    def _check_entry(self, row, e) -> None:
        city, ind = e["city_id"], e["indicator_id"]
        where = {"city": city, "indicator": ind}
        if e["value_text"]:
            try:
                e["value"] = _value(e["value_text"], self.indicators[ind])
            except ValueError as exc:
                self._problem(row, "value", "bad_value", str(exc), **where)
                e["valid"] = False
            if not e["source_url"]:
                self._problem(row, "source_url", "no_source", "a value without a source URL", **where)
            if not e["published"]:
                self._problem(row, "published", "no_date", "a value without the source's date of publication", **where)
        if e["source_url"] and not _URL.match(e["source_url"]):
            self._problem(row, "source_url", "bad_url", f"not a web address: {e['source_url']!r} (write http://… or "
                          "https://…)", **where)
            e["valid"] = False
        if e["published"]:
            date = _date(e["published"])
            if date is None:
                self._problem(row, "published", "bad_date", f"not a date: {e['published']!r} (write YYYY-MM-DD, "
                              "YYYY-MM or YYYY)", **where)
                e["valid"] = False
            elif date > self.today:
                self._problem(row, "published", "future_date", f"{e['published']} is in the future", **where)
                e["valid"] = False
            elif isinstance(self.year, int) and date.year > self.year:
                self._problem(row, "published", "after_edition_year", f"{e['published']} is after the edition's year "
                              f"({self.year}): a source of that time is needed", **where)
                e["valid"] = False
        if e["language"]:
            from .formats.languages import language_code

            code = language_code(_nfc(e["language"]))
            if code is None:
                self._problem(row, "language", "bad_language", f"{e['language']!r} is not an ISO 639-1 language code "
                              "(two letters: ar, en, zh, ru …)", **where)
                e["valid"] = False
            else:
                e["language"] = code

    # cells: the entries of a (city, indicator), compared
    def cells(self) -> dict[tuple[str, str], list[dict]]:
        """Entries by (city, indicator), in the edition's order, each cell's by collector."""
        out: dict[tuple[str, str], list[dict]] = {}
        order = {c: k for k, c in enumerate(self.cities)}
        for e in sorted(self.entries, key=lambda e: (order[e["city_id"]], self.wanted.index(e["indicator_id"]),
                                                     e["collector"], e["file"], e["row"])):
            out.setdefault((e["city_id"], e["indicator_id"]), []).append(e)
        return out


def _place_key(p: dict):
    return (p["file"], p.get("sheet") or "", p["row"] if p["row"] is not None else 10**12, p.get("column") or "")


def _read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"cannot read it: {exc}", file=path) from None
    ok = (isinstance(doc.get("edition"), str) and isinstance(doc.get("indicators"), list)
          and all(isinstance(i, str) for i in doc["indicators"]) and doc.get("by", "indicator") in BY
          and all(isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("groups", []), list)
                  for s in doc.get("sheets", [])))
    if not ok:
        raise SpecError("expected edition, indicators, by and [[sheets]] tables with name and groups "
                        "(as cityrank data sheets writes it)", file=path)
    return doc


def _value(text: str, ind) -> float:
    """A collected value: a number, or for a ladder a level's number (0 … L) or label ("none" = 0)."""
    from .formats.datafile import TRANSFORM_DOMAIN

    label = _nfc(text).lower()
    if ind.levels:
        labels = [_nfc(x).lower() for x in ind.levels]
        if label in labels:
            return float(labels.index(label) + 1)
        if label == "none":
            return 0.0
    if label in MISSING:
        raise ValueError(f"{text!r} is not a value: leave the cell empty and say why in note")
    try:
        value = parse_number(text, file=None, row=None, column=None, error=DataError, allow_missing=False)
    except DataError as exc:
        raise ValueError(exc.message + (f"; or one of the levels: {', '.join(ind.levels)}" if ind.levels else "")) \
            from None
    if ind.levels and not (value == int(value) and 0 <= value <= len(ind.levels)):
        raise ValueError(f"{text!r} is not a level of {ind.id}: 0 to {len(ind.levels)}, or a level's label")
    if ind.transform:
        ok, wanted = TRANSFORM_DOMAIN[ind.transform]
        if not ok(value):
            raise ValueError(f"{text!r} is out of range: {ind.id} takes {wanted} values ({ind.transform} transform)")
    return value


def _date(text: str) -> datetime.date | None:
    """The first day of a YYYY-MM-DD, YYYY-MM or YYYY date; None when it is not one."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


# --- agreement -------------------------------------------------------------------------------


def cohen_kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa of two raters' categories over the same items: (p_o − p_e) / (1 − p_e),
    p_e from each rater's own category shares (Cohen 1960). None when undefined (p_e = 1)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((list(a).count(c) / n) * (list(b).count(c) / n) for c in set(a) | set(b))
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def relative_difference(x: float, y: float) -> float:
    """|x − y| / max(|x|, |y|): 0 for equal values, 1 when one is 0 and the other not."""
    top = max(abs(x), abs(y))
    return 0.0 if top == 0 else abs(x - y) / top


def _pairs(cells) -> list[tuple[dict, dict]]:
    """Every two entries of a cell by different collectors with a valid value (by collector order)."""
    out = []
    for entries in cells.values():
        valued = [e for e in entries if e["value"] is not None and e["valid"]]
        for k, a in enumerate(valued):
            out += [(a, b) for b in valued[k + 1:] if b["collector"] != a["collector"]]
    return out


def _agreement(pairs, ladder: bool) -> dict:
    n = len(pairs)
    agree = sum(a["value"] == b["value"] for a, b in pairs)
    out = {"pairs": n, "agreeing": agree, "agreement": agree / n if n else None}
    if ladder:
        out["kappa"] = cohen_kappa([a["value"] for a, _ in pairs], [b["value"] for _, b in pairs])
    else:
        diffs = [relative_difference(a["value"], b["value"]) for a, b in pairs]
        out["mean_relative_difference"] = sum(diffs) / n if n else None
        out["max_relative_difference"] = max(diffs) if n else None
    return out


# --- statuses --------------------------------------------------------------------------------


def _sourced(e: dict) -> bool:
    return bool(e["source_url"] and e["published"])


def cell_status(entries: list[dict]) -> tuple[str, dict | None, list[str], str]:
    """A cell's status, the entry whose value and source it takes, who verified it, and why:
    verified (two or more collectors agree, each with a source URL and date), collected (one
    sourced entry, none disagreeing), disputed (entries disagree), unsourced (no entry with a
    URL and date), missing (no value; the collectors' notes say why)."""
    valued = [e for e in entries if e["value"] is not None and e["valid"]]
    if not valued:
        return "missing", None, [], ""
    if len({e["value"] for e in valued}) > 1:
        said = "; ".join(f"{e['collector']} ({e['file']}, row {e['row']}): {e['value_text']}" for e in valued)
        return "disputed", None, [], f"left out, the entries disagree: {said}"
    sourced = [e for e in valued if _sourced(e)]
    if not sourced:
        return "unsourced", None, [], "left out: no entry gives a source URL and date"
    first = sourced[0]
    others = sorted({e["collector"] for e in sourced[1:]} - {first["collector"]})
    return ("verified" if others else "collected"), first, others, ""


# --- check and merge -------------------------------------------------------------------------


class Check:
    """What ``cityrank data check`` reports: :attr:`problems`, :attr:`disagreements`,
    :attr:`gaps` (each located by file, sheet, row and column), :attr:`agreement` per indicator
    and per collector, :attr:`statuses` per indicator. :attr:`open` counts what is left to do."""

    def __init__(self, round_: Round):
        self.round = round_
        cells = round_.cells()
        self.problems = round_.problems
        self.gaps = [{k: v for k, v in g.items() if k != "stem"} for g in round_.gaps]
        self.disagreements = []
        for (city, ind), entries in cells.items():
            valued = [e for e in entries if e["value"] is not None and e["valid"]]
            if len({e["value"] for e in valued}) > 1:
                item = {"city_id": city, "indicator_id": ind,
                        "entries": [_public(e, round_.indicators[ind]) for e in valued]}
                if not round_.indicators[ind].levels:
                    values = [e["value"] for e in valued]
                    item["relative_difference"] = relative_difference(min(values), max(values))
                self.disagreements.append(item)
        pairs = _pairs(cells)
        self.agreement = {"indicators": {}, "collectors": {}}
        for ind in round_.wanted:
            mine = [p for p in pairs if p[0]["indicator_id"] == ind]
            self.agreement["indicators"][ind] = _agreement(mine, bool(round_.indicators[ind].levels))
        for who in sorted({e["collector"] for p in pairs for e in p}):
            mine = [p if p[0]["collector"] == who else (p[1], p[0]) for p in pairs if who in (p[0]["collector"],
                                                                                               p[1]["collector"])]
            agree = sum(a["value"] == b["value"] for a, b in mine)
            self.agreement["collectors"][who] = {
                "pairs": len(mine), "agreeing": agree, "agreement": agree / len(mine),
                "indicators": {ind: _agreement([p for p in mine if p[0]["indicator_id"] == ind],
                                               bool(round_.indicators[ind].levels))
                               for ind in round_.wanted if any(p[0]["indicator_id"] == ind for p in mine)}}
        self.statuses = {ind: dict.fromkeys(STATUSES, 0) for ind in round_.wanted}
        for (_, ind), entries in cells.items():
            self.statuses[ind][cell_status(entries)[0]] += 1

    @property
    def open(self) -> int:
        return len(self.problems) + len(self.disagreements) + len(self.gaps)

    @property
    def exit_code(self) -> int:
        """1 while anything is open (a problem, a disagreement, a gap), else 0."""
        return 1 if self.open else 0

    def to_dict(self) -> dict:
        r = self.round
        return {"edition": r.spec.id, "folder": str(r.folder), "files": r.files, "indicators": r.wanted,
                "entries": len(r.entries), "open": self.open, "problems": self.problems,
                "disagreements": self.disagreements, "gaps": self.gaps, "agreement": self.agreement,
                "statuses": self.statuses}


def _public(e: dict, ind) -> dict:
    """An entry as check shows it: where it is, who, the value as written and as read (with a
    ladder's level label), its source."""
    out = {k: e[k] for k in ("file", "sheet", "row", "collector")}
    out["text"], out["value"] = e["value_text"], e["value"]
    if ind.levels and e["value"] is not None:
        out["level"] = "none" if e["value"] == 0 else ind.levels[int(e["value"]) - 1]
    out.update({k: e[k] for k in ("source_title", "source_url", "language", "published", "page_or_quote", "note")})
    return out


def check(folder, *, edition=None, today: datetime.date | None = None) -> Check:
    """Read a folder of returned sheets and check them (see :class:`Check`). ``edition``
    overrides the one ``collection.toml`` names (needed without it)."""
    return Check(Round(folder, edition, today))


PROVENANCE_COLUMNS = ("city_id", "indicator_id", "value", "status", "source_title", "source_url", "language",
                      "published", "page_or_quote", "collector", "verified_by", "note")


class Merged:
    """The data file and its provenance, as text; :attr:`counts` of each status."""

    def __init__(self, data: str, provenance: str, counts: dict[str, int], left_out: list[dict]):
        self.data, self.provenance, self.counts, self.left_out = data, provenance, counts, left_out


def provenance_path(output) -> Path:
    """Where the provenance of ``data.csv`` goes: ``data.provenance.csv`` beside it."""
    output = Path(output)
    return output.with_name(f"{output.stem}.provenance.csv")


def merged(folder, *, edition=None, today: datetime.date | None = None) -> Merged:
    """The merge of a folder of returned sheets, without writing it (see :func:`merge`)."""
    from .formats.output import csv_text

    round_ = Round(folder, edition, today)
    blocking = [p for p in round_.problems if p["kind"] not in (*UNSOURCED, "not_returned")]
    if blocking:
        p = blocking[0]
        where = ", ".join(x for x in (p["file"], p["sheet"] and f"sheet {p['sheet']!r}",
                                      p["row"] and f"row {p['row']}", p["column"] and f"column {p['column']!r}") if x)
        raise DataError(f"{len(blocking)} problem(s) in the sheets that merge cannot settle (first: {where}: "
                        f"{p['message']}); run cityrank data check", file=round_.folder)
    cells = round_.cells()
    values: dict[tuple[str, str], float] = {}
    rows, counts, left_out = [], dict.fromkeys(STATUSES, 0), []
    for (city, ind), entries in cells.items():
        status, chosen, others, why = cell_status(entries)
        counts[status] += 1
        notes = [f"{e['collector']}: {e['note']}" for e in entries if e["note"]]
        note = "; ".join(x for x in [why, *notes] if x)
        if chosen is not None:
            values[(city, ind)] = chosen["value"]
        else:
            if status != "missing":
                left_out.append({"city_id": city, "indicator_id": ind, "status": status, "note": why})
        src = chosen or {}
        rows.append([city, ind, _number(chosen["value"]) if chosen else "", status,
                     *(src.get(k, "") for k in ("source_title", "source_url", "language", "published",
                                                 "page_or_quote", "collector")),
                     "; ".join(others), note])
    data_rows = [[c.id, *(_number(values[(c.id, i)]) if (c.id, i) in values else "" for i in round_.wanted)]
                 for c in round_.spec.cities]
    return Merged(csv_text(["city_id", *round_.wanted], data_rows), csv_text(list(PROVENANCE_COLUMNS), rows),
                  counts, left_out)


def merge(folder, output=None, *, edition=None, force: bool = False, today: datetime.date | None = None) -> Merged:
    """Merge a folder of returned sheets into the data file ``run --data`` reads and a
    provenance file beside it (``data.provenance.csv``: one row per value, its source,
    collector, verifier and status). A disputed or unsourced value is left out, with a note;
    a problem merge cannot settle is an error, and nothing is written. Both files are written
    whole or neither; the same sheets give the same bytes."""
    from .formats.atomic import refuse_existing, write_all

    out = None if output is None else Path(output)
    if out is not None:  # before any work
        refuse_existing(out, force)
        refuse_existing(provenance_path(out), force)
    result = merged(folder, edition=edition, today=today)
    if out is not None:
        write_all({out: result.data, provenance_path(out): result.provenance}, force=force)
    return result


def _number(value: float) -> str:
    """A value as data.csv holds it: whole numbers without a decimal point, others exactly."""
    return str(int(value)) if value == int(value) and abs(value) < 2**53 else repr(value)
