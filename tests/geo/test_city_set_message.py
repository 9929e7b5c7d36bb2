"""A city-set rule that names more cities than its count says where the extra ones come from."""

from __future__ import annotations

import pytest

select = pytest.importorskip("cityrank_geo.select")

#: three cities a source could name, none a national capital
NAMED = [{"name": "Alexandria", "country": "EGY"}, {"name": "Giza", "country": "EGY"},
         {"name": "Durban", "country": "ZAF"}]


def test_capitals_added_by_the_default_are_counted_and_explained():
    """Egypt and South Africa have one national capital each (Cairo, Pretoria): three named
    cities and count = 3 make five, and the message says two are the default's capitals and
    how to leave them out; with capitals = false the three named cities are the set."""
    rule = {"count": 3, "countries": ["EGY", "ZAF"], "named": NAMED}
    with pytest.raises(ValueError, match=r"names 5 cities, more than count = 3: 3 named and 2 capitals \(capitals = "
                                         r"true, the default, .*set capitals = false"):
        select.select(rule)
    picked = select.select(rule | {"capitals": False})
    assert [p.reason for p in picked] == ["named by a source"] * 3
