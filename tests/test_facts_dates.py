"""Dates are read however letters write them, and never from pain ranges or doses."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imr_rules.dates import find_dates, parse_date, parse_period_start, period_end, weeks_between


@pytest.mark.parametrize(("text", "expected"), [
    ("November 26, 2001", date(2001, 11, 26)),
    ("Nov 26 2001", date(2001, 11, 26)),
    ("11/26/2001", date(2001, 11, 26)),
    ("5/12/15", date(2015, 5, 12)),
    ("11-01-1989", date(1989, 11, 1)),
    ("10-13-16", date(2016, 10, 13)),
    ("11-21- 2016", date(2016, 11, 21)),
    ("2016-11-21", date(2016, 11, 21)),
    ("3 March 2015", date(2015, 3, 3)),
])
def test_a_date_is_read_in_every_form_letters_use(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["13/45/2016", "February 30, 2016", "next week", "5-7/10", "10/325"])
def test_what_is_no_date_is_none(text):
    assert parse_date(text) is None


def test_two_digit_years_pivot_at_fifty():
    assert parse_date("1/2/49") == date(2049, 1, 2)
    assert parse_date("1/2/89") == date(1989, 1, 2)


def test_find_dates_gives_spans_in_the_text_and_skips_pain_ranges():
    text = "Pain was 5-7/10 on 11/18/2016; seen again December 2, 2016 and in March 2015."
    found = find_dates(text)
    assert [(text[d.start:d.end], d.value, d.precision) for d in found] == [
        ("11/18/2016", date(2016, 11, 18), "day"),
        ("December 2, 2016", date(2016, 12, 2), "day"),
        ("March 2015", date(2015, 3, 1), "month"),
    ]


def test_find_dates_reads_mixed_case_and_a_window():
    text = "seen ON JANUARY 5, 2017 and 2/3/2017"
    assert [d.value for d in find_dates(text, 0, 24)] == [date(2017, 1, 5)]


def test_a_period_start_may_be_a_year_or_a_month():
    assert parse_period_start("2013 and on") == (date(2013, 1, 1), "year")
    assert parse_period_start("March 2015, when") == (date(2015, 3, 1), "month")
    assert period_end(date(2013, 1, 1), "year") == date(2013, 12, 31)
    assert period_end(date(2016, 2, 1), "month") == date(2016, 2, 29)
    assert parse_period_start("lately") is None


def test_weeks_between_is_signed_and_rounded():
    assert weeks_between(date(2016, 1, 1), date(2016, 1, 15)) == 2.0
    assert weeks_between(date(2016, 1, 15), date(2016, 1, 1)) == -2.0


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)))
def test_every_written_form_of_a_date_reads_back(day):
    month = day.strftime("%B")
    for text in (f"{day.month}/{day.day}/{day.year}", f"{day.month}-{day.day}-{day.year % 100:02d}",
                 f"{month} {day.day}, {day.year}", f"{month[:3]}. {day.day} {day.year}"):
        assert parse_date(text) == day, text
        assert [d.value for d in find_dates(f"seen on {text}. Then")] == [day]
