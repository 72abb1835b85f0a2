"""Monthly rollups follow the daily rollups through every write: a sync's slice, a restatement,
an FX reload; a month with a day without a rate has no reporting amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import text

from backend.services.roi.rollups import refresh_for_currencies
from tests.backend.roi.conftest import JAN1, add_account, days, spend_row, write_slice

MONTHLY_VS_DAILY = text(
    """
    SELECT m.month, m.campaign_id, m.breakdown, m.country, m.device, m.spend, m.installs,
           d.spend AS daily_spend, d.installs AS daily_installs, m.days, d.days AS daily_days
    FROM monthly_rollups m
    FULL JOIN (
        SELECT date_trunc('month', date)::date AS month, campaign_id, breakdown, country, device,
               sum(spend) AS spend, sum(installs) AS installs, count(*) AS days
        FROM daily_rollups GROUP BY 1, 2, 3, 4, 5
    ) d USING (month, campaign_id, breakdown, country, device)
    """
)


def monthly(db, month: dt.date) -> dict:
    rows = db.session.execute(
        text("SELECT breakdown, spend, fx_missing_days FROM monthly_rollups WHERE month = :m"),
        {"m": month},
    )
    return {row.breakdown: (row.spend, row.fx_missing_days) for row in rows}


def test_monthly_rollups_are_the_sums_of_the_daily_ones(world, db):
    rows = db.session.execute(MONTHLY_VS_DAILY).mappings().all()
    assert rows
    for row in rows:
        assert row["spend"] == row["daily_spend"] and row["installs"] == row["daily_installs"]
        assert row["days"] == row["daily_days"]


def test_a_restated_slice_rewrites_its_months(db):
    meta = add_account(db, "meta", "act_9", "USD", "Meta")
    write_slice(
        db,
        meta,
        [spend_row(meta, d, "M", "2") for d in days(JAN1, dt.date(2024, 2, 10))],
        JAN1,
        dt.date(2024, 2, 10),
    )
    assert monthly(db, JAN1) == {"none": (Decimal("62.000000"), 0)}
    restated = [
        spend_row(meta, d, "M", "3") for d in days(dt.date(2024, 1, 25), dt.date(2024, 2, 5))
    ]
    write_slice(db, meta, restated, dt.date(2024, 1, 25), dt.date(2024, 2, 5))
    # January: 24 days at 2 + 7 at 3; February: 5 days at 3 + 5 untouched days at 2
    assert monthly(db, JAN1) == {"none": (Decimal("69.000000"), 0)}
    assert monthly(db, dt.date(2024, 2, 1)) == {"none": (Decimal("25.000000"), 0)}


def test_a_month_with_a_day_without_rate_is_unknown_until_the_rate_arrives(db):
    from backend.models import FxRate

    pounds = add_account(db, "apple_search_ads", "org", "GBP", "Apple UK")
    write_slice(
        db,
        pounds,
        [spend_row(pounds, d, "A", "10") for d in days(JAN1, dt.date(2024, 1, 5))],
        JAN1,
        dt.date(2024, 1, 5),
    )
    assert monthly(db, JAN1) == {"none": (None, 5)}
    db.session.add(
        FxRate(
            date=dt.date(2024, 1, 3),
            currency="GBP",
            reporting_currency="USD",
            rate=Decimal("1.25"),
            source="test",
        )
    )
    refresh_for_currencies(("GBP",), dt.date(2024, 1, 3), "USD")
    db.session.commit()
    assert monthly(db, JAN1) == {"none": (None, 2)}  # Jan 1-2 still have no earlier rate
    db.session.add(
        FxRate(
            date=dt.date(2023, 12, 29),
            currency="GBP",
            reporting_currency="USD",
            rate=Decimal("1.2"),
            source="test",
        )
    )
    refresh_for_currencies(("GBP",), dt.date(2023, 12, 29), "USD")
    db.session.commit()
    assert monthly(db, JAN1) == {"none": (Decimal("61.500000"), 0)}  # 2 x 12 + 3 x 12.5
