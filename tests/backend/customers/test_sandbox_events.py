"""The sandbox's known truth for the early signals: in-app events drawn from whether and when a
customer first pays (the purchases themselves untouched), and fake installs injected into some
campaigns (bursts, a uniform 2-4 s to the only event, refunded purchases)."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from connectors.sandbox.customers import sandbox_customers
from connectors.sandbox.generator import World
from connectors.sandbox.in_app import customer_events, fake_customers, fraudulent_campaigns
from devstack.demo_customers import load_demo_customers

from .conftest import add_account, rows

TODAY = dt.date(2025, 6, 30)
UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
START = TODAY - dt.timedelta(days=60)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, today=TODAY)


@pytest.fixture(scope="module")
def drawn(world):
    return list(sandbox_customers(world, world.accounts, START, TODAY, until=UNTIL))


@pytest.fixture(scope="module")
def fakes(world):
    return list(fake_customers(world, world.accounts, START, TODAY, until=UNTIL))


def first_day_names(world, customer) -> list[str]:
    horizon = customer.acquired_at + dt.timedelta(days=1)
    return [e.name for e in customer_events(world.seed, customer, UNTIL) if e.occurred_at < horizon]


def test_events_are_deterministic_and_end_before_the_cut_off(world, drawn):
    customer = next(c for c in drawn if c.first_purchase_age is not None)
    events = customer_events(world.seed, customer, UNTIL)
    assert events == customer_events(world.seed, customer, UNTIL)
    earlier = UNTIL - dt.timedelta(days=30)
    assert customer_events(world.seed, customer, earlier) == [
        e for e in events if e.occurred_at < earlier
    ]
    assert all(customer.acquired_at <= e.occurred_at < UNTIL for e in events)


def test_the_purchases_do_not_depend_on_the_events(world, drawn):
    """The World's revenue is what it was: the first purchase age is the first purchase's."""
    for customer in drawn:
        if customer.purchases:
            first = customer.purchases[0].occurred_at - customer.acquired_at
            assert first.total_seconds() / 86_400 == pytest.approx(
                customer.first_purchase_age, abs=1 / 86_400
            )


def test_future_payers_are_busier_in_their_first_day(world, drawn):
    """The known process: early sessions and store views raise the chance to pay."""
    late_payers = [
        c for c in drawn if c.first_purchase_age is not None and c.first_purchase_age > 1
    ]
    never = [c for c in drawn if c.first_purchase_age is None]
    assert len(late_payers) > 100 and len(never) > 1000

    def store_view_share(group) -> float:
        return statistics.mean("store_view" in first_day_names(world, c) for c in group)

    def sessions(group) -> float:
        return statistics.mean(first_day_names(world, c).count("session_start") for c in group)

    assert store_view_share(late_payers) > 3 * store_view_share(never)
    assert sessions(late_payers) > 1.5 * sessions(never)


def test_a_share_of_the_campaigns_buy_fake_installs(world, fakes):
    campaigns = {c.campaign_id for a in world.accounts for c in world.campaigns(a)}
    fraudulent = fraudulent_campaigns(world, world.accounts)
    assert 0.1 <= len(fraudulent) / len(campaigns) <= 0.45
    assert {f.customer.campaign_external_id for f in fakes} <= set(fraudulent)
    assert all(
        f.customer.acquired_at.date()
        >= fraudulent[f.customer.campaign_external_id] - dt.timedelta(days=1)
        for f in fakes
    )


def test_fake_installs_come_in_bursts_with_one_event_seconds_later(fakes):
    by_day: dict[str, list] = {}
    for fake in fakes:
        key = fake.customer.external_id.rsplit("-", 1)[0]  # campaign and day
        by_day.setdefault(key, []).append(fake.customer.acquired_at)
    for times in by_day.values():
        assert max(times) - min(times) <= dt.timedelta(minutes=15)
    for fake in fakes:
        assert len(fake.events) <= 1
        for event in fake.events:
            assert 2 <= (event.occurred_at - fake.customer.acquired_at).total_seconds() <= 5


def test_fake_purchases_are_refunded_and_add_no_revenue(fakes):
    buyers = [f.customer for f in fakes if f.customer.purchases]
    assert buyers
    for customer in buyers:
        if len(customer.purchases) == 2:
            bought, refunded = customer.purchases
            assert refunded.amount == -bought.amount and refunded.occurred_at > bought.occurred_at


def test_the_demo_loads_events_and_fake_installs(db, world):
    add_account(db, "meta", "act_1001", "USD")
    first = load_demo_customers(20, world=world, share_scale=0.5, until=UNTIL, train=False)
    assert first["in_app_events"]["inserted"] > first["customers"]["inserted"]
    named = dict(rows(db, "SELECT name, count(*) FROM customer_events GROUP BY name"))
    assert {"session_start", "tutorial_complete", "store_view", "add_to_cart"} <= set(named)
    again = load_demo_customers(20, world=world, share_scale=0.5, until=UNTIL, train=False)
    assert again["in_app_events"]["inserted"] == 0
    assert again["in_app_events"]["unchanged"] == first["in_app_events"]["rows"]
