"""Beat's reaper on the real database and Redis: runs whose task is gone are failed with a reason,
their slots freed and their window queued again; runs whose task lives are left alone."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from sqlalchemy import text

from backend import create_app
from backend.extensions import db as database
from backend.models import SyncRun
from backend.services.ingestion import recovery
from backend.services.ingestion.sync import request_sync, schedule_all
from backend.services.ingestion.windows import account_today
from tests.backend.ingestion.conftest import add_sandbox_account
from tests.conftest import RUN_ID, truncate_all
from tests.workers.test_sync_worker import stored_spend, wait_for_runs
from workers.tasks.sync import _slots, reap_orphaned_runs


@pytest.fixture
def idle_app(app, app_config):
    """An app on a queue no worker consumes: what the broker holds stays as the test left it."""
    queue = f"spendlens-reaper-{RUN_ID}"
    app = create_app({**app_config, "CELERY_QUEUE": queue, "CELERY": {"task_default_queue": queue}})
    client = redis.Redis.from_url(app_config["REDIS_URL"])
    with app.app_context():
        yield app
        database.session.remove()
    client.delete(queue)
    truncate_all(app)


def backfill(app, world, platform="meta", days=10):
    sandbox_account = world.accounts_of(platform)[0]
    account = add_sandbox_account(app, database, sandbox_account)
    end = account_today(account) - dt.timedelta(days=1)
    (run,) = request_sync(account.id, "backfill", end - dt.timedelta(days=days - 1), end)
    return account, sandbox_account, run


def age(run_id: int, seconds: int, status: str | None = None) -> None:
    """Make a run look as if its task last showed itself `seconds` ago."""
    database.session.execute(
        text(
            "UPDATE sync_runs SET created_at = now() - make_interval(secs => :s), "
            "heartbeat_at = now() - make_interval(secs => :s), "
            "status = coalesce(:status, status) WHERE id = :id"
        ),
        {"s": seconds, "id": run_id, "status": status},
    )
    database.session.commit()


def test_a_queued_run_waiting_in_the_queue_is_left_alone(idle_app, world):
    _, _, run = backfill(idle_app, world)
    age(run.id, 3600)
    assert reap_orphaned_runs() == {"reaped": [], "requeued": []}
    assert database.session.get(SyncRun, run.id).status == "queued"


def test_a_queued_run_whose_message_the_broker_lost_is_failed_and_queued_again(idle_app, world):
    _, _, run = backfill(idle_app, world)
    age(run.id, 600)
    redis.Redis.from_url(idle_app.config["REDIS_URL"]).delete(idle_app.config["CELERY_QUEUE"])
    answer = reap_orphaned_runs()
    assert answer["reaped"] == [run.id]
    database.session.expire_all()
    reaped = database.session.get(SyncRun, run.id)
    assert reaped.status == "failed"
    assert reaped.error_kind == "orphaned"
    assert "no longer in the broker" in reaped.error
    (replacement_id,) = answer["requeued"]
    replacement = database.session.get(SyncRun, replacement_id)
    assert (replacement.status, replacement.retry_of_id) == ("queued", run.id)
    assert (replacement.window_start, replacement.window_end) == (run.window_start, run.window_end)
    assert recovery.latest_attempt(run.id).id == replacement_id
    # its message is in the queue: the next pass leaves it alone
    assert reap_orphaned_runs()["reaped"] == []


def test_a_running_run_whose_heartbeat_stopped_is_reaped_and_its_slot_freed(idle_app, world):
    _, _, run = backfill(idle_app, world)
    age(run.id, 600, status="running")
    slots = _slots()
    assert slots.acquire("meta", holder=run.task_id) == run.task_id
    answer = reap_orphaned_runs()
    assert answer["reaped"] == [run.id]
    database.session.expire_all()
    assert "no heartbeat" in database.session.get(SyncRun, run.id).error
    assert run.task_id not in slots.holders("meta")


def test_a_running_run_that_beats_is_left_alone(idle_app, world):
    _, _, run = backfill(idle_app, world)
    age(run.id, 600, status="running")
    assert recovery.record_heartbeat(run.id) is True
    assert reap_orphaned_runs()["reaped"] == []
    database.session.expire_all()
    assert database.session.get(SyncRun, run.id).status == "running"


def test_a_heartbeat_tells_a_task_its_run_was_given_up(idle_app, world):
    _, _, run = backfill(idle_app, world)
    age(run.id, 600, status="running")
    reap_orphaned_runs()
    assert recovery.record_heartbeat(run.id) is False


def test_a_window_reaped_too_often_is_not_queued_again(idle_app, world):
    _, _, run = backfill(idle_app, world)
    database.session.execute(
        text("UPDATE sync_runs SET attempts = :n WHERE id = :id"),
        {"n": recovery.MAX_ATTEMPTS, "id": run.id},
    )
    age(run.id, 600, status="running")
    answer = reap_orphaned_runs()
    assert (answer["reaped"], answer["requeued"]) == ([run.id], [])


def test_an_orphaned_scheduled_run_is_synced_again_and_no_longer_blocks_the_schedule(
    app, db, world, celery_worker
):
    sandbox_account = world.accounts_of("meta")[0]
    account = add_sandbox_account(app, db, sandbox_account)
    # a scheduled run whose task died with its worker: running, silent, its message gone
    db.session.execute(
        text(
            "INSERT INTO sync_runs (ad_account_id, kind, window_start, window_end, status, "
            "task_id, attempts, rows, reconciliation_flagged, created_at, heartbeat_at) "
            "VALUES (:a, 'scheduled', :s, :e, 'running', 'gone-task', 1, 0, false, "
            "now() - interval '1 hour', now() - interval '1 hour')"
        ),
        {
            "a": account.id,
            "s": account_today(account) - dt.timedelta(days=9),
            "e": account_today(account),
        },
    )
    db.session.commit()
    orphan = db.session.query(SyncRun).filter_by(task_id="gone-task").one()
    assert schedule_all() == 0, "the orphan blocks the account's schedule"
    answer = reap_orphaned_runs()
    assert answer["reaped"] == [orphan.id]
    (replacement,) = wait_for_runs(db, answer["requeued"])
    assert replacement.status == "succeeded", replacement.error
    assert replacement.kind == "scheduled"
    assert (
        stored_spend(db, account.id, orphan.window_start, orphan.window_end)
        == world.total(sandbox_account, orphan.window_start, orphan.window_end).spend
    )
    assert schedule_all() > 0, "the account's schedule goes on"
