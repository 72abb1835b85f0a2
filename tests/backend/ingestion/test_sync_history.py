"""An account's sync requests: each sync or backfill with its chunks' progress (days done of
total), rows, duration and full errors, newest first."""

from __future__ import annotations

import pytest

from backend.services.ingestion.sync import execute_sync_run
from connectors import RetryPolicy
from tests.backend.ingestion.conftest import add_sandbox_account

FAST = RetryPolicy(max_attempts=1, base_delay=0.01, max_delay=0.05)


@pytest.fixture(autouse=True)
def runs_stay_with_the_test(monkeypatch):
    """These tests carry out each run themselves (execute_sync_run), in a chosen order: the
    queued tasks are kept from the session's worker, which would otherwise race them."""
    sent = []
    for module in ("backend.services.ingestion.sync", "backend.services.ingestion.recovery"):
        monkeypatch.setattr(f"{module}.send_task", lambda *args, **kwargs: sent.append(args))
    return sent


def _backfill(admin, account_id: int, start: str, end: str) -> list[dict]:
    response = admin.post(
        f"/api/ad-accounts/{account_id}/backfill", json={"start": start, "end": end}
    )
    assert response.status_code == 202, response.json
    return sorted(response.json, key=lambda r: r["window_start"])


def _requests(client, account_id: int) -> list[dict]:
    response = client.get(f"/api/ad-accounts/{account_id}/sync-requests")
    assert response.status_code == 200, response.json
    return response.json


def test_a_backfill_is_one_request_whose_progress_counts_the_days_done(app, db, admin, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    first, second = _backfill(admin, account.id, "2026-01-01", "2026-03-01")  # 60 days, 2 chunks

    (queued,) = _requests(admin, account.id)
    assert queued["kind"] == "backfill" and queued["status"] == "queued"
    assert (queued["window_start"], queued["window_end"]) == ("2026-01-01", "2026-03-01")
    progress = (queued["days"], queued["days_done"], queued["runs"], queued["runs_done"])
    assert progress == (60, 0, 2, 0)
    assert queued["started_at"] is None and queued["duration_ms"] is None

    execute_sync_run(first["id"], FAST)
    (halfway,) = _requests(admin, account.id)
    assert halfway["status"] == "running"
    assert halfway["days_done"] == 30 and halfway["runs_done"] == 1
    assert halfway["rows"] > 0 and halfway["finished_at"] is None
    assert halfway["duration_ms"] is not None

    execute_sync_run(second["id"], FAST)
    (done,) = _requests(admin, account.id)
    assert done["status"] == "succeeded"
    assert (done["days_done"], done["runs_done"], done["runs_failed"]) == (60, 2, 0)
    assert done["rows"] > halfway["rows"] and done["errors"] == []
    assert done["finished_at"] is not None and done["duration_ms"] >= 0


def test_a_failed_chunk_fails_the_request_with_its_full_error(app, db, admin, sandbox, world):
    account = add_sandbox_account(app, db, world.accounts_of("meta")[0])
    runs = _backfill(admin, account.id, "2026-01-01", "2026-03-01")
    execute_sync_run(runs[0]["id"], FAST)
    world.set_faults(account.external_id, {"malformed"})
    execute_sync_run(runs[1]["id"], FAST)

    (request,) = _requests(admin, account.id)
    assert request["status"] == "failed"
    assert (request["days_done"], request["days_failed"], request["runs_failed"]) == (30, 30, 1)
    (error,) = request["errors"]
    assert error["status"] == "failed" and error["window_start"] == runs[1]["window_start"]
    stored = admin.get(f"/api/ad-accounts/{account.id}/sync-runs").json
    assert error["error"] == next(r["error"] for r in stored if r["id"] == runs[1]["id"])
    assert len(error["error"]) > 0


def test_a_run_the_reaper_queued_again_stays_in_its_request(app, db, admin, sandbox):
    import datetime as dt

    from backend.services.ingestion.recovery import reap

    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    _backfill(admin, account.id, "2026-01-01", "2026-03-01")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    report = reap(queued_task_ids=(), unacked_task_ids=(), now=later)  # both tasks "lost"
    assert len(report.requeued) == 2

    (request,) = _requests(admin, account.id)
    assert request["status"] == "queued"
    assert (request["runs"], request["days"], request["days_done"]) == (2, 60, 0)
    assert [e["status"] for e in request["errors"]] == ["retried", "retried"]
    for run_id in report.requeued:
        execute_sync_run(run_id, FAST)
    (done,) = _requests(admin, account.id)
    assert (done["status"], done["days_done"], done["runs_failed"]) == ("succeeded", 60, 0)


def test_each_request_is_its_own_entry_newest_first(app, db, admin, marketer, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    _backfill(admin, account.id, "2026-01-01", "2026-01-10")
    assert admin.post(f"/api/ad-accounts/{account.id}/sync").status_code == 202
    _backfill(admin, account.id, "2026-02-01", "2026-02-05")

    requests = _requests(marketer, account.id)  # every role reads them
    assert [(r["kind"], r["window_start"]) for r in requests][::2] == [
        ("backfill", "2026-02-01"),
        ("backfill", "2026-01-01"),
    ]
    assert requests[1]["kind"] == "manual"
    assert [r["days"] for r in requests][::2] == [5, 10]


def test_the_requests_of_an_unknown_account_are_not_found(app, db, admin):
    assert admin.get("/api/ad-accounts/999999/sync-requests").status_code == 404
    assert admin.get("/api/ad-accounts/1/sync-requests?limit=0").status_code == 422
