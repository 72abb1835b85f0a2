"""Testing a connection against the sandbox platforms: ok for good credentials, the platform's
own message for bad ones, and the credentials' expiry recorded on a saved account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.models import AdAccount
from connectors.sandbox.apple_search_ads import world as apple_sandbox
from connectors.sandbox.google_ads import world as google_sandbox
from connectors.sandbox.meta import world as meta_sandbox
from tests.backend.auth.conftest import account_payload, point_app_at


def _test(admin, platform: str, credentials: dict, external_id: str | None = None) -> dict:
    body = {"platform": platform, "credentials": credentials}
    if external_id is not None:
        body["external_id"] = external_id
    response = admin.post("/api/ad-accounts/test-connection", json=body)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def on_meta(app, monkeypatch, meta_sandbox):
    point_app_at(app, monkeypatch, meta_sandbox)
    return meta_sandbox


@pytest.fixture
def on_google(app, monkeypatch, google_sandbox):
    point_app_at(app, monkeypatch, google_sandbox)
    return google_sandbox


@pytest.fixture
def on_apple(app, monkeypatch, apple_sandbox):
    point_app_at(app, monkeypatch, apple_sandbox)
    return apple_sandbox


def test_meta_good_credentials_connect(admin, on_meta):
    result = _test(admin, "meta", meta_sandbox.config())
    assert result["ok"] is True
    assert result["accounts"] >= 1


def test_meta_expired_token_reports_metas_message(admin, on_meta):
    result = _test(admin, "meta", meta_sandbox.config(meta_sandbox.EXPIRED_TOKEN))
    assert result["ok"] is False
    assert result["message"]
    assert meta_sandbox.EXPIRED_TOKEN not in result["message"]


def _meta_account_without_expiry(admin, on_meta, db) -> dict:
    """A Meta account added through the API, its recorded expiry then forgotten."""
    external_id = on_meta.world.accounts_of("meta")[0].external_id
    created = admin.post(
        "/api/ad-accounts",
        json=account_payload(meta_sandbox.config(), external_id=external_id),
    ).json
    db.session.execute(
        sa.update(AdAccount).where(AdAccount.id == created["id"]).values(credentials_expire_at=None)
    )
    db.session.commit()
    return created


def test_a_saved_account_test_records_the_credentials_expiry(admin, on_meta, db):
    created = _meta_account_without_expiry(admin, on_meta, db)
    result = admin.post(f"/api/ad-accounts/{created['id']}/test-connection").json
    assert result["ok"] is True
    assert result["expires_at"] is not None
    db.session.expire_all()
    stored = db.session.get(AdAccount, created["id"])
    assert stored.credentials_expire_at.isoformat() == result["expires_at"]
    listed = {a["id"]: a for a in admin.get("/api/ad-accounts").json}
    assert listed[created["id"]]["credentials_expire_at"] == result["expires_at"]


def test_adding_an_account_records_the_expiry_its_test_reported(admin, on_meta):
    external_id = on_meta.world.accounts_of("meta")[0].external_id
    tested = _test(admin, "meta", meta_sandbox.config(), external_id)
    assert tested["ok"] is True and tested["expires_at"] is not None
    created = admin.post(
        "/api/ad-accounts",
        json=account_payload(meta_sandbox.config(), external_id=external_id),
    )
    assert created.status_code == 201, created.json
    assert created.json["credentials_expire_at"] == tested["expires_at"]


def test_new_credentials_record_their_own_expiry(admin, on_meta, db):
    created = _meta_account_without_expiry(admin, on_meta, db)
    external_id = created["external_id"]
    changed = admin.patch(
        f"/api/ad-accounts/{created['id']}",
        json={"credentials": {**meta_sandbox.config(), "account_ids": external_id}},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["credentials_expire_at"] is not None


def test_currency_and_time_zone_are_read_from_the_platform_when_omitted(admin, on_meta):
    account = on_meta.world.accounts_of("meta")[0]
    payload = account_payload(meta_sandbox.config(), external_id=account.external_id)
    del payload["currency"], payload["timezone"]
    response = admin.post("/api/ad-accounts", json=payload)
    assert response.status_code == 201, response.json
    assert (response.json["currency"], response.json["timezone"]) == (
        account.currency,
        account.timezone,
    )


def test_adding_an_account_the_credentials_do_not_read_is_refused_at_its_id(admin, on_meta):
    payload = account_payload(meta_sandbox.config(), external_id="act_404404")
    del payload["currency"]
    response = admin.post("/api/ad-accounts", json=payload)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["external_id"]
    readable = on_meta.world.accounts_of("meta")[0].external_id
    message = response.json["errors"]["external_id"][0]
    assert "do not read account act_404404" in message and readable in message


def test_adding_with_refused_credentials_is_refused_at_the_credentials(admin, on_meta):
    payload = account_payload(meta_sandbox.config(meta_sandbox.EXPIRED_TOKEN))
    del payload["currency"], payload["timezone"]
    response = admin.post("/api/ad-accounts", json=payload)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["credentials"]
    assert meta_sandbox.EXPIRED_TOKEN not in response.json["errors"]["credentials"][0]


def test_a_test_with_an_account_id_the_credentials_do_not_read_fails_at_the_id(admin, on_meta):
    result = _test(admin, "meta", meta_sandbox.config(), external_id="act_404404")
    assert result["ok"] is False
    assert result["field"] == "external_id"
    assert result["account"] is None
    for account in on_meta.world.accounts_of("meta"):
        assert account.external_id in result["message"]


def test_a_test_with_a_readable_account_id_describes_that_account(admin, on_meta):
    account = on_meta.world.accounts_of("meta")[0]
    result = _test(admin, "meta", meta_sandbox.config(), external_id=account.external_id)
    assert result["ok"] is True
    assert result["field"] is None
    assert result["account"] == {
        "external_id": account.external_id,
        "name": account.name,
        "currency": account.currency,
        "timezone": account.timezone,
    }


def test_refused_credentials_fail_at_the_credentials_whatever_the_id(admin, on_meta):
    credentials = meta_sandbox.config(meta_sandbox.EXPIRED_TOKEN)
    result = _test(admin, "meta", credentials, external_id="act_404404")
    assert (result["ok"], result["field"]) == (False, "credentials")


def test_a_saved_account_its_credentials_no_longer_read_fails_its_test(admin, on_meta):
    payload = account_payload(meta_sandbox.config(), external_id="act_404404")
    created = admin.post("/api/ad-accounts", json=payload)  # currency and zone given: no lookup
    assert created.status_code == 201, created.json
    result = admin.post(f"/api/ad-accounts/{created.json['id']}/test-connection").json
    assert (result["ok"], result["field"]) == (False, "external_id")
    assert "act_404404" in result["message"]


def test_google_good_credentials_connect(admin, on_google):
    assert _test(admin, "google_ads", google_sandbox.config())["ok"] is True


def test_a_google_customer_id_is_found_with_or_without_its_dashes(admin, on_google):
    bare = on_google.sandbox.world.accounts_of("google_ads")[0].external_id.replace("-", "")
    dashed = f"{bare[:3]}-{bare[3:6]}-{bare[6:]}"
    for external_id in (bare, dashed):
        result = _test(admin, "google_ads", google_sandbox.config(), external_id=external_id)
        assert result["ok"] is True, result
        assert result["account"]["external_id"].replace("-", "") == bare
        assert ".." not in result["message"], result["message"]  # one sentence after another


def test_google_revoked_refresh_token_reports_googles_message(admin, on_google):
    result = _test(admin, "google_ads", google_sandbox.config(google_sandbox.REVOKED_REFRESH_TOKEN))
    assert result["ok"] is False
    assert result["message"]


def test_apple_good_credentials_connect_and_tell_their_expiry(admin, on_apple):
    result = _test(admin, "apple_search_ads", apple_sandbox.config())
    assert result["ok"] is True
    assert result["expires_at"] is not None


def test_apple_unknown_key_reports_apples_message(admin, on_apple):
    other_key = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    result = _test(admin, "apple_search_ads", apple_sandbox.config(other_key))
    assert result["ok"] is False
    assert result["message"]
    assert "PRIVATE KEY" not in result["message"]


def test_an_unreachable_platform_is_reported_not_raised(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "META_GRAPH_URL", "http://127.0.0.1:9")
    result = _test(admin, "meta", meta_sandbox.config())
    assert result["ok"] is False
    assert result["message"]
