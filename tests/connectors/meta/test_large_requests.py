"""Requests Graph cannot answer synchronously: Meta's insights error-code table says "Try a
smaller date range, fetch less data, or use async jobs" (code 100 subcode 1504018, code 2
subcode 1504038), and Graph answers code 1 "Please reduce the amount of data you're asking for"
for pages it finds too large. The connector asks for less, or runs an async report, by itself;
the sandbox answers as that table documents (`limit_sync`)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from facebook_business.exceptions import FacebookRequestError

from connectors.base import Level
from connectors.errors import RateLimitedError, TransientError
from connectors.meta.client import MIN_PAGE_SIZE
from connectors.meta.errors import RequestTooLargeError, translate
from tests.connectors.meta.conftest import TODAY

#: The 28-day restatement window of every Meta sync.
END = TODAY - dt.timedelta(days=1)
START = END - dt.timedelta(days=27)


def sync_gets(graph) -> list:
    calls = graph.calls("/insights")
    return [c for c in calls if c.method == "GET" and c.path.startswith("/v26.0/act_")]


def posted(graph) -> list:
    return [c for c in graph.calls("/insights") if c.method == "POST"]


def world_spend(world, account_id: str, start=START, end=END):
    return world.total(world.account(account_id), start, end).spend


def graph_error(code: int, message: str, subcode: int | None = None, status: int = 400):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "x"}
    if subcode is not None:
        error["error_subcode"] = subcode
    context = {"method": "GET", "path": "/v26.0/act_1/insights", "params": {}}
    return FacebookRequestError("failed", context, status, {}, json.dumps({"error": error}))


@pytest.mark.parametrize(("code", "subcode", "status"), [(100, 1504018, 400), (2, 1504038, 500)])
def test_an_insights_timeout_is_a_request_too_large_not_a_transient_error(code, subcode, status):
    error = translate(graph_error(code, "Your request timed out.", subcode, status))
    assert isinstance(error, RequestTooLargeError) and error.timed_out
    assert not isinstance(error, TransientError | RateLimitedError)


def test_reduce_the_amount_of_data_is_a_request_too_large():
    message = "Please reduce the amount of data you're asking for, then retry your request"
    error = translate(graph_error(1, message, status=500))
    assert isinstance(error, RequestTooLargeError) and not error.timed_out


def test_other_code_1_and_2_errors_stay_transient():
    unknown = graph_error(1, "An unknown error occurred", 99, 500)
    assert isinstance(translate(unknown), TransientError)
    assert isinstance(
        translate(graph_error(2, "Service temporarily unavailable", status=500)), TransientError
    )


@pytest.mark.parametrize("timeout_code", [100, 2])
def test_a_restatement_window_that_times_out_is_fetched_by_an_async_report(
    connector, graph, world, us_account, timeout_code
):
    graph.limit_sync(max_days=7, timeout_code=timeout_code)
    rows = list(connector.fetch_daily(us_account, START, END, Level.AD))
    assert len(sync_gets(graph)) == 1  # tried once, never repeated as it was
    assert [json.loads(c.params["time_range"]) for c in posted(graph)] == [
        {"since": START.isoformat(), "until": END.isoformat()}
    ]
    assert sum(r.spend for r in rows) == world_spend(world, "act_1001")
    assert len({(r.date, r.ad_id) for r in rows}) == len(rows)


def test_the_async_fallback_splits_a_report_that_fails_too(connector, graph, world, us_account):
    graph.limit_sync(max_days=7)
    graph.configure_async(fail_over_days=14)
    rows = list(connector.fetch_daily(us_account, START, END))
    ranges = [json.loads(c.params["time_range"]) for c in posted(graph)]
    assert len(ranges) == 3 and ranges[0] == {"since": START.isoformat(), "until": END.isoformat()}
    assert sum(r.spend for r in rows) == world_spend(world, "act_1001")


def test_a_range_small_enough_is_still_read_directly(connector, graph, world, us_account):
    graph.limit_sync(max_days=7)
    start = END - dt.timedelta(days=6)
    rows = list(connector.fetch_daily(us_account, start, END))
    assert posted(graph) == []
    assert sum(r.spend for r in rows) == world_spend(world, "act_1001", start, END)


def test_a_page_with_too_much_data_is_asked_again_with_half_the_rows(
    make_connector, graph, world, us_account
):
    graph.limit_sync(max_page_limit=100)
    rows = list(make_connector(page_size=500).fetch_daily(us_account, START, END, Level.AD))
    limits = [int(c.params["limit"]) for c in sync_gets(graph)]
    assert limits[:4] == [500, 250, 125, 62]
    assert set(limits[4:]) == {62}  # the later pages keep the size that worked
    assert posted(graph) == []
    assert sum(r.spend for r in rows) == world_spend(world, "act_1001")


def test_report_result_pages_are_made_smaller_too(make_connector, graph, world, us_account):
    graph.limit_sync(max_page_limit=60)
    start = END - dt.timedelta(days=40)
    connector = make_connector(page_size=200, async_after_days=31)
    rows = list(connector.fetch_daily(us_account, start, END))
    result_limits = {
        int(c.params["limit"])
        for c in graph.calls("/insights")
        if c.method == "GET" and not c.path.startswith("/v26.0/act_") and c.status == 200
    }
    assert result_limits == {50}
    assert sum(r.spend for r in rows) == world_spend(world, "act_1001", start, END)


def test_when_even_the_smallest_page_is_too_large_the_error_says_so(
    make_connector, graph, us_account
):
    graph.limit_sync(max_page_limit=MIN_PAGE_SIZE - 1)
    with pytest.raises(RequestTooLargeError, match="reduce the amount of data"):
        list(make_connector().fetch_daily(us_account, START, END))
    refused = [c for c in graph.calls("/insights") if c.status == 500]
    assert int(refused[-1].params["limit"]) == MIN_PAGE_SIZE
