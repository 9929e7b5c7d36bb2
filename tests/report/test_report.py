"""The HTML report in a real headless browser, XLSX export and charts."""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil

import numpy as np
import pytest

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"
EVIL = "<script>alert(1)</script> & Co"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def evil_edition(tmp_path):
    folder = tmp_path / "ed"
    shutil.copytree(TINY, folder)
    cities = folder / "cities.csv"
    cities.write_text(cities.read_text().replace("lis,Lisbon,", f'lis,"{EVIL}",'))
    toml = folder / "edition.toml"  # a domain name that would end the page's data script
    toml.write_text(toml.read_text().replace('name = "Digital infrastructure"', 'name = "</script><script>alert(2)</script>"'))
    return folder


def test_report_escapes_data_and_is_self_contained(fresh_cli, evil_edition, tmp_path):
    out = tmp_path / "report.html"
    result = fresh_cli("report", evil_edition, "-o", out, "--samples", "200")
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert" not in html
    import re

    assert not re.search(r'src\s*=\s*"(https?:)?//|<link[^>]+href\s*=\s*"(https?:)?//', html)  # nothing loaded from a network
    assert html.count("</script>") == html.count("<script")  # the data cannot end its script element
    assert 'id="ranking"' in html and "rank interval" in html
    assert html.count("Rank interval over the Monte Carlo") == 5  # in every city's profile
    # an existing report is kept unless --force
    again = fresh_cli("report", evil_edition, "-o", out)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert fresh_cli("report", evil_edition, "-o", out, "--force").exit_code == 0


@contextlib.contextmanager
def _chromium():
    """A headless Chromium browser, or the test is skipped (no Chromium, no Playwright,
    or a Chromium that does not start on this machine)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        except Exception as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"Chromium does not start here: {exc}")
        try:
            yield browser
        finally:
            browser.close()


def test_report_in_headless_chromium(fresh_cli, evil_edition, tmp_path):
    out = tmp_path / "report.html"
    assert fresh_cli("report", evil_edition, "-o", out).exit_code == 0
    ranking = json.loads(fresh_cli("run", evil_edition, "--format", "json").stdout)["cities"]
    with _chromium() as browser:
        page = browser.new_page()
        errors, dialogs = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(out.as_uri())
        names = lambda: page.eval_on_selector_all("#ranking tbody tr td.city", "cells => cells.map(c => c.textContent)")  # noqa: E731
        assert names() == [c["name"] for c in ranking]
        assert EVIL in names()
        # the columns: Rank, Change, City, Country, Score, Tier, the domains
        page.click("#ranking th:nth-child(3)")  # City: ascending
        assert names() == sorted(names(), key=str.lower)
        assert page.get_attribute("#ranking th:nth-child(3)", "aria-sort") == "ascending"
        page.click("#ranking th:nth-child(5)")  # Score: best first, then the other way
        assert names() == [c["name"] for c in ranking]
        assert page.get_attribute("#ranking th:nth-child(5)", "aria-sort") == "descending"
        page.click("#ranking th:nth-child(5)")
        assert names() == [c["name"] for c in ranking][::-1]
        page.click("#ranking th:nth-child(6)")  # Tier: in tier order, the top tier first
        tiers = page.eval_on_selector_all("#ranking tbody tr td:nth-child(6)", "cells => cells.map(c => c.textContent)")
        order = ["top 10%", "10–30%", "30–60%", "60–100%", ""]
        assert [order.index(t) for t in tiers] == sorted(order.index(t) for t in tiers)
        assert page.locator("figure svg").count() >= 2
        assert page.locator("details.profile:visible").count() == 0  # profiles on demand
        page.click("#ranking a.city >> text=Berlin")
        page.wait_for_selector("#profile-ber", state="visible", timeout=10_000)  # opened on the hash change
        assert page.locator("details.profile:visible").count() == 1
        assert page.locator("#profile-ber").is_visible() and not page.locator("#profile-ams").is_visible()
        page.fill("#find", "nor")  # a search by name or country: Oslo (NOR)
        visible = page.eval_on_selector_all("#ranking tbody tr:not([hidden]) td.city", "c => c.map(x => x.textContent)")
        assert visible == ["Oslo"]
        page.fill("#find", "")
        assert page.locator("#ranking tbody tr:not([hidden])").count() == len(ranking)
    assert errors == [] and dialogs == []


def test_xlsx_export(fresh_cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert fresh_cli("run", TINY, "--format", "xlsx", "-o", a).exit_code == 0
    assert fresh_cli("run", TINY, "--format", "xlsx", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    rows = list(openpyxl.load_workbook(a)["Ranking"].values)
    cities = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)["cities"]
    assert [r[1] for r in rows[1:]] == [c["id"] for c in cities]
    assert [r[4] for r in rows[1:]] == pytest.approx([c["score"] for c in cities], rel=1e-14)
    assert fresh_cli("run", TINY, "--format", "xlsx").exit_code == 2  # needs -o
    assert fresh_cli("run", TINY, "--format", "xlsx", "-o", a).exit_code == 2  # exists, no --force


@pytest.mark.parametrize("kind", ["bar", "heatmap", "map", "intervals"])
def test_plots(fresh_cli, tmp_path, kind):
    svg, png = tmp_path / f"{kind}.svg", tmp_path / f"{kind}.png"
    assert fresh_cli("plot", TINY, "--kind", kind, "-o", svg, "--samples", "100").exit_code == 0
    assert fresh_cli("plot", TINY, "--kind", kind, "-o", png, "--samples", "100").exit_code == 0
    assert svg.read_text().lstrip().startswith("<?xml") and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = tmp_path / f"{kind}2.svg"
    fresh_cli("plot", TINY, "--kind", kind, "-o", again, "--samples", "100")
    assert again.read_bytes() == svg.read_bytes()


def test_plot_errors(fresh_cli, tmp_path):
    assert fresh_cli("plot", TINY, "--kind", "bar", "-o", tmp_path / "x.gif").exit_code == 2
    bad = tmp_path / "ua.json"
    bad.write_text("{not json")
    result = fresh_cli("plot", TINY, "--kind", "intervals", "--uncertainty", bad, "-o", tmp_path / "i.png")
    assert result.exit_code == 2 and "ua.json" in result.stderr


def test_xlsx_reads_as_a_spreadsheet(fresh_cli, tmp_path):
    """Frozen header, filters, rounded display, full-precision cells, a raw-values sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    assert fresh_cli("run", TINY, "--format", "xlsx", "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    ranking = book["Ranking"]
    assert ranking.freeze_panes == "A2" and ranking.auto_filter.ref == ranking.dimensions
    score = ranking.cell(row=2, column=5)
    data = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)
    assert score.number_format == "0.00" and score.value == data["cities"][0]["score"]
    assert ranking.column_dimensions["C"].width >= len("Amsterdam")
    assert {"Raw values", "Normalised scores"} <= set(book.sheetnames)


