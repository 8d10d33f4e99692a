"""Dates as IMR letters and progress notes write them, found with their spans.

Letters write the same date many ways ("November 26, 2001", "11/26/2001",
"11-26-01", "5/12/15", and PDF debris like "11-21- 2016"); durations such as
"since 2013" or "since March 2015" need the coarser forms too. Everything here
is pure and works on any text, lower- or mixed-case.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from typing import Literal, NamedTuple

from imr_rules.regexes import compile as _rx_compile

Precision = Literal["day", "month", "year"]

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

# Numeric dates need the same separator twice, so "5-7/10" (a pain range) is no date.
_DATE_RX = _rx_compile(
    rf"""
    (?P<num>\b(?P<m1>\d{{1,2}})\ *(?P<sep>[/-])\ *(?P<d1>\d{{1,2}})\ *(?P=sep)\ *
        (?P<y1>\d{{4}}|\d{{2}})(?![\d/])) |
    (?P<iso>\b(?P<y5>(?:19|20)\d\d)-(?P<m5>\d\d)-(?P<d5>\d\d)\b) |
    (?P<long>\b(?P<mon2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s*(?P<y2>(?:19|20)\d\d)\b) |
    (?P<dmy>\b(?P<d3>\d{{1,2}})\s+(?P<mon3>{_MONTH})\.?,?\s+(?P<y3>(?:19|20)\d\d)\b) |
    (?P<my>\b(?P<mon4>{_MONTH})\.?,?\s+(?:of\s+)?(?P<y4>(?:19|20)\d\d)\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_YEAR_RX = _rx_compile(r"\b(?:19[5-9]\d|20[0-9]\d)\b")


class DateMention(NamedTuple):
    """A date written in a text: where, what, and how precisely it was written."""

    start: int
    end: int
    value: date
    precision: Precision


def _year(text: str) -> int:
    """Two-digit years pivot at 50: '15' is 2015, '89' is 1989."""
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 50 else 1900
    return y


def _month(word: str) -> int:
    return MONTHS[word[:3].lower()]


def _make(y: int, m: int, d: int) -> date | None:
    if not (1 <= m <= 12) or not (1900 <= y <= 2100):
        return None
    if not (1 <= d <= monthrange(y, m)[1]):
        return None
    return date(y, m, d)


def _from_match(m: re.Match[str]) -> tuple[date, Precision] | None:
    if m.group("num"):
        value = _make(_year(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
        return (value, "day") if value else None
    if m.group("iso"):
        value = _make(int(m.group("y5")), int(m.group("m5")), int(m.group("d5")))
        return (value, "day") if value else None
    if m.group("long"):
        value = _make(int(m.group("y2")), _month(m.group("mon2")), int(m.group("d2")))
        return (value, "day") if value else None
    if m.group("dmy"):
        value = _make(int(m.group("y3")), _month(m.group("mon3")), int(m.group("d3")))
        return (value, "day") if value else None
    if m.group("my"):
        return date(int(m.group("y4")), _month(m.group("mon4")), 1), "month"
    raise AssertionError(f"unhandled date form {m.group()!r}")  # pragma: no cover


# Where a date may start is found with cheap scans (a date separator; a month's first three letters);
# the full pattern is tried only there, which is many times faster than trying it at every position.
_SEP_RX = _rx_compile(r"[/-] *\d{1,2} *[/-] *\d\d")
_DIGITS_BEFORE_RX = _rx_compile(r"\d{1,2} *$")
_DAY_BEFORE_RX = _rx_compile(r"\d{1,2} +$")
_MONTH_KEYS = tuple(MONTHS)


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Every full or month-year date in text[start:end], in order, with spans in `text`."""
    end = len(text) if end is None else end
    low = text.lower()
    if len(low) != len(text):  # pragma: no cover - a character whose lower case is longer
        low = text
    starts: set[int] = set()
    for m in _SEP_RX.finditer(low, start, end):
        digits = _DIGITS_BEFORE_RX.search(low, max(start, m.start() - 4), m.start())
        if digits:
            starts.add(digits.start())
    for key in _MONTH_KEYS:
        i = low.find(key, start, end)
        while i >= 0:
            if i == 0 or not low[i - 1].isalpha():
                starts.add(i)
                day = _DAY_BEFORE_RX.search(low, max(start, i - 4), i)
                if day:
                    starts.add(day.start())
            i = low.find(key, i + 3, end)
    found: list[DateMention] = []
    taken = start
    for pos in sorted(starts):
        if pos < taken:
            continue
        m = _DATE_RX.match(text, pos, end)
        if m:
            got = _from_match(m)
            if got:
                found.append(DateMention(m.start(), m.end(), got[0], got[1]))
                taken = m.end()
    return found


def parse_date(text: str) -> date | None:
    """The date a short string writes ('November 26, 2001', '11/26/2001', '5/12/15'), or None."""
    text = text.strip()
    m = _DATE_RX.fullmatch(text) or _DATE_RX.search(text)
    if m and m.start() == 0:
        got = _from_match(m)
        if got and got[1] == "day":
            return got[0]
    return None


def parse_period_start(text: str) -> tuple[date, Precision] | None:
    """The start of a period written as a date, a month-year or a bare year ('since 2013')."""
    text = text.strip()
    m = _DATE_RX.match(text)
    if m:
        return _from_match(m)
    y = _YEAR_RX.match(text)
    if y:
        return date(int(y.group()), 1, 1), "year"
    return None


def period_end(value: date, precision: Precision) -> date:
    """Last day of a period: the latest a thing said to start 'in March 2015' can have started."""
    if precision == "year":
        return date(value.year, 12, 31)
    if precision == "month":
        return date(value.year, value.month, monthrange(value.year, value.month)[1])
    return value


def weeks_between(earlier: date, later: date) -> float:
    """Weeks from one date to another, rounded to a tenth (negative if out of order)."""
    return round((later - earlier).days / 7.0, 1)
