"""The sandbox's customers and purchases (connectors/sandbox/customers.py, a known truth per
channel), their in-app events and the fake installs of the fraudulent campaigns
(connectors/sandbox/in_app.py), loaded through the real CSV loaders, for the stored ad accounts
that are sandbox accounts (same platform and external id). Idempotent: loading again adds only
purchases and events made since, and customers of new days."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import tempfile
from collections.abc import Iterable
from typing import IO

from sqlalchemy import select

from backend.extensions import db
from backend.models import AdAccount, ModelKind, ModelVersion
from backend.services.customers.loading import (
    load_customers_csv,
    load_events_csv,
    load_revenue_csv,
)
from backend.services.customers.records import CUSTOMERS, EVENTS, REVENUE
from backend.services.early.suspicion import refresh_suspicion
from connectors.sandbox.customers import SandboxCustomer, sandbox_customers
from connectors.sandbox.generator import World
from connectors.sandbox.in_app import SandboxEvent, customer_events, fake_customers

log = logging.getLogger("spendlens.customers.demo")


def load_demo_customers(
    days: int = 180,
    *,
    world: World | None = None,
    share_scale: float = 1.0,
    until: dt.datetime | None = None,
    train: bool = True,
) -> dict[str, object]:
    """Load `days` days of sandbox acquisitions (ending yesterday) and their purchases; when
    `train` and no LTV model is active yet, train and score one right away."""
    world = world or World()
    stored = {(a.platform, a.external_id) for a in db.session.scalars(select(AdAccount))}
    accounts = [a for a in world.accounts if (a.platform, a.external_id) in stored]
    today = world.today or dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=days)
    if until is None:
        until = dt.datetime.combine(today, dt.time(), dt.UTC)
    drawn = sandbox_customers(world, accounts, start, today, until=until, share_scale=share_scale)
    fakes = fake_customers(world, accounts, start, today, until=until, share_scale=share_scale)
    with (
        tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as customers_file,
        tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as revenue_file,
        tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as events_file,
    ):
        events = csv.writer(events_file)
        events.writerow(EVENTS.columns)

        def with_events() -> Iterable[SandboxCustomer]:
            for customer in drawn:
                write_events(events, customer_events(world.seed, customer, until))
                yield customer
            for fake in fakes:
                write_events(events, fake.events)
                yield fake.customer

        write_csv_files(with_events(), customers_file, revenue_file)
        for file in (customers_file, revenue_file, events_file):
            file.seek(0)
        customers = load_customers_csv(customers_file, source="sandbox")
        revenue = load_revenue_csv(revenue_file, source="sandbox")
        in_app = load_events_csv(events_file, source="sandbox")
    summary: dict[str, object] = {
        "accounts": len(accounts),
        "customers": customers.as_dict(),
        "revenue_events": revenue.as_dict(),
        "in_app_events": in_app.as_dict(),
        "traffic_quality": refresh_suspicion(until),
    }
    if train and customers.rows and not _has_active_ltv_model():
        summary["model_version"] = _train_now()
    return summary


def write_csv_files(
    drawn: Iterable[SandboxCustomer], customers_file: IO[str], revenue_file: IO[str]
) -> None:
    """Write sandbox customers and their purchases as the loaders' CSV files."""
    customers = csv.writer(customers_file)
    revenue = csv.writer(revenue_file)
    customers.writerow(CUSTOMERS.columns)
    revenue.writerow(REVENUE.columns)
    for customer in drawn:
        customers.writerow(
            (
                customer.external_id,
                customer.acquired_at.isoformat(),
                customer.platform,
                customer.account_external_id,
                customer.campaign_external_id,
                customer.country,
                customer.device,
            )
        )
        for purchase in customer.purchases:
            revenue.writerow(
                (
                    purchase.event_id,
                    purchase.customer_external_id,
                    purchase.occurred_at.isoformat(),
                    str(purchase.amount),
                    purchase.currency,
                )
            )


def write_events(writer, events: Iterable[SandboxEvent]) -> None:
    """Write sandbox in-app events as rows of the events loader's CSV."""
    for event in events:
        value = "" if event.value is None else str(event.value)
        writer.writerow(
            (
                event.event_id,
                event.customer_external_id,
                event.occurred_at.isoformat(),
                event.name,
                value,
                "",
            )
        )


def _has_active_ltv_model() -> bool:
    active = select(ModelVersion.id).where(
        ModelVersion.kind == ModelKind.LTV, ModelVersion.is_active.is_(True)
    )
    return db.session.scalar(active) is not None


def needs_first_model() -> bool:
    """No LTV version is active or being trained yet (and there are customers to train on)."""
    from backend.models import Customer

    pending = select(ModelVersion.id).where(
        ModelVersion.kind == ModelKind.LTV, ModelVersion.status == "training"
    )
    return (
        not _has_active_ltv_model()
        and db.session.scalar(pending) is None
        and db.session.scalar(select(Customer.id).limit(1)) is not None
    )


def _train_now() -> int | None:
    from backend.errors import ServiceError
    from backend.services.predictions.training import train_and_score

    try:
        return train_and_score().ltv.id
    except ServiceError as exc:
        log.warning("demo model not trained: %s", exc.message)
        return None