def test_build_your_own_index_equals_the_cli(fresh_cli, tmp_path):
    """The page's sliders recompute what `cityrank run --weights` computes: same scores (to
    rounding), ranks and tiers, with arithmetic (index, digital) and geometric (traditional)
    means; the weights travel in the address; reset brings the edition's back."""
    out = tmp_path / "report.html"
    assert fresh_cli("report", TINY, "-o", out).exit_code == 0
    weights = {"digital": 0.4, "speed": 3.0, "transit": 0.25}
    w = tmp_path / "w.csv"
    w.write_text("id,weight\n" + "".join(f"{k},{v}\n" for k, v in weights.items()))
    want = {c["id"]: c for c in json.loads(fresh_cli("run", TINY, "--weights", w, "--format", "json").stdout)["cities"]}
    nominal = {c["id"]: c for c in json.loads(fresh_cli("run", TINY, "--format", "json").stdout)["cities"]}
    with _chromium() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        def table():
            return page.eval_on_selector_all("#ranking tbody tr", """rows => rows.map(r => ({
                id: r.getAttribute('data-city'), rank: r.querySelector('td.rank').getAttribute('data-value'),
                score: r.querySelector('td.score').getAttribute('data-value'), tier: r.querySelector('td.tier-cell').textContent,
                traditional: r.querySelector('td.dom[data-node=traditional]').getAttribute('data-value')}))""")

        page.goto(out.as_uri() + "#w=" + ",".join(f"{k}:{v}" for k, v in weights.items()))
        rows = table()
        assert [r["id"] for r in rows] == list(want)  # in rank order
        for r in rows:
            c = want[r["id"]]
            assert float(r["score"]) == pytest.approx(c["score"], rel=1e-9)
            assert int(r["rank"]) == c["rank"] and r["tier"] == (c["tier"] or "")
            assert float(r["traditional"]) == pytest.approx(c["domains"]["traditional"]["score"], rel=1e-9)
        page.click("#reset")
        assert [r["id"] for r in table()] == list(nominal) and "#w=" not in page.url
        page.fill("#weights input[data-id=digital]", "2.5")  # a slider moved by hand: the address follows
        page.dispatch_event("#weights input[data-id=digital]", "input")
        assert "#w=digital:2.5" in page.url
    assert errors == []


