"""Installs and purchases are counted in the attribution windows each row is labelled with.

Graph's `value` of an action counts under the ad sets' own attribution setting, which differs
between accounts; the per-window fields asked for with `action_attribution_windows` do not. The
sandbox answers both ways (`set_attribution_setting`): its World counts are 7-day click + 1-day
view, and an account whose ad sets use 1-day click reports less in `value`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import Level
from connectors.meta.parsing import DEFAULT_ATTRIBUTION
from tests.connectors.meta.conftest import TODAY

END = TODAY - dt.timedelta(days=1)
START = END - dt.timedelta(days=13)


def world_totals(world, account_id: str):
    return world.total(world.account(account_id), START, END)


@pytest.fixture
def one_day_click_account(graph, us_account):
    graph.set_attribution_setting(us_account.external_id, "1d_click")
    return us_account


def test_rows_are_counted_in_the_requested_windows_whatever_the_accounts_setting(
    connector, world, one_day_click_account
):
    rows = list(connector.fetch_daily(one_day_click_account, START, END, Level.AD))
    truth = world_totals(world, "act_1001")
    assert sum(r.installs for r in rows) == truth.installs
    assert sum(r.conversions for r in rows) == truth.conversions
    assert sum(r.conversion_value for r in rows) == truth.conversion_value
    assert {r.attribution for r in rows} == {"7d_click,1d_view"}


def test_the_request_names_the_windows_it_counts(connector, graph, us_account):
    list(connector.fetch_daily(us_account, START, END))
    params = [c.params for c in graph.calls("/insights") if c.method == "GET"]
    assert {p["action_attribution_windows"] for p in params} == {'["7d_click","1d_view"]'}


def test_the_accounts_own_setting_would_have_counted_something_else(
    make_connector, world, graph, one_day_click_account
):
    """Counting `value` (what the connector did before) gives the 1-day-click numbers; such rows
    are labelled as counted under the ad sets' own setting, never as 7d_click,1d_view."""
    connector = make_connector(attribution_windows=())
    rows = list(connector.fetch_daily(one_day_click_account, START, END))
    truth = world_totals(world, "act_1001")
    assert 0 < sum(r.installs for r in rows) < truth.installs
    assert {r.attribution for r in rows} == {DEFAULT_ATTRIBUTION}
    sent = [c.params for c in graph.calls("/insights") if c.method == "GET"]
    assert all("action_attribution_windows" not in p for p in sent)


def test_one_click_window_counts_fewer_installs_and_says_so(
    make_connector, world, one_day_click_account
):
    rows = list(
        make_connector(attribution_windows=("1d_click",)).fetch_daily(
            one_day_click_account, START, END
        )
    )
    assert {r.attribution for r in rows} == {"1d_click"}
    assert 0 < sum(r.installs for r in rows) < world_totals(world, "act_1001").installs
