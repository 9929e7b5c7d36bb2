"""``cityrank experts check|combine``: an AHP panel's matrices, one CSV per expert."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CityrankError, SpecError
from .common import (
    PRIORITISATION_OPTION,
    FiniteFloat,
    WholeNumber,
    emit,
    format_option,
    noted,
    output_option,
    write_folder,
)


@click.group()
def experts():
    """Check and combine an expert panel's pairwise-comparison matrices (CSV: ,a,b,c / a,1,3,1/5 …)."""


@experts.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@PRIORITISATION_OPTION
@format_option
@output_option
def check(files, prioritisation, fmt, output, force):
    """Per expert: missing pairs, consistency ratio (Saaty; Alonso–Lamata), the most inconsistent
    triads, and for an inconsistent matrix the judgments whose revision brings CR under 0.10."""
    from ..experts import check as check_panel
    from ..formats.output import to_json_text

    found = noted(check_panel, files, prioritisation=prioritisation)
    reports = found["experts"]
    if found["kind"] == "budget":
        return _check_budget(found, fmt, output)
    if fmt == "json":
        return emit(to_json_text({"items": found["items"], "experts": reports}), output)
    lines = []
    for r in reports:
        verdict = "consistent" if r["consistent"] else "INCONSISTENT"
        lines.append(f"{r['expert']}: CR {r['cr']:.3f} (Alonso–Lamata {r['cr_alonso_lamata']:.3f}), {verdict}, "
                     f"{r['missing_pairs']} pair(s) not judged")
        for t in r["triads"][:1]:
            if t["index"] > 0.1:
                lines.append(f"  most inconsistent triad: {' – '.join(t['items'])} (Koczkodaj {t['index']:.2f})")
        for v in r["revisions"]:
            a, b = v["pair"]
            lines.append(f"  revise {a} vs {b}: {_ratio(v['from'])} → {_ratio(v['to'])} (CR then {v['cr_after']:.3f})")
    emit("\n".join(lines) + "\n", output)


def _check_budget(found, fmt, output):
    from ..formats.output import to_json_text

    reports, total = found["experts"], found["total"]
    if fmt == "json":
        return emit(to_json_text({"items": found["items"], "total": total, "experts": reports}), output)
    lines = [f"{r['expert']}: {r['sum']:g} points" + ("" if r["sums_to_total"] else f" — NOT {total:g}; ask again")
             for r in reports]
    emit("\n".join(lines) + "\n", output)


def _ratio(v: float) -> str:
    return f"{v:g}" if v >= 1 else f"1/{1 / v:g}"


@experts.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--method", type=click.Choice(["aij", "aip"]), default="aij", show_default=True,
              help="aij: geometric mean of the judgments, then priorities; aip: geometric mean of each expert's priorities.")
@click.option("--expert-weights", "expert_weights", type=click.Path(dir_okay=False),
              help="CSV expert,weight (expert = the file's name): a weighted geometric mean.")
@click.option("--exclude-cr", type=FiniteFloat(min=0, min_open=True), help="Leave out experts whose CR is above this.")
@click.option("--node", default="NODE", show_default=True, help="The node the judgments are about (for the TOML).")
@click.option("--into", type=click.Path(exists=True),
              help="An edition folder (or its edition.toml) to add the [[experts.ahp]] table to (needs --node).")
