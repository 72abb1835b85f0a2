"""Syncs through a real Celery worker: a backfill in chunks, and a worker SIGKILLed mid-sync."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

from sqlalchemy import text

from backend import create_app
from backend.extensions import db as database
from backend.models import SyncRun
from backend.services.ingestion.sync import request_sync
from backend.services.ingestion.windows import account_today
from tests.backend.ingestion.conftest import add_sandbox_account
from tests.conftest import RUN_ID, service_env, start_worker, stop_process, wait_for_worker


def wait_for_runs(db, run_ids, timeout=120.0, status=("succeeded", "failed")):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        runs = db.session.query(SyncRun).filter(SyncRun.id.in_(run_ids)).all()
        if all(r.status in status for r in runs):
            return runs
        time.sleep(0.3)
    raise AssertionError(f"runs not done: {[(r.id, r.status, r.error) for r in runs]}")


def stored_spend(db, account_id, start, end):
    return db.session.execute(
        text(
            "SELECT coalesce(sum(spend), 0) FROM campaign_daily_metrics WHERE ad_account_id = :a "
            "AND breakdown = 'none' AND date BETWEEN :s AND :e"
        ),
        {"a": account_id, "s": start, "e": end},
    ).scalar_one()


def test_a_backfill_runs_in_chunks_on_the_worker_and_matches_the_platform(
    app, db, world, sandbox, celery_worker
):
    sandbox_accounts = [world.accounts_of(p)[0] for p in sandbox.servers]
    checks = []
    for sandbox_account in sandbox_accounts:
        account = add_sandbox_account(app, db, sandbox_account)
        end = account_today(account) - dt.timedelta(days=1)
        start = end - dt.timedelta(days=44)
        runs = request_sync(account.id, "backfill", start, end)
        assert len(runs) == 2
        checks.append((account.id, sandbox_account, start, end, [r.id for r in runs]))
    for account_id, sandbox_account, start, end, run_ids in checks:
        runs = wait_for_runs(db, run_ids)
        assert [r.status for r in runs] == ["succeeded"] * 2, [r.error for r in runs]
        assert (
            stored_spend(db, account_id, start, end)
            == world.total(sandbox_account, start, end).spend
        )


def other_redis_db(url: str) -> str:
    """The same Redis server, another database: kombu's unacked-message index is per database,
    and this test must not wait behind other tests' (or other runs') unacknowledged messages."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = "13" if query.get("db") != "13" else "12"
        return urlunsplit(parts._replace(query=urlencode(query)))
    db_no = parts.path.strip("/") or "0"
    return urlunsplit(parts._replace(path="/" + ("13" if db_no != "13" else "12")))


def test_a_worker_killed_mid_sync_loses_nothing_and_the_redelivered_task_finishes(
    app_config, db, world, sandbox
):
    queue = f"spendlens-kill-{RUN_ID}"
    config = {
        **app_config,
        "CELERY_QUEUE": queue,
        "CELERY": {"task_default_queue": queue},
        "BROKER_VISIBILITY_TIMEOUT": 3,
    }
    import redis

    redis.Redis.from_url(config["REDIS_URL"]).flushdb()
    kill_app = create_app(config)
    env = service_env(config, SPENDLENS_BROKER_VISIBILITY_TIMEOUT="3")
    sandbox_account = world.accounts_of(next(iter(sandbox.servers)))[0]
    world.set_faults(sandbox_account.external_id, {"slow"})
    worker = start_worker(env, queue, concurrency=1, name="victim", new_session=True)
    try:
        wait_for_worker(kill_app, worker, queue)
        with kill_app.app_context():
            account = add_sandbox_account(kill_app, database, sandbox_account)
            end = account_today(account) - dt.timedelta(days=1)
            start = end - dt.timedelta(days=20)
            (run,) = request_sync(account.id, "backfill", start, end)
            wait_for_runs(database, [run.id], timeout=60, status=("running",))
            time.sleep(1.0)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            database.session.expire_all()
            assert database.session.get(SyncRun, run.id).status == "running"
            assert stored_spend(database, account.id, start, end) == 0
            world.set_faults(sandbox_account.external_id, set())
            worker = start_worker(env, queue, concurrency=1, name="successor")
            (done,) = wait_for_runs(database, [run.id], timeout=180)
            assert done.status == "succeeded", done.error
            assert done.attempts == 2
            assert (
                stored_spend(database, account.id, start, end)
                == world.total(sandbox_account, start, end).spend
            )
            database.session.remove()
    finally:
        stop_process(worker)
