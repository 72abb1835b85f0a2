"""TikTok Ads in the sandbox World: declared in its own sandbox package, picked up by the World's
tables, with economics that fit the World's (the cheapest installs, the least valuable
customers)."""

from __future__ import annotations

import datetime as dt

from connectors.sandbox.credentials import sandbox_configs
from connectors.sandbox.customers import CHANNELS, sandbox_customers
from connectors.sandbox.economics import CHANNEL_COSTS
from connectors.sandbox.generator import DEVICES, World
from connectors.sandbox.tiktok_ads.world import PLATFORM, SANDBOX, config


def test_the_world_takes_the_accounts_and_tables_the_package_declares():
    world = World()
    assert [a.external_id for a in world.accounts_of(PLATFORM)] == [r[1] for r in SANDBOX.accounts]
    assert [a.demo for a in world.accounts_of(PLATFORM)] == [True, True, False]
    assert CHANNEL_COSTS[PLATFORM] is SANDBOX.costs and CHANNELS[PLATFORM] is SANDBOX.truth
    assert DEVICES[PLATFORM] == SANDBOX.devices and sandbox_configs()[PLATFORM] == config()


def cac(platform: str) -> float:
    """USD per customer: the cost per install over the share of installs that become customers."""
    return CHANNEL_COSTS[platform].cpi / CHANNELS[platform].customer_share


def test_tiktok_has_the_cheapest_installs_and_does_not_pay_back_within_a_year():
    assert CHANNEL_COSTS[PLATFORM].cpi == min(c.cpi for c in CHANNEL_COSTS.values())
    roas_year = {p: CHANNELS[p].expected_ltv(365) / cac(p) for p in CHANNELS}
    assert roas_year[PLATFORM] < 1.0
    assert roas_year[PLATFORM] < roas_year["google_ads"] < roas_year["apple_search_ads"]


def test_tiktok_campaigns_bring_customers():
    world = World(today=dt.date(2026, 11, 20))
    account = world.accounts_of(PLATFORM)[0]
    start = dt.date(2026, 10, 1)
    customers = list(sandbox_customers(world, [account], start, dt.date(2026, 10, 31)))
    installs = world.total(account, start, dt.date(2026, 10, 31)).installs
    assert customers and {c.platform for c in customers} == {PLATFORM}
    assert abs(len(customers) / installs - CHANNELS[PLATFORM].customer_share) < 0.1