def test_topojson_arcs_are_delta_decoded():
    from cityrank.formats.outlines import arcs

    topo = {"transform": {"scale": [0.5, 0.25], "translate": [-10, 20]}, "arcs": [[[4, 8], [2, -4], [-1, 0]]]}
    np.testing.assert_allclose(arcs(topo)[0], [[-8, 22], [-7, 21], [-7.5, 21]])


def test_the_map_has_country_outlines_and_names_the_best(registry):
    pytest.importorskip("matplotlib")
    from matplotlib.collections import LineCollection

    from cityrank import derived
    from cityrank.engine import run
    from cityrank.formats import charts, outlines
    from cityrank.formats.spec import load_edition

    meta, _ = derived.read(outlines.DATA)
    assert "Natural Earth" in meta["source"] and "public domain" in meta["licence"]
    fig = charts.scatter_map(run(load_edition(TINY), registry), labels=3)
    ax = fig.axes[0]
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert lines and len(lines[0].get_segments()) > 100  # coasts and borders
    assert [t.get_text() for t in ax.texts] == ["1. Amsterdam", "2. Oslo", "3. Berlin"]


def test_cities_without_a_position_on_the_map(registry, tmp_path, fresh_cli):
    """The map shows the cities with a position and its title says how many are not shown;
    with none placed, `plot --kind map` is one error (it drew an empty world) and the report
    leaves its map out."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("jinja2")
    from cityrank.engine import run
    from cityrank.formats import charts
    from cityrank.formats.spec import load_edition
    from conftest import tiny_copy

    some = tiny_copy(tmp_path / "some", ("cities.csv", "2950159,52.52437,13.41053", "2950159,,"))
    fig = charts.scatter_map(run(load_edition(some), registry), labels=3)
    assert "1 of 5 without a position are not shown" in fig.axes[0].get_title().replace("\n", " ")
    assert "Berlin" not in " ".join(t.get_text() for t in fig.axes[0].texts)
    text = (TINY / "cities.csv").read_text().splitlines()
    none = tiny_copy(tmp_path / "none")
    (none / "cities.csv").write_text("\n".join(",".join(line.split(",")[:4]) for line in text) + "\n")
    out = fresh_cli("plot", none, "--kind", "map", "-o", tmp_path / "map.svg")
    assert out.exit_code == 2 and "no city has a latitude and longitude" in out.stderr
    assert not (tmp_path / "map.svg").exists()
    assert fresh_cli("report", none, "-o", tmp_path / "r.html").exit_code == 0
    page = (tmp_path / "r.html").read_text()
    assert "Where the cities are" not in page and 'id="top-chart"' in page
    assert fresh_cli("report", some, "-o", tmp_path / "s.html").exit_code == 0
    assert "Where the cities are" in (tmp_path / "s.html").read_text()


def test_the_interval_legend_stays_off_the_bars():
    pytest.importorskip("matplotlib")
    from cityrank.formats import charts

    rows = [{"name": f"City {i}", "median_rank": i, "p05_rank": i, "p95_rank": i + 3, "nominal_rank": i}
            for i in range(1, 30)]
    fig = charts.intervals(rows)
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1 - 1


def test_xlsx_as_libreoffice_shows_it(fresh_cli, tmp_path):
    """Debian's LibreOffice Calc (headless, to PDF) shows the ranking as a user expects: the
    header, the names, and scores rounded to two decimals (the cells keep every digit)."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        pytest.skip("LibreOffice or pdftotext is not installed (Debian libreoffice-calc-nogui, poppler-utils; .ci/run installs them)")
    import subprocess

    book = tmp_path / "r.xlsx"
    assert fresh_cli("run", TINY, "--format", "xlsx", "-o", book).exit_code == 0
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(book)], check=True, capture_output=True, timeout=180)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "r.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    cities = json.loads(fresh_cli("run", TINY, "--format", "json").stdout)["cities"]
    assert "rank" in text and "score" in text and "tier" in text
    for c in cities:
        assert c["name"] in text and f"{c['score']:.2f}" in text
    assert not any(len(word.split(".")[-1]) > 6 for word in text.split() if word.replace(".", "").isdigit())


