"""Google Ads accounts reached through a manager: the manager found when the account is added is
stored with it and sent on every sync, so credentials without a login_customer_id (the form
allows it) sync as well as credentials with one; customers Google refuses are reported by the
connection test. Against the Google Ads gRPC sandbox, through the official client."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.models import AdAccount, SyncRun
from backend.services.ingestion.sync import execute_sync_run
from connectors import RetryPolicy
from connectors.sandbox.google_ads import world as google_sandbox
from tests.backend.auth.conftest import account_payload, point_app_at

CLIENT = "2345678901"
MANAGER = google_sandbox.MANAGER_ID
FAST = RetryPolicy(base_delay=0.01, max_delay=0.05)


@pytest.fixture
def on_google(app, monkeypatch, google_sandbox):
    """The app pointed at the Google sandbox; accounts added here queue no first sync."""
    point_app_at(app, monkeypatch, google_sandbox)
    monkeypatch.setitem(app.config, "SYNC_ON_CREATE", False)
    yield google_sandbox
    google_sandbox.reset_answer_modes()


def no_login_credentials() -> dict[str, str]:
    config = google_sandbox.config()
    del config["login_customer_id"]
    return config


def add_google_account(admin, credentials: dict, **overrides) -> dict:
    fields = {
        "platform": "google_ads",
        "external_id": CLIENT,
        "name": "Acme Search UK",
        "currency": "GBP",
        "timezone": "Europe/London",
        **overrides,
    }
    payload = account_payload(credentials, **fields)
    response = admin.post("/api/ad-accounts", json=payload)
    assert response.status_code == 201, response.json
    return response.json


def sync(db, account_id: int) -> SyncRun:
    run = SyncRun(
        ad_account_id=account_id,
        kind="backfill",
        window_start=dt.date(2025, 6, 20),
        window_end=dt.date(2025, 6, 29),
        status="queued",
        attempts=0,
        rows=0,
    )
    db.session.add(run)
    db.session.commit()
    return execute_sync_run(run.id, FAST)


def test_the_manager_is_found_and_stored_when_the_account_is_added(admin, on_google):
    created = add_google_account(admin, no_login_credentials())
    assert created["manager_id"] == MANAGER


def test_the_manager_is_stored_when_currency_and_time_zone_are_read_too(admin, on_google):
    payload = account_payload(
        no_login_credentials(), platform="google_ads", external_id=CLIENT, name="UK"
    )
    del payload["currency"], payload["timezone"]
    created = admin.post("/api/ad-accounts", json=payload).json
    assert (created["currency"], created["manager_id"]) == ("GBP", MANAGER)


def test_an_account_without_login_customer_id_syncs_through_its_stored_manager(
    admin, db, on_google
):
    created = add_google_account(admin, no_login_credentials())
    since = len(on_google.calls)
    run = sync(db, created["id"])
    assert run.status == "succeeded", run.error
    db.session.expire_all()
    account = db.session.get(AdAccount, created["id"])
    assert account.status == "active"
    world = on_google.sandbox.world
    truth = world.total(world.account(CLIENT), dt.date(2025, 6, 20), dt.date(2025, 6, 29))
    assert run.platform_spend == run.stored_spend == truth.spend
    client_calls = [c for c in on_google.calls[since:] if c.customer_id == CLIENT]
    assert client_calls and {c.login_customer_id for c in client_calls} == {MANAGER}
    assert not [c for c in on_google.calls[since:] if "customer_client" in c.query]


def test_an_account_stored_before_its_manager_was_kept_still_syncs(admin, db, on_google):
    """Accounts added before the manager was stored (manager_id NULL) find it in the hierarchy."""
    created = add_google_account(admin, no_login_credentials())
    db.session.get(AdAccount, created["id"]).manager_id = None
    db.session.commit()
    run = sync(db, created["id"])
    assert run.status == "succeeded", run.error


def test_with_a_login_customer_id_no_lookup_is_made(admin, on_google):
    since = len(on_google.calls)
    created = add_google_account(admin, google_sandbox.config())
    assert created["manager_id"] is None
    assert on_google.calls[since:] == []


def test_an_unreachable_platform_does_not_refuse_the_account(admin, app, monkeypatch, on_google):
    monkeypatch.setitem(app.config, "GOOGLE_OAUTH_TOKEN_URL", "http://127.0.0.1:9/token")
    created = add_google_account(admin, no_login_credentials())
    assert created["manager_id"] is None


def test_new_credentials_look_the_manager_up_again(admin, on_google):
    created = add_google_account(admin, google_sandbox.config())
    response = admin.patch(
        f"/api/ad-accounts/{created['id']}", json={"credentials": no_login_credentials()}
    )
    assert response.status_code == 200, response.json
    assert response.json["manager_id"] == MANAGER


def test_the_connection_test_reports_a_cancelled_customer_and_still_passes(admin, on_google):
    on_google.add_customer("5550001111", status="CANCELED")
    response = admin.post(
        "/api/ad-accounts/test-connection",
        json={"platform": "google_ads", "credentials": no_login_credentials()},
    )
    assert response.status_code == 200
    result = response.json
    assert result["ok"] is True
    assert result["accounts"] == len(on_google.sandbox.world.accounts_of("google_ads"))
    assert result["skipped"] == ["5550001111: The customer can't be used because it isn't enabled."]


def test_a_cancelled_account_fails_its_sync_but_keeps_its_credentials(admin, db, on_google):
    on_google.add_customer("5550002222", status="ENABLED", manager_id=MANAGER)
    created = add_google_account(
        admin, no_login_credentials(), external_id="5550002222", currency="USD", timezone="UTC"
    )
    assert created["manager_id"] == MANAGER
    on_google.add_customer("5550002222", status="CANCELED", manager_id=MANAGER)
    run = sync(db, created["id"])
    assert run.status == "failed"
    assert run.error_kind == "AccountUnavailableError"
    assert "isn't enabled" in run.error
    db.session.expire_all()
    account = db.session.get(AdAccount, created["id"])
    assert account.status == "active"  # new credentials would not help: not needs_credentials
    assert "isn't enabled" in account.last_error
