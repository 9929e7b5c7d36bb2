"""The HTML report in a real headless browser, XLSX export and charts."""

from __future__ import annotations

import contextlib
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
        names = lambda: page.eval_on_selector_all("#ranking tbody tr td:nth-child(2)", "cells => cells.map(c => c.textContent)")  # noqa: E731
        assert names() == [c["name"] for c in ranking]
        assert EVIL in names()
        page.click("#ranking th:nth-child(2)")  # City: ascending
        assert names() == sorted(names(), key=str.lower)
        assert page.get_attribute("#ranking th:nth-child(2)", "aria-sort") == "ascending"
        page.click("#ranking th:nth-child(4)")  # Score: best first, then the other way
        assert names() == [c["name"] for c in ranking]
        assert page.get_attribute("#ranking th:nth-child(4)", "aria-sort") == "descending"
        page.click("#ranking th:nth-child(4)")
        assert names() == [c["name"] for c in ranking][::-1]
        page.click("#ranking th:nth-child(5)")  # Tier: in tier order, the top tier first
        tiers = page.eval_on_selector_all("#ranking tbody tr td:nth-child(5)", "cells => cells.map(c => c.textContent)")
        order = ["top 10%", "10–30%", "30–60%", "60–100%", ""]
        assert [order.index(t) for t in tiers] == sorted(order.index(t) for t in tiers)
        assert page.locator("figure svg").count() >= 2
        assert page.locator("details.profile:visible").count() == 0  # profiles on demand
        page.click("#ranking a.city >> text=Berlin")
        page.wait_for_selector("#profile-ber", state="visible", timeout=10_000)  # opened on the hash change
        assert page.locator("details.profile:visible").count() == 1
        assert page.locator("#profile-ber").is_visible() and not page.locator("#profile-ams").is_visible()
        page.fill("#find", "nor")  # a search by name or country: Oslo (NOR)
        visible = page.eval_on_selector_all("#ranking tbody tr:not([hidden]) td:nth-child(2)", "c => c.map(x => x.textContent)")
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
    assert "Where the cities are" not in page and "Top cities" in page
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
