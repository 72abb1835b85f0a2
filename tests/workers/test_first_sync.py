"""An ad account added through the API has its history queued at once and synced by the real
worker, not left for the next scheduled sync."""

from __future__ import annotations

import datetime as dt

from backend.models import SyncRun
from backend.services.ingestion.windows import account_today
from tests.backend.ingestion.conftest import sandbox_credentials
from tests.workers.test_sync_worker import stored_spend, wait_for_runs


def test_an_account_added_through_the_api_is_synced_by_the_worker(
    app, db, world, sandbox, celery_worker, client_for, monkeypatch
):
    monkeypatch.setitem(app.config, "SYNC_ON_CREATE", True)
    monkeypatch.setitem(app.config, "HISTORY_DAYS", 40)
    admin = client_for("admin")
    sandbox_account = world.accounts_of("meta")[0]
    answer = admin.post(
        "/api/ad-accounts",
        json={
            "platform": "meta",
            "external_id": sandbox_account.external_id,
            "name": sandbox_account.name,
            "currency": sandbox_account.currency,
            "timezone": sandbox_account.timezone,
            "credentials": sandbox_credentials("meta"),
        },
    )
    assert answer.status_code == 201, answer.json
    account_id = answer.json["id"]
    runs = db.session.query(SyncRun).filter_by(ad_account_id=account_id).all()
    assert runs, "no sync was queued for the new account"
    assert {r.kind for r in runs} == {"initial"}
    assert all(r.task_id for r in runs)

    done = wait_for_runs(db, [r.id for r in runs])
    assert [r.status for r in done] == ["succeeded"] * len(done), [r.error for r in done]
    from backend.models import AdAccount

    account = db.session.get(AdAccount, account_id)
    today = account_today(account)
    start = min(r.window_start for r in done)
    assert start <= today - dt.timedelta(days=40)
    assert max(r.window_end for r in done) == today
    yesterday = today - dt.timedelta(days=1)
    truth = world.total(sandbox_account, start, yesterday).spend
    assert truth > 0
    assert stored_spend(db, account_id, start, yesterday) == truth


def test_without_sync_on_create_nothing_is_queued(app, db, client_for):
    assert app.config["SYNC_ON_CREATE"] is False
    from tests.backend.auth.conftest import account_payload

    answer = client_for("admin").post("/api/ad-accounts", json=account_payload())
    assert answer.status_code == 201, answer.json
    assert db.session.query(SyncRun).count() == 0
