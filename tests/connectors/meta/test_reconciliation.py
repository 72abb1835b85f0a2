"""Everything fetched over ~60 days adds up to the platform's own totals, to the cent, for every
sandbox account, at campaign and ad level, with and without each breakdown."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import Breakdown, Level
from tests.connectors.meta.conftest import TODAY, account_info

START, END = TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=1)
ACCOUNTS = ("act_1001", "act_1002", "act_1003")


@pytest.mark.parametrize("breakdown", [None, Breakdown.COUNTRY, Breakdown.DEVICE])
@pytest.mark.parametrize("level", [Level.CAMPAIGN, Level.AD])
@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_rows_sum_to_the_world_total(connector, world, account_id, level, breakdown):
    account = account_info(world, account_id)
    rows = list(connector.fetch_daily(account, START, END, level, breakdown))
    expected = world.total(world.account(account_id), START, END)
    assert sum(r.spend for r in rows) == expected.spend
    assert sum(r.impressions for r in rows) == expected.impressions
    assert sum(r.clicks for r in rows) == expected.clicks
    assert sum(r.installs for r in rows) == expected.installs
    assert sum(r.conversions for r in rows) == expected.conversions
    assert sum(r.conversion_value for r in rows) == expected.conversion_value
    assert {r.currency for r in rows} == {account.currency}


@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_rows_read_directly_also_sum_to_the_world_total(make_connector, world, account_id):
    account = account_info(world, account_id)
    rows = list(make_connector(async_after_days=100).fetch_daily(account, START, END))
    assert sum(r.spend for r in rows) == world.total(world.account(account_id), START, END).spend


@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_account_total_equals_the_world_total(connector, world, account_id):
    total = connector.fetch_account_total(account_info(world, account_id), START, END)
    assert total.spend == world.total(world.account(account_id), START, END).spend
