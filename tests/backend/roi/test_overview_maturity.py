"""The overview compares a range with the preceding one like with like: revenue to date of young
cohorts is not comparable with that of older ones, so revenue and ROAS are also given at the same
age (each customer's first COMPARABLE_AGE_DAYS days) over the days old enough, and the days too
young for it carry no such figure."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import metrics
from backend.services.roi.overview import overview
from tests.backend.roi.conftest import add_account, add_customer, days, pay, spend_row, write_slice

FIRST = dt.date(2024, 1, 22)  # the preceding range: 22-31 January
START, END = dt.date(2024, 2, 1), dt.date(2024, 2, 10)
AS_OF = dt.date(2024, 2, 12)


@pytest.fixture
def steady(db):
    """10 spent and one customer acquired every day; each pays 5 on its first day and 5 ten days
    later (when that day has come): the business does not change, only the cohorts' ages do."""
    account = add_account(db, "meta", "act_9", "USD", "Meta steady")
    rows = [spend_row(account, d, "S1", "10", installs=2) for d in days(FIRST, END)]
    write_slice(db, account, rows, FIRST, END)
    for day in days(FIRST, END):
        customer = add_customer(db, f"s-{day}", day, "meta", account.id)
        pay(db, customer, day, "5")
        if day + dt.timedelta(days=10) <= AS_OF:
            pay(db, customer, day + dt.timedelta(days=10), "5")
    db.session.commit()


def test_revenue_to_date_falls_with_the_cohorts_age_alone(steady):
    body = overview(START, END, AS_OF)
    # the premise of the comparison: 10 x 5 + two second payments, against 10 x (5 + 5)
    assert (body["current"]["revenue"], body["previous"]["revenue"]) == (60.0, 100.0)


def test_at_the_same_age_both_ranges_earn_the_same(steady):
    comparable = overview(START, END, AS_OF)["comparable"]
    assert comparable["days"] == metrics.COMPARABLE_AGE_DAYS == 7
    # cohorts of 1-5 February have lived 7 days on the 12th; 6-10 February have not
    assert comparable["through"] == dt.date(2024, 2, 5)
    current, previous = comparable["current"], comparable["previous"]
    assert (current["start"], current["end"]) == (START, dt.date(2024, 2, 5))
    assert (previous["start"], previous["end"]) == (FIRST, dt.date(2024, 1, 26))
    assert (current["spend"], current["revenue"], current["roas"]) == (50.0, 25.0, 0.5)
    assert (previous["spend"], previous["revenue"], previous["roas"]) == (50.0, 25.0, 0.5)


def test_days_too_young_carry_no_revenue_at_age(steady):
    series = {p["date"]: p for p in overview(START, END, AS_OF)["series"]}
    assert min(series) == START and max(series) == END  # the preceding range is not in it
    assert series[dt.date(2024, 2, 5)]["revenue_at_age"] == 5.0
    assert series[dt.date(2024, 2, 6)]["revenue_at_age"] is None
    assert series[dt.date(2024, 2, 6)]["revenue"] == 5.0


def test_a_range_younger_than_the_age_has_nothing_to_compare(steady):
    comparable = overview(dt.date(2024, 2, 8), END, AS_OF)["comparable"]
    assert comparable["through"] is None
    assert comparable["current"] is None and comparable["previous"] is None


def test_the_api_answers_the_comparison(marketer, steady):
    query = {"start": START.isoformat(), "end": END.isoformat()}
    body = marketer.get("/api/overview", query_string=query).json
    assert set(body["comparable"]) == {"days", "through", "current", "previous"}
    assert body["as_of"] and "revenue_at_age" in body["series"][0]
