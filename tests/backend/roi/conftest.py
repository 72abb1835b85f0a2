"""A small world for the ROI tests, with figures simple enough to compute by hand.

Spend goes through the real ingestion path (replace_metric_slice + refresh_rollups), 2024-01-01
to 2024-01-10, campaign level:

- meta account (USD): campaign M1 10/day (installs 5/day, impressions 1000, clicks 20) and M2
  5/day (installs 1/day); M1 also 1/day through February (installs 0); country rows for M1
  (US 6/day, DE 4/day); device rows for M1 (iphone 7/day, android_phone 3/day);
- google account (EUR, 1 EUR = 1.1 USD from 2023-12-31): campaign G1 20 EUR/day = 22 USD
  (installs 4/day); country rows US 20 EUR/day.

Customers (acquisition date, platform / account / campaign, country, device; revenue in USD):

- c1 2024-01-02 meta/M1 US iphone: 30 on day 0, 20 on day 18; predicted 50/80/120; churn 0.2
- c2 2024-01-05 meta/M1 DE android_phone: 10 EUR on day 0 = 11.00 USD; 11/30/60; churn 0.6
- c3 2024-01-03 google/G1 US iphone: 100 on day 0; predicted 100/200/400; churn 0.5
- c5 2024-01-04 meta, account only (no campaign), FR: nothing paid, not scored
- c4 2024-01-02 organic: 999 paid; never counted (not an ad platform)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.models import AdAccount, Customer, FxRate, ModelOutput, ModelVersion, RevenueEvent
from backend.services.ingestion.slices import Slice, replace_metric_slice
from backend.services.roi.rollups import refresh_rollups
from connectors import Level, SpendRow

JAN1 = dt.date(2024, 1, 1)
JAN10 = dt.date(2024, 1, 10)
AS_OF = dt.date(2024, 3, 1)


def typed(value):
    """A JSON value with its type at every level (1 and 1.0 differ), dict keys in order: what
    two encodings of one answer must agree on."""
    if isinstance(value, dict):
        return ["object", [(k, typed(v)) for k, v in value.items()]]
    if isinstance(value, list):
        return ["array", [typed(v) for v in value]]
    return [type(value).__name__, value]


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def spend_row(account: AdAccount, day: dt.date, campaign: str, spend: str, **extra) -> SpendRow:
    return SpendRow(
        platform=account.platform,
        account_id=account.external_id,
        date=day,
        currency=account.currency,
        campaign_id=campaign,
        campaign_name=f"Campaign {campaign}",
        spend=Decimal(spend),
        **extra,
    )


def write_slice(db, account: AdAccount, rows: list[SpendRow], start, end, breakdown="none"):
    """Through the sync's write path: replace the slice, rebuild its rollups, commit."""
    cursor = db.session.connection().connection.cursor()
    target = Slice(account.id, Level.CAMPAIGN, breakdown, start, end)
    replace_metric_slice(cursor, target, rows, sync_run_id=None)
    refresh_rollups(cursor, target, "USD")
    db.session.commit()


def add_account(db, platform: str, external_id: str, currency: str, name: str) -> AdAccount:
    account = AdAccount(
        platform=platform,
        external_id=external_id,
        name=name,
        currency=currency,
        timezone="UTC",
        status="active",
    )
    db.session.add(account)
    db.session.commit()
    return account


def campaign_id(db, account: AdAccount, external_id: str) -> int:
    return db.session.execute(
        text("SELECT id FROM campaigns WHERE ad_account_id = :a AND external_id = :e"),
        {"a": account.id, "e": external_id},
    ).scalar_one()


def add_customer(
    db,
    external_id,
    acquired: dt.date,
    platform,
    account=None,
    campaign=None,
    country=None,
    device=None,
) -> Customer:
    customer = Customer(
        external_id=external_id,
        acquired_at=dt.datetime.combine(acquired, dt.time(10), tzinfo=dt.UTC),
        acquisition_date=acquired,
        platform=platform,
        ad_account_id=account,
        campaign_id=campaign,
        country=country,
        device=device,
    )
    db.session.add(customer)
    db.session.flush()
    return customer


def pay(db, customer: Customer, day: dt.date, amount: str, currency="USD", reporting=None):
    """A revenue event converted as the loader does (`reporting` given for other currencies)."""
    db.session.add(
        RevenueEvent(
            event_id=f"{customer.external_id}-{day}-{amount}",
            customer_id=customer.id,
            occurred_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
            amount=Decimal(amount),
            currency=currency,
            amount_reporting=Decimal(reporting or amount) if reporting != "missing" else None,
            fx_status="exact" if reporting != "missing" else "missing",
        )
    )