@PRIORITISATION_OPTION
@format_option
@output_option
def combine(files, method, expert_weights, exclude_cr, node, into, prioritisation, fmt, output, force):
    """The panel's weights, with Kendall's W and each expert's geometric consensus index;
    -o FILE.csv writes id,weight (for --weights), -o FILE.toml an [[experts.ahp]] table, and
    --into EDITION adds that table to the edition (checked by loading it before it is kept;
    --force replaces the table the edition has for the node)."""
    from ..experts import combine as combine_panel
    from ..formats.output import csv_text, to_json_text

    found = noted(combine_panel, files, method=method, expert_weights=expert_weights, exclude_cr=exclude_cr,
                          prioritisation=prioritisation)
    if found["kind"] == "budget":
        return _combine_budget(files, found, node, into, fmt, output, force)
    items, w, keep, e = found["items"], found["weights"], found["kept"], found["expert_weights"]
    data = {k: found[k] for k in ("items", "method", "prioritisation", "weights", "experts", "left_out", "kendall_w",
                                  "consensus_gcci")}
    consensus = data["consensus_gcci"]
    reports = found["reports"]
    weighted = expert_weights is not None and len(set(e)) > 1

    def table(paths) -> str:
        quoted = ", ".join(_toml_string(p) for p in paths)
        return (f"# {method.upper()} of {len(keep)} experts; Kendall's W {_w_text(data['kendall_w'])} (cityrank experts combine)\n"
                f"[[experts.ahp]]\nnode = {_toml_string(node)}\nitems = [{', '.join(_toml_string(i) for i in items)}]\n"
                f"files = [{quoted}]\n" + (f'aggregation = "{method}"\n' if method != "aij" else "")
                + (f'prioritisation = "{prioritisation}"\n' if prioritisation != "eigenvector" else "")
                + (f"expert_weights = [{', '.join(repr(float(v)) for v in e)}]\n" if weighted else ""))

    if into:
        return _add_to_edition(Path(into), node, lambda folder: table(
            [Path(_relative(files[k], folder)).as_posix() for k in keep]), force=force)
    if output and output.endswith(".toml"):
        return emit(table([reports[k]["expert"] for k in keep]), output)
    if output and output.endswith(".csv"):
        return emit(csv_text(["id", "weight"], [[i, repr(float(v))] for i, v in w.items()]), output)
    if fmt == "json":
        return emit(to_json_text(data), output)
    lines = [f"{method.upper()} of {len(keep)} expert(s)" + (f" ({len(data['left_out'])} left out)" if data["left_out"] else ""),
             f"Kendall's W (agreement of the experts' orders): {_w_text(data['kendall_w'])}", "", "weights:"]
    lines += [f"  {i:<20} {v:.4f}" for i, v in data["weights"].items()]
    lines += ["", "consensus (GCCI, 0 = the group's priorities exactly):"]
    lines += [f"  {Path(k).name:<20} {v:.4f}" for k, v in consensus.items()]
    emit("\n".join(lines) + "\n", output)


def _combine_budget(files, found, node, into, fmt, output, force):
    """Budget sheets: the mean shares (the ``budget`` weighting), their spread, Kendall's W."""
    from ..formats.output import csv_text, to_json_text

    labels, w = found["experts"], found["weights"]
    data = {k: found[k] for k in ("items", "method", "weights", "sd", "experts", "kendall_w")}
    listed = [str(f) for f in files]

    def table_text(paths) -> str:
        return (f"# budget allocation of {len(labels)} experts; Kendall's W {_w_text(data['kendall_w'])} (cityrank experts combine)\n"
                f"[[experts.budget]]\nnode = {_toml_string(node)}\nfiles = [{', '.join(_toml_string(p) for p in paths)}]\n")

    if into:
        return _add_to_edition(Path(into), node, lambda folder: table_text(
            [Path(_relative(f, folder)).as_posix() for f in files]), kind="budget", force=force)
    if output and output.endswith(".toml"):
        return emit(table_text(listed), output)
    if output and output.endswith(".csv"):
        return emit(csv_text(["id", "weight"], [[i, repr(float(v))] for i, v in w.items()]), output)
    if fmt == "json":
        return emit(to_json_text(data), output)
    lines = [f"budget allocation of {len(labels)} expert(s)",
             f"Kendall's W (agreement of the experts' orders): {_w_text(data['kendall_w'])}", "", "weights (sd):"]
    lines += [f"  {i:<20} {v:.4f} ({data['sd'][i]:.4f})" for i, v in data["weights"].items()]
    emit("\n".join(lines) + "\n", output)


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _relative(path, folder: Path) -> str:
    import os

    return os.path.relpath(Path(path).resolve(), folder.resolve())


def _add_to_edition(into: Path, node: str, table, kind: str = "ahp", force: bool = False) -> None:
    """Append ``table(folder)`` to the edition's edition.toml, once loading the result works;
    with ``force`` an expert table the edition already has for the node is replaced (cut out
    of the file's text, the rest kept as it is, comments included)."""
    from ..formats.output import write_atomic
    from ..formats.spec import expert_judgments, load_edition

    path = into / "edition.toml" if into.is_dir() else into
    if node == "NODE":
        raise CityrankError("--into needs --node: the node whose children the experts compared")
    edition = load_edition(path, with_data=False)
    text = path.read_text(encoding="utf-8-sig")
    replaced = any(t.get("node") == node for k in ("ahp", "budget") for t in edition.experts.get(k, ()))
    if replaced and not force:
        raise CityrankError(f"the edition already has an expert table for node {node!r}; give --force to replace it",
                            file=path)
    if replaced:
        text = _without_expert_table(text, node, path).rstrip() + "\n"
    text = text + ("" if text.endswith("\n") else "\n") + "\n" + table(path.parent)
    trial = path.with_name(f".{path.name}.trial")
    try:
        trial.write_text(text, encoding="utf-8")
        expert_judgments(load_edition(trial, with_data=False))  # the table fits: node, items, files
    except SpecError as exc:
        raise CityrankError("the table does not fit the edition: " + str(exc).replace(str(trial), str(path))) from None
    except OSError as exc:  # the edition's folder cannot be written
        raise CityrankError(f"cannot write beside the edition: {exc.strerror or exc}", file=path) from None
    finally:
        trial.unlink(missing_ok=True)
    write_atomic(path, text, force=True)
    click.echo(f"{'replaced' if replaced else 'added'} [[experts.{kind}]] for {node!r} {'in' if replaced else 'to'} {path}",
               err=True)


