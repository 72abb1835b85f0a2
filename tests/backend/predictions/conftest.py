"""A year of the sandbox's customers (a known LTV process per channel) loaded through the real
loaders, with the reference exchange rates; shared by a module, emptied at its end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import text

from backend.extensions import db
from backend.models import AdAccount, FxRate
from connectors.sandbox.customers import UNITS_PER_USD
from connectors.sandbox.generator import World

TODAY = dt.date(2025, 6, 30)
UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
AS_OF = TODAY - dt.timedelta(days=1)


def store_sandbox_accounts(world: World) -> None:
    for account in world.accounts:
        db.session.add(
            AdAccount(
                platform=account.platform,
                external_id=account.external_id,
                name=account.name,
                currency=account.currency,
                timezone=account.timezone,
                status="active",
            )
        )
    db.session.commit()


def store_reference_rates(day: dt.date = dt.date(2020, 1, 1)) -> None:
    """The sandbox's reference rates, once, carried forward to every later day."""
    for currency, units in UNITS_PER_USD.items():
        if currency != "USD":
            rate = (Decimal(1) / Decimal(units)).quantize(Decimal("1e-12"))
            db.session.add(
                FxRate(
                    date=day,
                    currency=currency,
                    reporting_currency="USD",
                    rate=rate,
                    source="sandbox reference",
                )
            )
    db.session.commit()


def load_sandbox_year(world: World, days: int = 365, share_scale: float = 0.3) -> dict:
    from devstack.demo_customers import load_demo_customers

    store_sandbox_accounts(world)
    store_reference_rates()
    return load_demo_customers(days, world=world, share_scale=share_scale, until=UNTIL, train=False)


def query(sql: str, **params) -> list:
    return db.session.execute(text(sql), params).all()
