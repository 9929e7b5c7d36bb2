"""The series' editions: installed from their own distributions, complete, runnable, verifiable."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from cityrank.formats.spec import load_edition
from conftest import ROOT

# Published city counts (sources in each edition.toml): 2022 Asia 51, 2023 Asia 144,
# 2023 G20 184, 2024 LAS 62, 2024 BRICS 138.
PUBLISHED_COUNTS = {"asia-2022": 51, "asia-2023": 144, "g20-2023": 184, "las-2024": 62, "brics-2024": 138}
PACKAGES = {e: ROOT / "rankings" / e / "src" / f"cityrank_{e.replace('-', '_')}" for e in PUBLISHED_COUNTS}


def test_editions_are_installed_plugins(fresh_cli):
    editions = {e["id"]: e for e in json.loads(fresh_cli("editions", "--format", "json").stdout)}
    for ident in PUBLISHED_COUNTS:
        assert editions[ident]["plugin"] == ident
        assert Path(editions[ident]["path"]).resolve() == (PACKAGES[ident] / "edition.toml").resolve()


def test_the_core_names_no_edition():
    pattern = re.compile(r"brics|g20|las-2024|asia-20", re.IGNORECASE)
    for path in (ROOT / "framework").rglob("*.py"):
        assert not pattern.search(path.read_text()), path


@pytest.mark.parametrize("ident", PUBLISHED_COUNTS)
def test_city_set_has_published_count_and_every_named_city(ident):
    edition = load_edition(PACKAGES[ident] / "edition.toml")
    assert len(edition.cities) == PUBLISHED_COUNTS[ident] == edition.meta["city_set"]["count"]
    assert len({c.geonameid for c in edition.cities}) == len(edition.cities)
    named = edition.meta["city_set"]["named"]
    by_reason = [c for c in edition.cities if c.attributes["selected_by"] == "named by a source"]
    assert len(by_reason) == len(named)
    for top in edition.published.get("top", ()):
        assert set(top["cities"]) <= set(edition.city_ids)
        assert top["source"]
    for city in edition.cities:
        assert city.geonameid and -90 <= city.latitude <= 90 and -180 <= city.longitude <= 180


@pytest.mark.parametrize("ident", PUBLISHED_COUNTS)
def test_city_set_is_reproduced_by_its_rule(ident):
    """A consistency check only (cities.csv is what its rule builds); whether the set is right is
    tested from outside the rule in test_city_sets.py."""
    select = pytest.importorskip("cityrank_geo.select")
    rule = tomllib.loads((PACKAGES[ident] / "edition.toml").read_text())["edition"]["city_set"]
    assert select.cities_csv(rule) == (PACKAGES[ident] / "cities.csv").read_text()


@pytest.mark.parametrize("ident", PUBLISHED_COUNTS)
def test_edition_validates_runs_and_says_what_has_data(fresh_cli, ident):
    assert fresh_cli("validate", ident).exit_code == 0
    result = fresh_cli("run", ident, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["cities"]) == PUBLISHED_COUNTS[ident]
    indicators = {i["id"]: i for i in data["indicators"]}
    assert indicators["wired_networks"]["coverage"] == 0 and indicators["wired_networks"]["source"] is None
    airports = indicators["scheduled_airports"]
    assert airports["coverage"] == 1 and "OurAirports" in airports["source"] and "public domain" in airports["source"]
    assert "DB-IP" in indicators["ipv4_addresses"]["source"] and "CC BY 4.0" in indicators["ipv4_addresses"]["source"]
    assert any("no data" in n for n in data["notes"])
    top = [c for c in data["cities"] if c["tier"] == "top 10%"]
    assert len(top) == math.floor(0.1 * PUBLISHED_COUNTS[ident])
    shown = fresh_cli("show", ident).stdout
    assert "reconstruction" in shown and "user-supplied" in shown


@pytest.mark.parametrize("ident", [e for e in PUBLISHED_COUNTS if e != "asia-2022"])
def test_verify_reports_each_published_city_against_our_ranks(fresh_cli, ident):
    run = json.loads(fresh_cli("run", ident, "--format", "json").stdout)
    ranks = {c["id"]: (c["rank"], {d: v["rank"] for d, v in c["domains"].items()}) for c in run["cities"]}
    result = fresh_cli("verify", ident, "--format", "json")
    assert result.exit_code == 0
    facts = json.loads(result.stdout)["facts"]
    edition = load_edition(PACKAGES[ident] / "edition.toml")
    assert len(facts) == len(edition.published["top"])
    for fact, published in zip(facts, edition.published["top"], strict=True):
        assert [c["id"] for c in fact["cities"]] == list(published["cities"])
        for c in fact["cities"]:
            overall, domains = ranks[c["id"]]
            rank = overall if fact["node"] == "index" else domains[fact["node"]]
            assert c["rank"] == rank
            assert c["in_top"] == (rank is not None and rank <= math.floor(0.1 * fact["ranked"]))
    strict = fresh_cli("verify", ident, "--strict")
    disagree = any(not c["in_top"] for f in facts for c in f["cities"])
    assert strict.exit_code == (1 if disagree else 0)


def test_user_data_fills_the_digital_domain(fresh_cli, tmp_path):
    edition = load_edition(PACKAGES["brics-2024"] / "edition.toml")
    mine = tmp_path / "digital.csv"
    levels = ["100M optical fibre networks", "gigabit optical fibre networks", "all-optical networks",
              "quantum communications"]
    rows = ["city_id,wired_networks"] + [f"{c.id},{levels[k % 4]}" for k, c in enumerate(edition.cities)]
    mine.write_text("\n".join(rows) + "\n")
    data = json.loads(fresh_cli("run", "brics-2024", "--data", mine, "--format", "json").stdout)
    assert {i["id"]: i for i in data["indicators"]}["wired_networks"]["coverage"] == 1
    run = json.loads(fresh_cli("run", "brics-2024", "--format", "json").stdout)
    before = {c["id"]: c["domains"]["digital"]["score"] for c in run["cities"]}
    after = {c["id"]: c["domains"]["digital"]["score"] for c in data["cities"]}
    # the digital score is the mean of its four indicators with data: level k of 4 scores 25·k
    for k, c in enumerate(edition.cities):
        assert after[c.id] == pytest.approx((3 * before[c.id] + 25 * (k % 4 + 1)) / 4, abs=1e-9)
    facts = json.loads(fresh_cli("verify", "brics-2024", "--data", mine, "--format", "json").stdout)["facts"]
    assert facts[1]["node"] == "digital" and facts[1]["ranked"] == 138
    bad = tmp_path / "bad.csv"
    bad.write_text("city_id,fibre_km\nbeijing,3\n")
    result = fresh_cli("run", "brics-2024", "--data", bad)
    assert result.exit_code == 2 and "unknown indicator" in result.stderr and "fibre_km" in result.stderr


def test_a_data_column_replaces_the_provider(fresh_cli, tmp_path):
    edition = load_edition(PACKAGES["las-2024"] / "edition.toml")
    mine = tmp_path / "airports.csv"
    mine.write_text("city_id,scheduled_airports\n" + "".join(f"{c.id},{k % 5}\n" for k, c in enumerate(edition.cities)))
    data = json.loads(fresh_cli("run", "las-2024", "--data", mine, "--format", "json").stdout)
    assert {i["id"]: i for i in data["indicators"]}["scheduled_airports"]["source"] == str(mine)
    stages = {(m["stage"], m["target"]) for m in data["methods"]}
    assert ("indicator", "scheduled_airports") not in stages and ("indicator", "capital") in stages


@pytest.mark.parametrize("ident", PUBLISHED_COUNTS)
def test_every_domain_has_data_for_most_cities(ident, registry):
    """Out of the box (open data only), every domain scores at least 90 % of the cities, and
    no domain rests on a single 0/1 indicator."""
    from cityrank.engine import run
    from cityrank.plugins import Registry

    edition = load_edition(PACKAGES[ident] / "edition.toml")
    result = run(edition, Registry())
    for domain in edition.framework.domains:
        scored = ~np.isnan(result.score(domain.id))
        assert scored.mean() >= 0.9, (domain.id, scored.mean())
        with_data = [i for j, i in enumerate(edition.framework.indicators)
                     if i.parent == domain.id and not np.isnan(result.indicator_scores[:, j]).all()]
        assert len(with_data) >= 2, domain.id


def test_show_says_when_a_providers_data_are_of_a_later_date_than_the_edition():
    """Data as of the edition's date: a provider whose data are dated after the edition's
    release (DB-IP's 2026 build in the 2022 edition) is flagged, one dated before is not."""
    import datetime

    import cityrank

    for edition in ("asia-2022", "brics-2024"):
        info = cityrank.load(edition).show()
        released = datetime.date.fromisoformat(info["meta"]["released"])
        checked = 0
        for entry in info["framework"]:
            if entry.get("kind") != "indicator" or not entry.get("year"):
                continue
            try:
                dated = datetime.date.fromisoformat(str(entry["year"]))
            except ValueError:
                continue
            assert entry["later_than_edition"] is (dated > released), (edition, entry["id"], entry["year"])
            checked += 1
        assert checked >= 2
    ipv4 = next(e for e in cityrank.load("asia-2022").show()["framework"] if e["id"] == "ipv4_addresses")
    assert ipv4["later_than_edition"] is True