def test_map_labels_lie_apart():
    """The best cities of one cluster get one label; the next labels go to the best elsewhere."""
    from cityrank.formats.charts import apart

    points = [(114.1, 22.3), (114.2, 22.4), (114.15, 22.35), (37.6, 55.8), (116.4, 39.9), (37.7, 55.7)]
    assert apart(points, 3, gap=2.0) == [0, 3, 4]
    assert apart(points, 10, gap=2.0) == [0, 3, 4]  # no more places apart than that
    assert apart(points, 2, gap=0.0) == [0, 1]  # no gap: simply the best


# ------------------------------------------------------------------------------------------
# The report as a journalist opens it: a summary first, sliders only where a weight can move
# the ranking, a chart and a change column that follow the sliders, the run's notes, an address
# that keeps the weights. Checked against the CLI run with the same weights.

CHART_ROWS = """rows => rows.map(g => ({
    id: g.getAttribute('data-city'), rank: +g.getAttribute('data-rank'), score: +g.getAttribute('data-score'),
    change: g.getAttribute('data-change'), bar: +g.querySelector('rect.bar').getAttribute('width'),
    cells: Object.fromEntries(Array.from(g.querySelectorAll('rect.cell')).map(
        c => [c.getAttribute('data-node'), c.getAttribute('data-value')]))}))"""
TABLE_ROWS = """rows => rows.map(r => ({
    id: r.getAttribute('data-city'), rank: r.querySelector('td.rank').getAttribute('data-value'),
    change: r.querySelector('td.change') ? r.querySelector('td.change').getAttribute('data-value') : null,
    published: Array.from(r.querySelectorAll('td.published')).map(c => c.textContent),
    doms: Array.from(r.querySelectorAll('td.dom')).map(c => [c.getAttribute('data-value'), getComputedStyle(c).backgroundColor])}))"""


