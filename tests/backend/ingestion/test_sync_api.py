"""The sync API: health, runs, manual sync and backfill, exchange-rate upload."""

from __future__ import annotations

import datetime as dt
import io

from backend.models import SyncRun
from backend.services.ingestion.sync import execute_sync_run
from connectors import RetryPolicy
from tests.backend.ingestion.conftest import add_sandbox_account


def test_backfill_queues_chunked_runs_and_is_audited(app, db, admin, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    response = admin.post(
        f"/api/ad-accounts/{account.id}/backfill", json={"start": "2026-01-01", "end": "2026-03-01"}
    )
    assert response.status_code == 202, response.json
    windows = sorted((r["window_start"], r["window_end"]) for r in response.json)
    assert windows[0][0] == "2026-01-01" and windows[-1][1] == "2026-03-01"
    assert len(windows) == 2
    assert all(r["status"] == "queued" for r in response.json)
    audit = admin.get("/api/audit?entity_type=ad_account").json
    entries = audit["items"] if isinstance(audit, dict) else audit
    assert any(e["action"] == "ad_account.backfill" for e in entries)


def test_backfill_validation_names_the_field(app, db, admin, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    response = admin.post(
        f"/api/ad-accounts/{account.id}/backfill", json={"start": "2026-03-01", "end": "2026-01-01"}
    )
    assert response.status_code == 422
    assert "start" in response.json["errors"]
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = admin.post(
        f"/api/ad-accounts/{account.id}/backfill", json={"start": "2026-01-01", "end": future}
    )
    assert response.status_code == 422
    assert "end" in response.json["errors"]
    assert (
        admin.post(
            "/api/ad-accounts/999999/backfill", json={"start": "2026-01-01", "end": "2026-01-02"}
        ).status_code
        == 404
    )


def test_sync_health_reports_a_succeeded_run_with_reconciliation(app, db, marketer, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    end = dt.date.today() - dt.timedelta(days=2)
    run = SyncRun(
        ad_account_id=account.id,
        kind="manual",
        window_start=end - dt.timedelta(5),
        window_end=end,
        status="queued",
        attempts=0,
        rows=0,
    )
    db.session.add(run)
    db.session.commit()
    execute_sync_run(run.id, RetryPolicy(base_delay=0.01, max_delay=0.05))
    (health,) = marketer.get("/api/sync-health").json
    assert health["account_id"] == account.id
    assert health["last_status"] == "succeeded"
    assert health["freshness_hours"] < 1
    assert health["provisional_days"] == 28
    assert health["reconciliation"]["flagged"] is False
    assert health["fx_missing_currencies"] == []
    runs = marketer.get(f"/api/ad-accounts/{account.id}/sync-runs").json
    assert runs[0]["status"] == "succeeded" and runs[0]["rows"] > 0


def test_fx_upload_loads_rates_and_reports_bad_lines(app, db, finance):
    good = b"Date,USD,GBP\n2026-10-01,1.08,0.87\n"
    response = finance.post(
        "/api/fx-rates/upload", data={"file": (io.BytesIO(good), "eurofxref-hist.csv")}
    )
    assert response.status_code == 200, response.json
    assert response.json["rows"] == 2
    bad = b"Date,USD\n2026-10-01,abc\n"
    response = finance.post("/api/fx-rates/upload", data={"file": (io.BytesIO(bad), "bad.csv")})
    assert response.status_code == 422
    assert "line 2" in response.json["message"]
    assert "USD" in response.json["errors"]


def test_fx_upload_overwrites_a_stored_rate_only_when_asked(app, db, finance, admin):
    first = b"Date,USD,GBP\n2026-10-01,1.08,0.87\n"
    changed = b"Date,USD,GBP\n2026-10-01,1.08,0.90\n"
    upload = {"file": (io.BytesIO(first), "a.csv")}
    assert finance.post("/api/fx-rates/upload", data=upload).status_code == 200
    refused = finance.post("/api/fx-rates/upload", data={"file": (io.BytesIO(changed), "b.csv")})
    assert refused.status_code == 409
    assert refused.json["errors"] == {"overwrite": [refused.json["message"]]}
    done = finance.post(
        "/api/fx-rates/upload", data={"file": (io.BytesIO(changed), "b.csv"), "overwrite": "true"}
    )
    assert done.status_code == 200, done.json
    assert done.json["overwritten"] == 1
    entries = admin.get("/api/audit", query_string={"action": "fx_rates.overwrite"}).json
    assert [e["actor_email"] for e in entries] == [finance.user.email]


def test_fx_upload_refuses_a_column_that_is_no_currency(app, db, finance):
    body = b"Date,USD,XYZ\n2026-10-01,1.08,3.0\n"
    response = finance.post("/api/fx-rates/upload", data={"file": (io.BytesIO(body), "x.csv")})
    assert response.status_code == 422
    assert "XYZ" in response.json["errors"]


def test_a_marketer_cannot_start_a_backfill(app, db, marketer, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    response = marketer.post(
        f"/api/ad-accounts/{account.id}/backfill", json={"start": "2026-01-01", "end": "2026-01-02"}
    )
    assert response.status_code == 403


def test_campaigns_are_listed_by_account_and_name(app, db, marketer, sandbox):
    from tests.backend.ingestion.conftest import make_row
    from tests.backend.ingestion.test_slices import write

    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    day = dt.date(2026, 10, 1)
    write(
        db,
        account,
        [make_row(day, "c1", name="Brand US"), make_row(day, "c2", name="Video")],
        start=day,
        end=day,
    )
    rows = marketer.get(f"/api/campaigns?account_id={account.id}").json
    assert sorted(r["name"] for r in rows) == ["Brand US", "Video"]
    assert all(r["platform"] == "meta" for r in rows)
    assert [r["name"] for r in marketer.get("/api/campaigns?q=brand").json] == ["Brand US"]
    assert marketer.get("/api/campaigns?account_id=999").json == []


def test_limits_out_of_range_are_refused(app, db, marketer, sandbox):
    account = add_sandbox_account(app, db, sandbox.world.accounts_of("meta")[0])
    assert marketer.get("/api/campaigns?limit=-1").status_code == 422
    assert marketer.get(f"/api/ad-accounts/{account.id}/sync-runs?limit=0").status_code == 422


def test_a_nul_character_in_a_filter_is_refused_not_a_server_error(app, db, marketer):
    assert marketer.get("/api/campaigns?platform=%00x").status_code == 422
