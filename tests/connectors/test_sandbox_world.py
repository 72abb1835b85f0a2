"""The sandbox World takes every platform's facts from the platform's own sandbox package; the
shared machinery names no platform, and the demo world is the one it was before the move."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from connectors.registry import platform_specs, platforms, sandbox_world
from connectors.sandbox.credentials import sandbox_configs
from connectors.sandbox.customers import CHANNELS, sandbox_customers
from connectors.sandbox.economics import CHANNEL_COSTS
from connectors.sandbox.generator import DEVICES, World

SANDBOX = Path(__file__).resolve().parents[2] / "connectors" / "sandbox"
#: The World's generic machinery: what a platform's sandbox package plugs into.
SHARED = (
    "generator.py",
    "economics.py",
    "customers.py",
    "credentials.py",
    "history.py",
    "platforms.py",
    "response.py",
    "in_app.py",
)
#: `world_digest(platform)` of each platform's part of the demo World: recorded when Meta, Google
#: Ads and Apple Search Ads still kept their facts in the shared tables, and again when Acme Apps
#: US launched a campaign 4 days before today (its other campaigns, and every other account,
#: checked unchanged); a platform's World changes only when someone means it to, and then its
#: digest is recorded again. A platform added later needs no line here.
RECORDED_DIGESTS = {
    "meta": "5529473cb561f3707ea06da1d45353b8dea8278897731003cc5ac5d6fa8e1f83",
    "google_ads": "53ea2b1dbb34e689f2c0ffdaf5c24093d815138f036f5588f156c1547067a59c",
    "apple_search_ads": "0ad878b8e8244841ba6d621b2f9836a7b5bc9cd60656427ec5453b8188baa0d5",
    "tiktok_ads": "33d7601f384b1a52740fd6553aa6da2273eddf97f9a763d6992c5e4038f7fe47",
}


def world_digest(platform: str) -> str:
    """A digest of the seed-7 World's accounts of `platform`, two weeks of their country cells
    and the customers those weeks bring (values only, so renaming a class does not change it)."""
    world = World(seed=7, today=dt.date(2026, 6, 1))
    start, end = dt.date(2026, 5, 18), dt.date(2026, 5, 31)
    accounts = world.accounts_of(platform)
    digest = hashlib.sha256()
    for account in accounts:
        digest.update(repr(tuple(account.__dict__.values())).encode())
        for c in world.cells(account, start, end, "country"):
            digest.update(
                repr(
                    (
                        c.campaign.campaign_id,
                        c.ad.ad_id,
                        c.ad.ad_group_id,
                        c.date,
                        c.country,
                        c.spend_minor,
                        c.impressions,
                        c.clicks,
                        c.installs,
                        c.conversions,
                        c.value_minor,
                    )
                ).encode()
            )
    for customer in sandbox_customers(world, accounts, start, end):
        purchases = tuple((p.occurred_at, p.amount) for p in customer.purchases)
        digest.update(
            repr(
                (
                    customer.external_id,
                    customer.acquired_at,
                    customer.country,
                    customer.device,
                    purchases,
                )
            ).encode()
        )
    return digest.hexdigest()


def test_every_registered_platform_declares_its_part_of_the_world():
    assert all(spec.sandbox_world for spec in platform_specs())
    for name in platforms():
        facts = sandbox_world(name)
        assert CHANNEL_COSTS[name] is facts.costs and CHANNELS[name] is facts.truth
        assert DEVICES[name] == facts.devices and sandbox_configs()[name] == facts.config()
        declared = [row[1] for row in facts.accounts]
        assert [a.external_id for a in World().accounts_of(name)] == declared
    assert list(CHANNELS) == list(CHANNEL_COSTS) == list(DEVICES) == list(platforms())


def test_the_shared_sandbox_machinery_names_no_platform():
    for module in SHARED:
        text = (SANDBOX / module).read_text()
        named = [name for name in platforms() if f'"{name}"' in text]
        assert not named, f"{module} names {named}"


@pytest.mark.parametrize("platform", sorted(RECORDED_DIGESTS))
def test_the_demo_world_of_each_platform_is_the_one_recorded(platform):
    assert world_digest(platform) == RECORDED_DIGESTS[platform]