def _run_json(fresh_cli, edition, *args):
    result = fresh_cli("run", edition, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _published_agreement(cities, published_ids, share):
    """How many published cities a ranking (the run's JSON cities) has in its top floor(share × n)."""
    import math

    ranked = [c for c in cities if c["rank"] is not None]
    top = math.floor(share * len(ranked) + 1e-9)
    rank = {c["id"]: c["rank"] for c in cities}
    return top, {i for i in published_ids if rank[i] is not None and rank[i] <= top}


def test_sliders_move_the_chart_and_the_change_column_as_run_weights_does(fresh_cli, tmp_path):
    """On a real edition (144 cities, two indicators without data, a published top 10 %):
    weights moved by hand give the same top 20 in the chart (ranks, scores, bars in proportion
    to the scores, domain cells), the same rank changes against the edition's weights in the
    table, and the same published top-10 % agreement as `cityrank run --weights` computes; the
    address and the page's weights file carry the weights to another page and to the CLI."""
    out = tmp_path / "report.html"
    assert fresh_cli("report", "asia-2023", "-o", out).exit_code == 0
    nominal = _run_json(fresh_cli, "asia-2023")
    moved = {"traditional": 3.0, "ipv4_addresses": 0.0, "capital": 2.5}
    w = tmp_path / "w.csv"
    w.write_text("id,weight\n" + "".join(f"{k},{v}\n" for k, v in moved.items()))
    want = _run_json(fresh_cli, "asia-2023", "--weights", w)
    facts = json.loads(fresh_cli("verify", "asia-2023", "--format", "json").stdout)["facts"]
    fact = next(f for f in facts if f["node"] == "index")
    published = [c["id"] for c in fact["cities"]]
    before_rank = {c["id"]: c["rank"] for c in nominal["cities"]}
    with _chromium() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(out.as_uri())
        page.wait_for_selector("#top-chart g.bar-row")
        chart_before = page.eval_on_selector_all("#top-chart g.bar-row", CHART_ROWS)
        assert [r["id"] for r in chart_before] == [c["id"] for c in nominal["cities"][:20]]
        assert all(r["change"] == "0" for r in chart_before)
        for k, v in moved.items():  # by hand: the slider's value, then its input event
            page.fill(f"#weights input[data-id={k}]", str(v))
            page.dispatch_event(f"#weights input[data-id={k}]", "input")
        page.wait_for_function("location.hash.split(',').length === 3")
        chart = page.eval_on_selector_all("#top-chart g.bar-row", CHART_ROWS)
        top20 = want["cities"][:20]
        assert [r["id"] for r in chart] == [c["id"] for c in top20] != [r["id"] for r in chart_before]
        for r, c in zip(chart, top20, strict=True):
            assert r["rank"] == c["rank"] and r["score"] == pytest.approx(c["score"], rel=1e-9)
            assert int(r["change"]) == before_rank[c["id"]] - c["rank"]
            assert r["bar"] / r["score"] == pytest.approx(chart[0]["bar"] / chart[0]["score"], rel=1e-6)
            for d, v in r["cells"].items():
                assert float(v) == pytest.approx(c["domains"][d]["score"], rel=1e-9)
        rows = page.eval_on_selector_all("#ranking tbody tr", TABLE_ROWS)
        assert [r["id"] for r in rows] == [c["id"] for c in want["cities"]]
        for r, c in zip(rows, want["cities"], strict=True):
            assert int(r["rank"]) == c["rank"] and int(r["change"]) == before_rank[c["id"]] - c["rank"]
        assert any(int(r["change"]) != 0 for r in rows)
        # the heat map follows: a higher domain score is never a lighter cell
        cells = sorted((float(v), int(bg.split("(")[1].split(",")[0])) for r in rows for v, bg in r["doms"] if v)
        assert all(a[1] >= b[1] for a, b in itertools.pairwise(cells))
        # the published top 10 %: the count above the table and the mark of each named city
        top, agree = _published_agreement(want["cities"], published, fact["share"])
        assert page.text_content("p.agreement .agree") == str(len(agree))
        assert page.text_content("p.agreement .topk") == str(top)
        marks = {r["id"]: r["published"][0] for r in rows}
        for i in published:
            assert marks[i] == (f"✓ in our top {top}" if i in agree else f"✗ outside our top {top}")
        assert sum(1 for m in marks.values() if m) == len(published)
        # the address: the moved weights, which open another page the same way
        url = page.url
        given = dict(pair.split(":") for pair in url.split("#w=")[1].split(","))
        assert {k: float(v) for k, v in given.items()} == moved
        assert page.input_value("#share-url") == url
        csv = page.text_content("#weights-csv")
        other = browser.new_page()
        other.goto(url)
        other.wait_for_selector("#top-chart g.bar-row")
        assert other.eval_on_selector_all("#top-chart g.bar-row", CHART_ROWS) == chart
        assert other.eval_on_selector_all("#ranking tbody tr", TABLE_ROWS) == rows
        assert {k: float(other.input_value(f"#weights input[data-id={k}]")) for k in moved} == moved
        page.click("#reset")
        assert "#w=" not in page.url and page.input_value("#share-url") == out.as_uri()
    again = tmp_path / "again.csv"
    again.write_text(csv)
    assert _run_json(fresh_cli, "asia-2023", "--weights", again)["cities"] == want["cities"]
    assert errors == []


def test_sliders_only_where_a_weight_can_move_the_ranking(fresh_cli, tmp_path):
    """A slider for every domain and every indicator with data, none for the indicators without
    (they are named as such), and none for a node whose children have one with data between them."""
    out = tmp_path / "report.html"
    assert fresh_cli("report", "asia-2023", "-o", out).exit_code == 0
    shown = json.loads(fresh_cli("show", "asia-2023", "--format", "json").stdout)
    run = _run_json(fresh_cli, "asia-2023")
    coverage = {i["id"]: i["coverage"] for i in run["indicators"]}
    domains = {i["domain"] for i in run["indicators"]}
    empty = {i["name"] for i in run["indicators"] if coverage[i["id"]] == 0}
    assert len(empty) == 2 and shown
    with _chromium() as browser:
        page = browser.new_page()
        page.goto(out.as_uri())
        ids = set(page.eval_on_selector_all("#weights input[type=range]", "s => s.map(x => x.dataset.id)"))
        assert ids == domains | {i for i, share in coverage.items() if share > 0}
        listed = page.text_content("#weights p.nodata")
        assert all(name in listed for name in empty) and "cannot move the ranking" in listed
        # no slider whose move changes nothing: every one moves some city's score
        for k in sorted(ids):
            page.fill(f"#weights input[data-id={k}]", "4")
            page.dispatch_event(f"#weights input[data-id={k}]", "input")
            assert any(r["change"] not in ("0", "") for r in page.eval_on_selector_all("#ranking tbody tr", TABLE_ROWS)), k
            page.click("#reset")


def test_the_summary_says_what_is_ranked_and_what_a_score_means(fresh_cli, tmp_path):
    """The summary comes first and is made from the run: the number of ranked cities, each
    domain with its indicators, what a score means (the best city's score, not a percentage),
    three things to know (coverage as counted from the data file, the published agreement as
    `verify` counts it); the run's notes are on the page, escaped."""
    out = tmp_path / "report.html"
    assert fresh_cli("report", "asia-2023", "-o", out).exit_code == 0
    run = _run_json(fresh_cli, "asia-2023")
    fact = next(f for f in json.loads(fresh_cli("verify", "asia-2023", "--format", "json").stdout)["facts"])
    with _chromium() as browser:
        page = browser.new_page()
        page.goto(out.as_uri())
        first = page.eval_on_selector("body", "b => Array.from(b.querySelectorAll('h2')).map(h => h.id)")
        assert first[0] == "summary-title" and first.index("summary-title") < first.index("methods-title")
        ranked = sum(c["rank"] is not None for c in run["cities"])
        assert f"{ranked} cities ranked" in page.text_content("p.lead")
        meaning = page.text_content("#score-meaning")
        best = run["cities"][0]
        assert f"{best['name']}'s {best['score']:.1f}" in meaning and "not a percentage of anything" in meaning
        assert f"these {ranked} cities" in meaning
        things = page.eval_on_selector_all("#three-things li", "li => li.map(x => x.textContent)")
        assert len(things) == 3
        assert f"{fact['agree']} of the {len(fact['cities'])} cities" in things[2] and f"top {fact['top_size']}" in things[2]
        with_data = sum(i["coverage"] > 0 for i in run["indicators"])
        assert things[0].startswith(f"Data: {with_data} of the {len(run['indicators'])} indicators have data")
        measured = page.text_content("#measured")
        for i in run["indicators"]:
            assert i["name"] in measured
        notes = page.eval_on_selector_all("#run-notes li", "li => li.map(x => x.textContent)")
        assert notes == run["notes"] and notes
    assert fresh_cli("report", "asia-2023", "-o", tmp_path / "b.html").exit_code == 0
    assert (tmp_path / "b.html").read_bytes() == out.read_bytes()  # byte-identical for the same inputs


def test_summary_counts_coverage_and_mixed_scales(registry):
    """On the tiny edition: Lisbon has no transit value, so transit covers 4 of 5 cities; its
    normalisers mix relative (min-max) and fixed scales (ladder, goalposts), and the summary says so."""
    from cityrank.engine import run
    from cityrank.formats.spec import load_edition
    from cityrank.formats.summary import summary

    result = run(load_edition(TINY), registry)
    text = summary(result, [])
    assert text["lead"].startswith("5 cities ranked on 4 indicators in 2 domains")
    assert text["things"][0].startswith("Data: all 4 indicators have data (3 for every city; Transit lines for 80\u00a0% of")
    assert "fixed scales (goalposts, ladder)" in text["meaning"] and "not a percentage" in text["meaning"]
    how = " ".join(text["how"])
    assert "weights are not all equal (as the edition sets them)" in how and "Digital infrastructure 67 %" in how
    assert "sliders" in text["things"][2]  # nothing published, no Monte Carlo: the weights


def test_a_page_that_cannot_recompute_still_draws_the_run(fresh_cli, tmp_path):
    """With an aggregator the page cannot recompute (harmonic), there are no sliders and no
    change column, and the chart shows the run's own ranking."""
    from conftest import tiny_copy

    edition = tiny_copy(tmp_path / "ed", ("edition.toml", 'aggregator = "arithmetic"', 'aggregator = "harmonic"'))
    out = tmp_path / "report.html"
    assert fresh_cli("report", edition, "-o", out).exit_code == 0
    run = _run_json(fresh_cli, edition)
    with _chromium() as browser:
        page = browser.new_page()
        page.goto(out.as_uri())
        page.wait_for_selector("#top-chart g.bar-row")
        chart = page.eval_on_selector_all("#top-chart g.bar-row", CHART_ROWS)
        ranked = [c for c in run["cities"] if c["rank"] is not None]
        assert [(r["id"], r["rank"]) for r in chart] == [(c["id"], c["rank"]) for c in ranked]
        assert [r["score"] for r in chart] == pytest.approx([c["score"] for c in ranked], rel=1e-12)
        assert page.locator("#weights").count() == 0 and page.locator("td.change").count() == 0
