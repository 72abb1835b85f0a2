"""Syncs against the sandbox platforms through the real connectors, in process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import text

from backend.models import SyncRun
from backend.services.ingestion.sync import execute_sync_run
from backend.services.ingestion.windows import account_today
from connectors import RetryPolicy
from tests.backend.ingestion.conftest import add_sandbox_account

FAST = RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=6)
DAYS = 20


def platform_accounts(sandbox):
    return [a for p in sandbox.servers for a in sandbox.world.accounts_of(p)]


def run_window(db, account, start, end, kind="backfill"):
    run = SyncRun(
        ad_account_id=account.id,
        kind=kind,
        window_start=start,
        window_end=end,
        status="queued",
        attempts=0,
        rows=0,
    )
    db.session.add(run)
    db.session.commit()
    return execute_sync_run(run.id, FAST)


def window(account):
    end = account_today(account) - dt.timedelta(days=1)
    return end - dt.timedelta(days=DAYS - 1), end


def stored_totals(db, account_id, start, end):
    return db.session.execute(
        text(
            "SELECT coalesce(sum(spend), 0), coalesce(sum(impressions), 0), "
            "coalesce(sum(installs), 0) FROM campaign_daily_metrics "
            "WHERE ad_account_id = :a AND breakdown = 'none' AND date BETWEEN :s AND :e"
        ),
        {"a": account_id, "s": start, "e": end},
    ).one()


def snapshot(db):
    tables = ("campaign_daily_metrics", "ad_daily_metrics", "daily_rollups", "campaigns")
    return {
        t: db.session.execute(text(f"SELECT t::text FROM {t} t ORDER BY 1")).all() for t in tables
    }


def test_every_sandbox_account_is_ingested_to_the_cent(app, db, world, sandbox):
    assert sandbox.servers, "no sandbox server is running"
    for sandbox_account in platform_accounts(sandbox):
        account = add_sandbox_account(app, db, sandbox_account)
        start, end = window(account)
        run = run_window(db, account, start, end)
        assert run.status == "succeeded", run.error
        truth = world.total(sandbox_account, start, end)
        spend, impressions, installs = stored_totals(db, account.id, start, end)
        assert spend == truth.spend, sandbox_account.external_id
        assert (impressions, installs) == (truth.impressions, truth.installs)
        assert run.reconciliation_flagged is False
        assert run.platform_spend == truth.spend


def test_breakdowns_and_ad_level_sum_to_the_campaign_totals(app, db, world, sandbox):
    sandbox_account = platform_accounts(sandbox)[0]
    account = add_sandbox_account(app, db, sandbox_account)
    start, end = window(account)
    run_window(db, account, start, end)
    by_breakdown = dict(
        db.session.execute(
            text("SELECT breakdown, sum(spend) FROM campaign_daily_metrics GROUP BY 1")
        ).all()
    )
    ad_total = db.session.execute(text("SELECT sum(spend) FROM ad_daily_metrics")).scalar_one()
    truth = world.total(sandbox_account, start, end).spend
    assert ad_total == truth
    assert all(value == truth for value in by_breakdown.values())
    assert {"none", "country", "device"} <= set(by_breakdown)


def test_the_same_sync_twice_leaves_the_tables_identical(app, db, world, sandbox):
    sandbox_account = platform_accounts(sandbox)[0]
    account = add_sandbox_account(app, db, sandbox_account)
    start, end = window(account)
    run_window(db, account, start, end)
    first = snapshot(db)
    run_window(db, account, start, end)
    assert snapshot(db) == first


def test_a_restatement_updates_days_and_removes_vanished_campaigns(app, db, world, sandbox):
    sandbox_account = platform_accounts(sandbox)[0]
    account = add_sandbox_account(app, db, sandbox_account)
    start, end = window(account)
    run_window(db, account, start, end)
    campaigns_before = db.session.execute(
        text("SELECT count(DISTINCT campaign_id) FROM campaign_daily_metrics WHERE date = :d"),
        {"d": end},
    ).scalar_one()
    world.restate()
    run = run_window(db, account, start, end)
    assert run.status == "succeeded"
    truth = world.total(sandbox_account, start, end)
    assert stored_totals(db, account.id, start, end)[0] == truth.spend
    campaigns_after = db.session.execute(
        text("SELECT count(DISTINCT campaign_id) FROM campaign_daily_metrics WHERE date = :d"),
        {"d": end},
    ).scalar_one()
    assert campaigns_after < campaigns_before


def test_a_rate_limit_storm_completes_after_retries(app, db, world, sandbox):
    sandbox_account = platform_accounts(sandbox)[0]
    world.set_faults(sandbox_account.external_id, {"rate_limit"})
    account = add_sandbox_account(app, db, sandbox_account)
    start, end = window(account)
    run = run_window(db, account, start, end)
    assert run.status == "succeeded", run.error
    assert (
        stored_totals(db, account.id, start, end)[0]
        == world.total(sandbox_account, start, end).spend
    )


def test_expired_credentials_mark_the_account_and_others_complete(app, db, world, sandbox):
    accounts = platform_accounts(sandbox)
    expired = add_sandbox_account(app, db, accounts[0])
    world.set_faults(accounts[0].external_id, {"expired_token"})
    healthy = add_sandbox_account(app, db, accounts[1])
    start, end = window(expired)
    failed = run_window(db, expired, start, end)
    done = run_window(db, healthy, *window(healthy))
    db.session.refresh(expired)
    assert failed.status == "failed"
    assert failed.error_kind == "authentication"
    assert failed.attempts == 1
    assert expired.status == "needs_credentials"
    assert expired.last_error
    assert done.status == "succeeded"
    assert stored_totals(db, expired.id, start, end)[0] == Decimal(0)
