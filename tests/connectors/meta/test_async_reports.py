"""Long ranges go through async report runs; runs that give up are split down to single days."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from connectors.errors import TransientError
from tests.connectors.meta.conftest import TODAY

START, END = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=1)


def posted_ranges(graph) -> list[tuple[dt.date, dt.date]]:
    ranges = []
    for call in graph.calls("/insights"):
        if call.method == "POST":
            span = json.loads(call.params["time_range"])
            ranges.append(
                (dt.date.fromisoformat(span["since"]), dt.date.fromisoformat(span["until"]))
            )
    return ranges


def spend_total(world, account_id: str):
    return world.total(world.account(account_id), START, END).spend


def test_a_short_range_reads_insights_directly(connector, graph, us_account):
    list(connector.fetch_daily(us_account, END - dt.timedelta(days=30), END))
    assert posted_ranges(graph) == []


def test_a_range_longer_than_the_limit_uses_one_report_run(connector, graph, world, us_account):
    graph.configure_async(polls_before_done=3)
    rows = list(connector.fetch_daily(us_account, START, END))
    assert posted_ranges(graph) == [(START, END)]
    run_id = graph.calls("/insights")[-1].path.split("/")[2]
    polls = [c for c in graph.requests if c.path.rstrip("/").endswith(run_id)]
    assert len(polls) == 4
    assert sum(r.spend for r in rows) == spend_total(world, "act_1001")


def test_report_results_are_paged(make_connector, graph, us_account):
    list(make_connector(page_size=40).fetch_daily(us_account, START, END))
    result_pages = [
        c
        for c in graph.requests
        if c.path.endswith("/insights") and not c.path.startswith("/v26.0/act_")
    ]
    assert len(result_pages) > 3


def test_async_rows_equal_direct_rows(make_connector, us_account):
    via_report = list(make_connector(async_after_days=10).fetch_daily(us_account, START, END))
    direct = list(make_connector(async_after_days=100).fetch_daily(us_account, START, END))
    assert sorted(via_report, key=repr) == sorted(direct, key=repr)


def test_a_failed_run_is_split_in_halves(connector, graph, world, us_account):
    graph.configure_async(fail_over_days=25)
    rows = list(connector.fetch_daily(us_account, START, END))
    mid = START + (END - START) // 2
    assert posted_ranges(graph) == [(START, END), (START, mid), (mid + dt.timedelta(days=1), END)]
    assert sum(r.spend for r in rows) == spend_total(world, "act_1001")


def test_a_run_that_never_finishes_times_out_and_is_split(make_connector, graph, world, us_account):
    graph.configure_async(stall_over_days=15)
    connector = make_connector(async_timeout=0.05, poll_interval=0.01)
    rows = list(connector.fetch_daily(us_account, START, END))
    ranges = posted_ranges(graph)
    for since, until in ranges:
        if (until - since).days + 1 > 15:
            mid = since + (until - since) // 2
            assert {(since, mid), (mid + dt.timedelta(days=1), until)} <= set(ranges)
    assert sum(r.spend for r in rows) == spend_total(world, "act_1001")


def test_a_failed_run_logs_the_reason_graph_gives(
    connector, graph, us_account, caplog, monkeypatch
):
    graph.configure_async(fail_over_days=25)
    logger = logging.getLogger("connectors.meta.client")
    monkeypatch.setattr(logger, "disabled", False)  # alembic's fileConfig may have disabled it
    caplog.set_level("WARNING", logger=logger.name)
    list(connector.fetch_daily(us_account, START, END))
    assert "Generating the report failed. Try again later. (code -2, subcode 2490547)" in (
        caplog.text
    )


def test_splitting_goes_down_to_single_days(connector, graph, world, us_account):
    graph.configure_async(fail_over_days=1)
    rows = list(connector.fetch_daily(us_account, START, END))
    singles = [r for r in posted_ranges(graph) if r[0] == r[1]]
    assert len(singles) == (END - START).days + 1
    assert sum(r.spend for r in rows) == spend_total(world, "act_1001")


def test_a_single_day_that_keeps_failing_is_a_transient_error(make_connector, graph, us_account):
    graph.configure_async(fail_over_days=0)
    with pytest.raises(TransientError, match="did not complete"):
        list(make_connector(async_after_days=0).fetch_daily(us_account, END, END))


def test_rate_limits_during_a_report_run_are_retried(connector, graph, world, us_account):
    world.set_faults("act_1001", {"rate_limit"})
    rows = list(connector.fetch_daily(us_account, START, END))
    assert sum(r.spend for r in rows) == spend_total(world, "act_1001")
    assert any(c.status == 400 and c.method == "POST" for c in graph.requests)


def test_polls_wait_short_first_then_double_up_to_the_poll_interval(
    make_connector, graph, us_account, sleeps
):
    graph.configure_async(polls_before_done=5)
    list(make_connector(poll_interval=3.0).fetch_daily(us_account, START, END))
    assert sleeps == [0.5, 1.0, 2.0, 3.0, 3.0]
