"""Helpers for the customer data tests: ad accounts, exchange rates, CSV text, generated files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.models import AdAccount, Campaign, FxRate

CUSTOMER_HEADER = (
    "customer_id,acquired_at,platform,account_external_id,campaign_external_id,country,device"
)
REVENUE_HEADER = "event_id,customer_id,occurred_at,amount,currency"


def csv_text(header: str, *lines: str) -> str:
    return "\n".join((header, *lines)) + "\n"


def add_account(db, platform: str = "meta", external_id: str = "act_1", currency: str = "EUR"):
    account = AdAccount(
        platform=platform,
        external_id=external_id,
        name=f"{platform} {external_id}",
        currency=currency,
        timezone="UTC",
        status="active",
    )
    db.session.add(account)
    db.session.commit()
    return account


def add_campaign(db, account: AdAccount, external_id: str) -> Campaign:
    campaign = Campaign(ad_account_id=account.id, external_id=external_id, name=external_id)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def add_rate(db, day: dt.date, currency: str, rate: str, reporting: str = "USD") -> None:
    db.session.add(
        FxRate(
            date=day,
            currency=currency,
            reporting_currency=reporting,
            rate=Decimal(rate),
            source="test",
        )
    )
    db.session.commit()


def rows(db, sql: str, **params) -> list:
    return db.session.execute(text(sql), params).all()


@pytest.fixture
def meta_account(db):
    return add_account(db)


def generated_csv(header: str, line: Callable[[int], str], count: int) -> Iterator[str]:
    """The lines of a CSV file, produced as the loader reads them (never held in memory)."""
    yield header + "\n"
    for number in range(count):
        yield line(number) + "\n"
