"""Revenue in the reporting currency: the rate of the event's UTC date, else the latest earlier
one ('carried'), else none ('missing', NULL) — the same rule, and the same rates, as the daily
rollups of spend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from backend.services.customers import load_customers_csv, load_revenue_csv
from backend.services.customers.fx import refresh_revenue_conversion
from connectors import Level
from tests.backend.ingestion.conftest import make_row

from .conftest import CUSTOMER_HEADER, REVENUE_HEADER, add_rate, csv_text, rows

D1, D2, D3 = dt.date(2025, 3, 3), dt.date(2025, 3, 4), dt.date(2025, 3, 5)


def _load_events(*lines: str) -> None:
    load_customers_csv(csv_text(CUSTOMER_HEADER, "c1,2025-03-01,organic,,,,"))
    load_revenue_csv(csv_text(REVENUE_HEADER, *lines))


def converted(db) -> dict[str, tuple]:
    found = rows(db, "SELECT event_id, amount_reporting, fx_status FROM revenue_events")
    return {event: (amount, status) for event, amount, status in found}


def test_each_event_converts_at_its_days_rate_or_carries_the_last_one(db):
    add_rate(db, D1, "EUR", "1.10")
    add_rate(db, D2, "EUR", "1.20")
    _load_events(
        "exact,c1,2025-03-04T23:59:59Z,10,EUR",
        "carried,c1,2025-03-05T12:00:00+00:00,10,EUR",
        "late_evening_utc,c1,2025-03-04T20:00:00-05:00,10,EUR",
        "reporting,c1,2025-03-04T10:00:00Z,10,USD",
        "missing,c1,2025-03-04T10:00:00Z,10,GBP",
        "before_any_rate,c1,2025-03-02T10:00:00Z,10,EUR",
    )
    assert converted(db) == {
        "exact": (Decimal("12.000000"), "exact"),
        "carried": (Decimal("12.000000"), "carried"),
        "late_evening_utc": (Decimal("12.000000"), "carried"),  # 01:00 UTC on March 5
        "reporting": (Decimal("10.000000"), "exact"),
        "missing": (None, "missing"),
        "before_any_rate": (None, "missing"),
    }


def test_rates_that_arrive_later_convert_the_events_on_the_next_refresh(db):
    add_rate(db, D1, "EUR", "1.10")
    _load_events("e1,c1,2025-03-04T10:00:00Z,10,EUR", "e2,c1,2025-03-04T10:00:00Z,10,GBP")
    add_rate(db, D2, "EUR", "1.20")
    add_rate(db, D2, "GBP", "1.30")
    assert refresh_revenue_conversion() == 2
    assert converted(db) == {
        "e1": (Decimal("12.000000"), "exact"),
        "e2": (Decimal("13.000000"), "exact"),
    }
    assert refresh_revenue_conversion() == 0


def test_revenue_and_spend_of_the_same_day_convert_with_the_same_rate(db):
    from backend.services.ingestion.slices import Slice, replace_metric_slice
    from backend.services.roi.rollups import refresh_rollups

    from .conftest import add_account

    account = add_account(db, external_id="act_1", currency="EUR")
    add_rate(db, D1, "EUR", "1.10")
    add_rate(db, D3, "EUR", "1.30")
    cursor = db.session.connection().connection.cursor()
    target = Slice(account.id, Level.CAMPAIGN, "none", D1, D3)
    replace_metric_slice(cursor, target, [make_row(d) for d in (D1, D2, D3)], sync_run_id=None)
    refresh_rollups(cursor, target, "USD")
    db.session.commit()
    _load_events(*(f"e{d.day},c1,{d.isoformat()}T12:00:00Z,1,EUR" for d in (D1, D2, D3)))
    spend = rows(db, "SELECT date, fx_rate, fx_status FROM daily_rollups ORDER BY date")
    revenue = rows(
        db,
        """SELECT (occurred_at AT TIME ZONE 'UTC')::date, amount_reporting / amount, fx_status
           FROM revenue_events ORDER BY occurred_at""",
    )
    assert [(d, Decimal(r).normalize(), s) for d, r, s in spend] == [
        (d, Decimal(r).normalize(), s) for d, r, s in revenue
    ]
    assert [s for _, _, s in revenue] == ["exact", "carried", "exact"]
