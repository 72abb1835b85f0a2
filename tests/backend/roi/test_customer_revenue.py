"""customer_revenue follows the revenue events through every write: the loaders (insert, then
update of the same event), FX re-conversion, deletion, a changed acquisition date."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from sqlalchemy import text

from backend.models import FxRate
from backend.services.customers import load_customers_batch, load_revenue_batch
from backend.services.customers.fx import refresh_revenue_conversion


def summary(db, external_id: str = "u1") -> dict | None:
    row = (
        db.session.execute(
            text(
                "SELECT s.events, s.revenue, s.last_purchase_day, s.revenue_1d, s.revenue_7d, "
                "s.revenue_30d FROM customer_revenue s JOIN customers c ON c.id = s.customer_id "
                "WHERE c.external_id = :e"
            ),
            {"e": external_id},
        )
        .mappings()
        .first()
    )
    return None if row is None else {k: (float(v) if isinstance(v, Decimal) else v)
                                     for k, v in row.items()}  # fmt: skip


def event(event_id: str, day: str, amount: str, currency: str = "USD") -> dict:
    return {
        "event_id": event_id,
        "customer_id": "u1",
        "occurred_at": f"{day}T12:00:00Z",
        "amount": amount,
        "currency": currency,
    }


def test_the_loaders_keep_each_customers_revenue_summary(db):
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z"}])
    assert summary(db) is None  # no payment yet
    load_revenue_batch([event("e1", "2024-01-01", "10"), event("e2", "2024-01-05", "5")])
    assert summary(db) == {
        "events": 2, "revenue": 15.0, "last_purchase_day": 4,
        "revenue_1d": 10.0, "revenue_7d": 15.0, "revenue_30d": 15.0,
    }  # fmt: skip
    load_revenue_batch([event("e2", "2024-01-20", "7")])  # the same event, restated
    assert summary(db)["revenue_7d"] == 10.0 and summary(db)["revenue_30d"] == 17.0
    assert summary(db)["last_purchase_day"] == 19


def test_an_event_without_a_rate_is_unknown_until_converted(db):
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z"}])
    load_revenue_batch([event("e1", "2024-01-01", "10"), event("e2", "2024-01-10", "8", "EUR")])
    assert summary(db)["revenue_7d"] == 10.0  # the EUR payment is on day 9
    assert math.isnan(summary(db)["revenue"]) and math.isnan(summary(db)["revenue_30d"])
    db.session.add(FxRate(date=dt.date(2024, 1, 2), currency="EUR", reporting_currency="USD",
                          rate=Decimal("1.1"), source="test"))  # fmt: skip
    db.session.commit()
    refresh_revenue_conversion()
    db.session.commit()
    assert summary(db)["revenue"] == 18.8 and summary(db)["revenue_30d"] == 18.8


def test_deleting_events_or_moving_the_acquisition_date_recomputes(db):
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z"}])
    load_revenue_batch([event("e1", "2024-01-01", "10"), event("e2", "2024-01-05", "5")])
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2023-12-30T09:00:00Z"}])
    assert summary(db)["revenue_1d"] == 0.0 and summary(db)["last_purchase_day"] == 6
    db.session.execute(text("DELETE FROM revenue_events WHERE event_id = 'e2'"))
    assert summary(db)["revenue"] == 10.0
    db.session.execute(text("DELETE FROM revenue_events"))
    assert summary(db) is None
