"""The sandbox's customers: deterministic from the seed, drawn from a known process per channel
(not the BTYD family: payers, monthly subscriptions, decaying in-app engagement, a season) whose
expected LTV the module computes in closed form, and loaded through the real loaders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest

from connectors.sandbox.customers import (
    CHANNELS,
    UNITS_PER_USD,
    sandbox_customers,
    true_ltv_by_channel,
)
from connectors.sandbox.generator import World
from devstack.demo_customers import load_demo_customers

from .conftest import add_account, rows

TODAY = dt.date(2025, 6, 30)
UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, today=TODAY)


@pytest.fixture(scope="module")
def drawn(world):
    """120 days of every sandbox account's customers."""
    start = TODAY - dt.timedelta(days=120)
    return list(sandbox_customers(world, world.accounts, start, TODAY, until=UNTIL))


def test_the_same_seed_and_days_give_the_same_customers_and_purchases(world):
    account = world.accounts[0]
    day = TODAY - dt.timedelta(days=40)
    first = list(sandbox_customers(world, [account], day, day, until=UNTIL))
    again = list(sandbox_customers(World(seed=7, today=TODAY), [account], day, day, until=UNTIL))
    assert first and first == again
    other_seed = list(
        sandbox_customers(World(seed=8, today=TODAY), [account], day, day, until=UNTIL)
    )
    assert [c.external_id for c in other_seed] != [c.external_id for c in first]


def test_a_later_cut_off_only_adds_purchases(world):
    account = world.accounts[3]
    day, first = TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=74)
    early = list(sandbox_customers(world, [account], first, day, until=UNTIL - dt.timedelta(30)))
    late = list(sandbox_customers(world, [account], first, day, until=UNTIL))
    assert [c.external_id for c in early] == [c.external_id for c in late]
    for before, after in zip(early, late, strict=True):
        assert after.purchases[: len(before.purchases)] == before.purchases
    assert sum(len(c.purchases) for c in late) > sum(len(c.purchases) for c in early)


def test_customers_come_from_a_share_of_each_campaigns_installs(world, drawn):
    start = TODAY - dt.timedelta(days=120)
    for platform, truth in CHANNELS.items():
        installs = sum(
            cell.installs
            for account in world.accounts_of(platform)
            for cell in world.ad_cells(account, start, TODAY)
        )
        customers = sum(1 for c in drawn if c.platform == platform)
        assert customers == pytest.approx(installs * truth.customer_share, rel=0.03)


def test_meta_brings_most_customers_and_apple_search_ads_the_highest_ltv(drawn):
    counts = defaultdict(int)
    for customer in drawn:
        counts[customer.platform] += 1
    assert max(counts, key=counts.get) == "meta"
    truth = true_ltv_by_channel(365)
    assert truth["apple_search_ads"] > truth["google_ads"] > truth["meta"]


def test_at_least_half_of_the_payers_first_pay_on_their_acquisition_day(world, drawn):
    zones = {a.external_id: ZoneInfo(a.timezone) for a in world.accounts}
    for platform in CHANNELS:
        payers = [c for c in drawn if c.platform == platform and c.purchases]
        zone = [zones[c.account_external_id] for c in payers]
        same_day = sum(
            c.purchases[0].occurred_at.astimezone(z).date() == c.acquired_at.astimezone(z).date()
            for c, z in zip(payers, zone, strict=True)
        )
        assert same_day / len(payers) >= 0.5, platform


def test_subscribers_renew_monthly_at_one_price(drawn):
    renewals = [
        (c.purchases[1].occurred_at - c.purchases[0].occurred_at, c.purchases[1].amount_usd)
        for c in drawn
        if len(c.purchases) > 1 and c.purchases[0].amount_usd == c.purchases[1].amount_usd
    ]
    monthly = [gap for gap, _ in renewals if abs(gap - dt.timedelta(days=30)) < dt.timedelta(1)]
    assert len(monthly) > 100


@pytest.mark.parametrize("platform", sorted(CHANNELS))
def test_realized_revenue_matches_the_true_expected_ltv(platform):
    """A year of acquisitions (the season averages out), each customer's first 60 days: the
    mean revenue ≈ truth."""
    world = World(seed=7, today=TODAY)
    horizon = dt.timedelta(days=60)
    accounts = world.accounts_of(platform)
    start, end = TODAY - dt.timedelta(days=425), TODAY - dt.timedelta(days=61)
    drawn = list(sandbox_customers(world, accounts, start, end, until=UNTIL))
    revenue = sum(
        p.amount_usd for c in drawn for p in c.purchases if p.occurred_at < c.acquired_at + horizon
    )
    assert revenue / len(drawn) == pytest.approx(CHANNELS[platform].expected_ltv(60), rel=0.10)


def test_amounts_are_in_the_accounts_currency_at_the_reference_rate(drawn):
    currencies = {a.external_id: a.currency for a in World(seed=7).accounts}
    for customer in drawn[:2000]:
        for purchase in customer.purchases:
            assert purchase.currency == currencies[customer.account_external_id]
            expected = purchase.amount_usd * UNITS_PER_USD[purchase.currency]
            assert float(purchase.amount) == pytest.approx(expected, abs=1.0)


def test_the_demo_loads_the_stored_sandbox_accounts_through_the_loaders(db, world):
    add_account(db, "meta", "act_1001", "USD")
    add_account(db, "apple_search_ads", "40002", "AUD")
    first = load_demo_customers(30, world=world, share_scale=0.5, until=UNTIL, train=False)
    assert first["accounts"] == 2
    assert first["customers"]["inserted"] > 100
    loaded = dict(rows(db, "SELECT platform, count(*) FROM customers GROUP BY platform"))
    assert set(loaded) == {"meta", "apple_search_ads"}
    currencies = {c for (c,) in rows(db, "SELECT DISTINCT currency FROM revenue_events")}
    assert currencies == {"USD", "AUD"}
    again = load_demo_customers(30, world=world, share_scale=0.5, until=UNTIL, train=False)
    assert again["customers"]["inserted"] == again["revenue_events"]["inserted"] == 0
    assert again["customers"]["unchanged"] == first["customers"]["rows"]
