"""Backfills that meet outages, on a PostgreSQL cluster and a redis-server of the test's own,
real Celery worker and beat processes and the sandbox platforms: PostgreSQL restarted, Redis
restarted (with its data, and empty), a worker's process group SIGKILLed. In each case every
planned window ends with a succeeded run within a bounded time and the stored totals equal the
platform's."""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest

from backend.extensions import db
from backend.models import SyncRun
from backend.services.ingestion.sync import request_sync
from backend.services.ingestion.windows import account_today
from tests.backend.ingestion.conftest import add_sandbox_account
from tests.chaos import Stack, patiently, stored_spend, wait_for_running, wait_for_windows
from tests.conftest import truncate_all
from tests.servers import kill_group

#: Every window done within this many seconds of the fault (the machine is shared and slow).
BOUND_S = 420


@pytest.fixture(scope="module")
def stack(sandbox, encryption_keys):
    stack = Stack(sandbox.config(), encryption_keys)
    yield stack
    stack.stop()


@pytest.fixture
def chaos(stack, world):
    started = len(stack.processes)
    with stack.app.app_context():
        yield stack
        db.session.remove()
    for proc in stack.processes[started:]:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
    if stack.redis.proc is None:
        stack.redis.start()
    truncate_all(stack.app)


def plan_backfills(stack, world, sandbox, days=75):
    """A slow backfill of one account per platform; [(account, sandbox account, start, end,
    planned run ids)]."""
    plans = []
    for platform in sandbox.servers:
        sandbox_account = world.accounts_of(platform)[0]
        world.set_faults(sandbox_account.external_id, {"slow"})
        account = add_sandbox_account(stack.app, db, sandbox_account)
        end = account_today(account) - dt.timedelta(days=1)
        start = end - dt.timedelta(days=days - 1)
        runs = request_sync(account.id, "backfill", start, end)
        plans.append((account.id, sandbox_account, start, end, [r.id for r in runs]))
    return plans


def assert_complete(world, plans, timeout=BOUND_S):
    run_ids = [run_id for *_, ids in plans for run_id in ids]
    states = wait_for_windows(run_ids, timeout)
    assert {status for status, _ in states.values()} == {"succeeded"}, states
    for account_id, sandbox_account, start, end, _ in plans:
        stored = patiently(lambda a=account_id, s=start, e=end: stored_spend(a, s, e))
        assert stored == world.total(sandbox_account, start, end).spend, sandbox_account.platform
    return states


def test_a_postgres_restart_during_a_backfill_loses_no_run_and_no_row(chaos, world, sandbox):
    worker = chaos.worker("pg")
    chaos.beat()
    plans = plan_backfills(chaos, world, sandbox)
    wait_for_running()
    db.session.remove()
    chaos.pg.restart(down_s=2)
    assert_complete(world, plans)
    assert worker.poll() is None


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGKILL], ids=["with-its-data", "come-back-empty"]
)
def test_a_redis_restart_under_a_running_worker_loses_nothing(chaos, world, sandbox, sig):
    worker = chaos.worker("redis")
    chaos.beat()
    plans = plan_backfills(chaos, world, sandbox)
    wait_for_running()
    chaos.redis.restart(down_s=3, sig=sig)
    assert_complete(world, plans)
    assert worker.poll() is None, "the worker died with Redis"
    log = (chaos.logs / f"chaos-redis-{os.getpid()}.log").read_text(errors="replace")
    assert "Unrecoverable error" not in log


def test_a_sigkilled_worker_group_has_its_runs_reaped_and_finished_in_minutes(
    chaos, world, sandbox
):
    victim = chaos.worker("victim")
    chaos.beat()
    plans = plan_backfills(chaos, world, sandbox)
    wait_for_running()
    kill_group(victim.pid)
    victim.wait()
    db.session.expire_all()
    killed = [r.id for r in db.session.query(SyncRun).filter_by(status="running")]
    db.session.commit()
    assert killed, "no run was running when the worker died"
    chaos.worker("successor")
    assert_complete(world, plans)
    # the killed runs were reaped (the broker would give their tasks back only after its
    # visibility timeout, two hours), and the runs that took them over succeeded
    for run_id in killed:
        lost = db.session.get(SyncRun, run_id)
        assert (lost.status, lost.error_kind) == ("failed", "orphaned"), lost.error
        assert "no heartbeat" in lost.error
