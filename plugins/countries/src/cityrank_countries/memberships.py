"""Dated membership of organisations, read from data/memberships.toml: who was a member on a date."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import functools
import re
import tomllib
from pathlib import Path

MEMBERSHIPS = Path(__file__).parent / "data" / "memberships.toml"
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclasses.dataclass(frozen=True)
class Period:
    """A coded date as the days it may stand for: one day, or every day of its month or year."""

    text: str
    first: datetime.date
    last: datetime.date

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"YYYY-MM-DD"``, ``"YYYY-MM"`` or ``"YYYY"`` (a source that gives only a month or a year)."""
        match = _PARTIAL.fullmatch(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a date YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = (int(g) if g else None for g in match.groups())
        if day is not None:
            one = datetime.date(year, month, day)
            return cls(text, one, one)
        if month is not None:
            return cls(text, datetime.date(year, month, 1),
                       datetime.date(year, month, calendar.monthrange(year, month)[1]))
        return cls(text, datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def reached(self, day: datetime.date, what: str) -> bool:
        """Whether ``day`` is on or after this date; a day inside a month or a year coded as
        such is unknown, and refused rather than guessed (``what`` names the fact)."""
        if day < self.first:
            return False
        if day > self.last or self.first == self.last:
            return True
        raise ValueError(f"{what} is coded as {self.text!r} (its source gives no day), "
                         f"so whether it applies on {day.isoformat()} is unknown")


@dataclasses.dataclass(frozen=True)
class Membership:
    """One state's membership: first day, first day out (None: still a member), suspensions."""

    state: str
    joined: Period
    left: Period | None = None
    suspensions: tuple[tuple[Period, Period | None], ...] = ()

    def on(self, day: datetime.date, organisation: str) -> bool:
        """Whether the state counts as a member of ``organisation`` on ``day``."""
        what = f"{self.state}'s {{}} of {organisation}"
        if not self.joined.reached(day, what.format("joining")):
            return False
        if self.left is not None and self.left.reached(day, what.format("departure")):
            return False
        return not any(start.reached(day, what.format("suspension"))
                       and not (end is not None and end.reached(day, what.format("return after suspension")))
                       for start, end in self.suspensions)


@dataclasses.dataclass(frozen=True)
class Organisation:
    """An organisation (its id in the file, its name) and its members' dated memberships."""

    id: str
    name: str
    members: tuple[Membership, ...]

    def members_on(self, day: datetime.date, states=None) -> frozenset[str]:
        """The codes (ISO3, HKG where a member in its own right) counted as members on ``day``,
        among ``states`` if given (only their dates are read: another state's undated day is no error)."""
        return frozenset(m.state for m in self.members
                         if (states is None or m.state in states) and m.on(day, self.id))


@functools.cache
def organisations() -> tuple[dict[str, Organisation], datetime.date]:
    """Organisation id → its dated memberships, and the last date the file records changes to."""
    doc = tomllib.loads(MEMBERSHIPS.read_text(encoding="utf-8"))
    out = {}
    for org in doc["organisations"]:
        held: dict[str, list] = {}
        for s in org.get("suspensions", []):
            held.setdefault(s["state"], []).append(
                (Period.parse(s["from"]), Period.parse(s["until"]) if "until" in s else None))
        out[org["id"]] = Organisation(org["id"], org["name"], tuple(
            Membership(m["state"], Period.parse(m["joined"]),
                       Period.parse(m["left"]) if "left" in m else None, tuple(held.get(m["state"], ())))
            for m in org["members"]))
    return out, Period.parse(doc["recorded_to"]).last


def as_date(as_of) -> datetime.date:
    """The ``as_of`` parameter as a date: an ISO date string ``"YYYY-MM-DD"`` (or a TOML date)."""
    if isinstance(as_of, datetime.date) and not isinstance(as_of, datetime.datetime):
        return as_of
    if as_of is None:
        raise ValueError("as_of is required: the date (YYYY-MM-DD) on which memberships are counted, "
                         "e.g. the edition's release date")
    if not (isinstance(as_of, str) and _DAY.fullmatch(as_of)):
        raise ValueError(f"as_of must be a date YYYY-MM-DD, not {as_of!r}")
    try:
        return datetime.date.fromisoformat(as_of)
    except ValueError:
        raise ValueError(f"as_of {as_of!r} is not a calendar date") from None


def members_on(as_of, organisations_=None, states=None) -> dict[str, frozenset[str]]:
    """Organisation id → member codes in force on ``as_of``, for the ids ``organisations_``
    (default all) and among ``states`` (default all); a date after the file's ``recorded_to``
    is refused (memberships may have changed since)."""
    day = as_date(as_of)
    table, recorded_to = organisations()
    if day > recorded_to:
        raise ValueError(f"as_of {day.isoformat()} is after {recorded_to.isoformat()}, the last date "
                         "the membership lists record changes to")
    chosen = table if organisations_ is None else organisations_
    return {ident: table[ident].members_on(day, states) for ident in chosen}