#: a TOML table header line: [name] or [[name]] (keys bare or quoted), an optional comment
_HEADER = r"""^[ \t]*\[\[?[ \t]*[A-Za-z0-9_\-."' \t]+\]\]?[ \t]*(#.*)?$"""


def _without_expert_table(text: str, node: str, path: Path) -> str:
    """``text`` without its ``[[experts.ahp]]`` or ``[[experts.budget]]`` table for ``node``
    (and the comment line ``experts combine`` wrote above it). The cut is checked: the rest
    must parse to the same document less that table; else the edition is left to the user."""
    import re
    import tomllib

    lines = text.splitlines(keepends=True)
    headers = [k for k, line in enumerate(lines) if re.match(_HEADER, line.rstrip("\r\n"))]
    cut = None
    for start, end in zip(headers, [*headers[1:], len(lines)], strict=True):
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # comments and blank lines before the next header belong to it
        try:
            block = tomllib.loads("".join(lines[start:end]))
        except tomllib.TOMLDecodeError:
            continue
        tables = block.get("experts", {})
        kinds = list(tables)
        if kinds in (["ahp"], ["budget"]) and [t.get("node") for t in tables[kinds[0]]] == [node]:
            if start and lines[start - 1].lstrip().startswith("#") and "(cityrank experts combine)" in lines[start - 1]:
                start -= 1
            cut = (start, end)
            break
    old = tomllib.loads(text)
    if cut is not None:
        rest = "".join(lines[:cut[0]] + lines[cut[1]:])
        try:
            left = tomllib.loads(rest)
            ok = _tables_for(old, node) == 1 and _tables_for(left, node) == 0 and left == _less_node(old, node)
        except tomllib.TOMLDecodeError:
            ok = False
        if ok:
            return rest
    raise CityrankError(f"the expert table for node {node!r} could not be cut out of the file exactly; "
                        "remove it by hand and run again", file=path)


def _less_node(doc: dict, node: str) -> dict:
    """The document without its expert tables for ``node`` (empty arrays and tables dropped)."""
    doc = dict(doc)
    experts = {k: [t for t in v if not (isinstance(t, dict) and t.get("node") == node)] if k in ("ahp", "budget") else v
               for k, v in doc.get("experts", {}).items()}
    experts = {k: v for k, v in experts.items() if v != []}
    doc.pop("experts", None)
    if experts:
        doc["experts"] = experts
    return doc


def _tables_for(doc: dict, node: str) -> int:
    return sum(isinstance(t, dict) and t.get("node") == node
               for k in ("ahp", "budget") for t in doc.get("experts", {}).get(k, ()))


@experts.command()
@click.argument("edition")
@click.option("--node", help="Whose children the experts compare (default: the index).")
@click.option("--experts", "count", type=WholeNumber(min=1, max=500), required=True, help="How many experts.")
@click.option("--kind", type=click.Choice(["ahp", "budget"]), default="ahp", show_default=True)
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False), required=True, help="A folder to write into.")
@click.option("--force", is_flag=True, help="Overwrite existing questionnaires.")
def questionnaire(edition, node, count, kind, folder, force):
    """One questionnaire per expert: every pair of a node's children on Saaty's 1–9 scale (XLSX
    with a drop-down and instructions, and CSV), or a budget-allocation sheet (XLSX and CSV).
    Answered AHP files go to `cityrank experts check` and `combine` as they are; budget
    sheets to an edition's ``[[experts.budget]]`` table as ``files = [...]``."""
    from .common import load

    files = load(edition).questionnaires(node=node, experts=count, kind=kind)
    write_folder(Path(folder), files, force, f" ({count} experts, {kind})")


COMMANDS = [experts]


def _w_text(w: float | None) -> str:
    return "undefined (every expert ties every item)" if w is None else f"{w:.3f}"
