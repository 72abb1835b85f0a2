"""/api/ad-accounts and /api/platforms: admins add and change accounts; every role reads them,
never their credentials; credentials are checked against the platform's schema."""

from __future__ import annotations

import pytest

from backend.models import AccountStatus, AdAccount
from backend.services import account_credentials
from connectors import platform_label, platform_spec
from connectors import platforms as registered_platforms
from tests.backend.auth.conftest import account_payload, meta_credentials


@pytest.fixture
def created(admin):
    credentials = meta_credentials()
    response = admin.post("/api/ad-accounts", json=account_payload(credentials))
    assert response.status_code == 201, response.json
    return response.json, credentials


def test_admin_sees_credentials_masked(created):
    account, credentials = created
    shown = account["credentials"]
    assert shown["app_id"] == "100200300"
    assert shown["access_token"] == "••••" + credentials["access_token"][-4:]
    assert shown["app_secret"] == "••••" + credentials["app_secret"][-4:]
    assert account["has_credentials"] is True and account["status"] == "active"


def test_short_secrets_are_masked_without_a_suffix():
    assert account_credentials.mask_value("short-secret") == "••••"


@pytest.mark.parametrize("role", ["marketer", "finance"])
def test_other_roles_read_accounts_without_credentials(created, client_for, role):
    account, _ = created
    client = client_for(role)
    listed = client.get("/api/ad-accounts").json
    detail = client.get(f"/api/ad-accounts/{account['id']}").json
    for shown in (listed[0], detail):
        assert shown["name"] == "Meta main"
        assert "credentials" not in shown
        assert shown["has_credentials"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"access_token": None}, "credentials.access_token"),
        ({"app_id": "not digits"}, "credentials.app_id"),
        ({"surprise": "x"}, "credentials.surprise"),
        ({"app_secret": 12345}, "credentials.app_secret"),
    ],
)
def test_credentials_are_checked_against_the_platform_schema(admin, change, field):
    credentials = {**meta_credentials(), **change}
    credentials = {k: v for k, v in credentials.items() if v is not None}
    response = admin.post("/api/ad-accounts", json=account_payload(credentials))
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_unknown_platform_and_time_zone_are_422(admin):
    assert (
        "platform"
        in admin.post("/api/ad-accounts", json=account_payload(platform="tiktok")).json["errors"]
    )
    assert (
        "timezone"
        in admin.post("/api/ad-accounts", json=account_payload(timezone="Mars/Olympus")).json[
            "errors"
        ]
    )


def test_an_account_currency_must_be_iso_4217(admin):
    response = admin.post("/api/ad-accounts", json=account_payload(currency="XYZ"))
    assert response.status_code == 422
    assert response.json["errors"] == {"currency": ["is not an ISO 4217 currency code"]}


def test_the_same_platform_account_twice_is_409(admin, created):
    response = admin.post("/api/ad-accounts", json=account_payload())
    assert response.status_code == 409


def test_admin_renames_and_disables(admin, created):
    account, _ = created
    response = admin.patch(
        f"/api/ad-accounts/{account['id']}", json={"name": "Renamed", "status": "disabled"}
    )
    assert response.status_code == 200
    assert (response.json["name"], response.json["status"]) == ("Renamed", "disabled")


def test_status_needs_credentials_cannot_be_set_by_hand(admin, created):
    account, _ = created
    response = admin.patch(
        f"/api/ad-accounts/{account['id']}", json={"status": "needs_credentials"}
    )
    assert response.status_code == 422


def test_new_credentials_reactivate_an_account_that_needed_them(admin, created, db):
    account, _ = created
    stored = db.session.get(AdAccount, account["id"])
    stored.status = AccountStatus.NEEDS_CREDENTIALS.value
    db.session.commit()
    fresh = meta_credentials()
    response = admin.patch(f"/api/ad-accounts/{account['id']}", json={"credentials": fresh})
    assert response.status_code == 200
    assert response.json["status"] == "active"
    db.session.expire_all()
    box = account_credentials.box()
    assert box.decrypt(db.session.get(AdAccount, account["id"]).credentials_encrypted) == fresh


def test_masks_sent_back_keep_the_stored_secrets(admin, created, db):
    account, credentials = created
    form = {**account["credentials"], "app_id": "999"}
    response = admin.patch(f"/api/ad-accounts/{account['id']}", json={"credentials": form})
    assert response.status_code == 200
    db.session.expire_all()
    stored = account_credentials.box().decrypt(
        db.session.get(AdAccount, account["id"]).credentials_encrypted
    )
    assert stored == {**credentials, "app_id": "999"}


def test_delete_removes_the_account(admin, created):
    account, _ = created
    assert admin.delete(f"/api/ad-accounts/{account['id']}").status_code == 204
    assert admin.get(f"/api/ad-accounts/{account['id']}").status_code == 404


def test_changes_are_audited_with_secrets_replaced(admin, created):
    account, credentials = created
    admin.patch(f"/api/ad-accounts/{account['id']}", json={"credentials": meta_credentials()})
    entries = admin.get("/api/audit", query_string={"entity_type": "ad_account"}).json
    assert [e["action"] for e in entries] == ["ad_account.update", "ad_account.create"]
    update, create = entries
    assert create["after"]["credentials"] == {
        "access_token": "[secret]",
        "app_id": "100200300",
        "app_secret": "[secret]",
    }
    assert create["after"]["name"] == "Meta main"
    assert update["before"]["credentials"]["access_token"] == "[secret]"
    assert credentials["access_token"] not in str(entries)


def test_platforms_list_each_configuration_schema(marketer):
    platforms = {p["platform"]: p for p in marketer.get("/api/platforms").json}
    assert list(platforms) == list(registered_platforms())
    assert all(p["label"] == platform_label(name) for name, p in platforms.items())
    assert all(p["colour"] == platform_spec(name).colour for name, p in platforms.items())
    meta = platforms["meta"]
    assert meta["label"] == "Meta Ads" and meta["restatement_days"] == 28
    assert meta["available"] is True
    assert "access_token" in meta["configuration_schema"]["properties"]
    assert {"access_token", "app_secret"} <= set(meta["secret_fields"])
    assert "private_key" in platforms["apple_search_ads"]["secret_fields"]
    assert platforms["apple_search_ads"]["clicks_name"] == "taps"
    assert meta["clicks_name"] == "clicks"


def test_without_encryption_keys_saving_credentials_is_503_json(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", "")
    response = admin.post("/api/ad-accounts", json=account_payload())
    assert response.status_code == 503
    assert "SPENDLENS_ENCRYPTION_KEYS" in response.json["message"]