def _spend(db, meta: AdAccount, google: AdAccount) -> None:
    extra = {"impressions": 1000, "clicks": 20}
    rows = [spend_row(meta, d, "M1", "10", installs=5, **extra) for d in days(JAN1, JAN10)]
    rows += [spend_row(meta, d, "M2", "5", installs=1) for d in days(JAN1, JAN10)]
    rows += [
        spend_row(meta, d, "M1", "1") for d in days(dt.date(2024, 1, 11), dt.date(2024, 2, 29))
    ]
    write_slice(db, meta, rows, JAN1, dt.date(2024, 2, 29))
    by_country = [
        spend_row(meta, d, "M1", amount, country=country)
        for d in days(JAN1, JAN10)
        for country, amount in (("US", "6"), ("DE", "4"))
    ]
    write_slice(db, meta, by_country, JAN1, JAN10, "country")
    by_device = [
        spend_row(meta, d, "M1", amount, device=device)
        for d in days(JAN1, JAN10)
        for device, amount in (("iphone", "7"), ("android_phone", "3"))
    ]
    write_slice(db, meta, by_device, JAN1, JAN10, "device")
    google_rows = [spend_row(google, d, "G1", "20", installs=4) for d in days(JAN1, JAN10)]
    write_slice(db, google, google_rows, JAN1, JAN10)
    us = [spend_row(google, d, "G1", "20", country="US") for d in days(JAN1, JAN10)]
    write_slice(db, google, us, JAN1, JAN10, "country")


def _model(db, kind: str = "ltv") -> ModelVersion:
    version = ModelVersion(
        kind=kind,
        algorithm="mbgnbd_gg",
        status="ready",
        is_active=True,
        trained_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        params={},
        metrics={"normalized_gini": 0.61, "candidates": {"x": 1}, "churn": {"auc": 0.8}},
        source="spendlens",
    )
    db.session.add(version)
    db.session.flush()
    return version


def score(db, version, customer, ltv: tuple, churn: float | None) -> None:
    db.session.add(
        ModelOutput(
            model_version_id=version.id,
            customer_id=customer.id,
            predicted_ltv_30=Decimal(ltv[0]),
            predicted_ltv_90=Decimal(ltv[1]),
            predicted_ltv_365=Decimal(ltv[2]),
            churn_probability=None if churn is None else Decimal(str(churn)),
        )
    )


@pytest.fixture
def world(db):
    """The accounts, campaigns, spend, customers, revenue and model described above."""
    db.session.add(
        FxRate(
            date=dt.date(2023, 12, 31),
            currency="EUR",
            reporting_currency="USD",
            rate=Decimal("1.1"),
            source="test",
        )
    )
    db.session.commit()
    meta = add_account(db, "meta", "act_1", "USD", "Meta US")
    google = add_account(db, "google_ads", "123", "EUR", "Google EU")
    _spend(db, meta, google)
    m1, g1 = campaign_id(db, meta, "M1"), campaign_id(db, google, "G1")
    c1 = add_customer(db, "c1", dt.date(2024, 1, 2), "meta", meta.id, m1, "US", "iphone")
    pay(db, c1, dt.date(2024, 1, 2), "30")
    pay(db, c1, dt.date(2024, 1, 20), "20")
    c2 = add_customer(db, "c2", dt.date(2024, 1, 5), "meta", meta.id, m1, "DE", "android_phone")
    pay(db, c2, dt.date(2024, 1, 5), "10", currency="EUR", reporting="11.00")
    c3 = add_customer(db, "c3", dt.date(2024, 1, 3), "google_ads", google.id, g1, "US", "iphone")
    pay(db, c3, dt.date(2024, 1, 3), "100")
    add_customer(db, "c5", dt.date(2024, 1, 4), "meta", meta.id, None, "FR")
    c4 = add_customer(db, "c4", dt.date(2024, 1, 2), "organic")
    pay(db, c4, dt.date(2024, 1, 2), "999")
    version = _model(db)
    score(db, version, c1, ("50", "80", "120"), 0.2)
    score(db, version, c2, ("11", "30", "60"), 0.6)
    score(db, version, c3, ("100", "200", "400"), 0.5)
    db.session.commit()
    return {"meta": meta, "google": google, "m1": m1, "g1": g1, "model": version}
