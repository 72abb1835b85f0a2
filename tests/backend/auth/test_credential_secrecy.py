"""No part of a stored secret is readable anywhere but through the key: not in the database
column, not in any API answer, not in any log line, not in the audit log."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from tests.backend.auth.conftest import account_payload, meta_credentials, point_app_at


def pieces(secret: str, size: int = 6) -> set[str]:
    """Every `size`-character substring of `secret`."""
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def leaks(text: str, secrets: list[str]) -> set[str]:
    return {piece for s in secrets for piece in pieces(s) if piece in text}


@pytest.fixture
def secret_values() -> tuple[dict, list[str]]:
    credentials = meta_credentials()
    return credentials, [credentials["access_token"], credentials["app_secret"]]


def test_the_encrypted_column_holds_no_part_of_the_secret(admin, db, secret_values):
    credentials, secrets = secret_values
    assert admin.post("/api/ad-accounts", json=account_payload(credentials)).status_code == 201
    [raw] = db.session.execute(sa.text("SELECT credentials_encrypted FROM ad_accounts")).scalars()
    raw = bytes(raw)
    for secret in secrets:
        for piece in pieces(secret):
            assert piece.encode() not in raw
    assert credentials["app_id"].encode() not in raw


def test_no_answer_and_no_log_line_holds_any_part_of_a_secret(
    app, admin, db, caplog, monkeypatch, meta_sandbox, secret_values
):
    credentials, secrets = secret_values
    point_app_at(app, monkeypatch, meta_sandbox)
    caplog.set_level(logging.DEBUG)
    answers = []

    def call(method: str, url: str, **kwargs):
        response = admin.open(url, method=method, **kwargs)
        answers.append(f"{response.status_code} {response.headers} {response.get_data(True)}")
        return response

    created = call("POST", "/api/ad-accounts", json=account_payload(credentials)).json
    url = f"/api/ad-accounts/{created['id']}"
    call("GET", "/api/ad-accounts")
    call("GET", url)
    call("PATCH", url, json={"name": "renamed", "credentials": created["credentials"]})
    call("POST", f"{url}/test-connection")
    call(
        "POST",
        "/api/ad-accounts/test-connection",
        json={"platform": "meta", "credentials": credentials},
    )
    bad = {**credentials, "app_id": "x"}
    call("POST", "/api/ad-accounts/test-connection", json={"platform": "meta", "credentials": bad})
    call("GET", "/api/audit")
    assert len(answers) == 8
    assert all(a[:3] in {"200", "201", "422"} for a in answers), [a[:3] for a in answers]
    assert not leaks("\n".join(answers), secrets)
    assert not leaks(caplog.text, secrets)
    assert any(r.name.startswith(("urllib3", "facebook", "connectors")) for r in caplog.records)


def test_a_library_that_logs_a_secret_is_redacted(app, admin, caplog, monkeypatch, secret_values):
    """The safety net: an exception quoting the token, logged with its traceback."""
    credentials, secrets = secret_values

    def explode(platform, creds, retry=None):
        raise RuntimeError(f"cannot parse token {creds['access_token']} / {creds['app_secret']}")

    monkeypatch.setattr("backend.services.accounts.build_connector", explode)
    caplog.set_level(logging.DEBUG)
    response = admin.post(
        "/api/ad-accounts/test-connection", json={"platform": "meta", "credentials": credentials}
    )
    assert response.status_code == 200
    assert response.json["ok"] is False
    assert "server log" in response.json["message"]
    assert "cannot parse token [secret] / [secret]" in caplog.text
    assert not leaks(caplog.text + response.get_data(True), secrets)


def test_the_audit_log_holds_no_part_of_a_secret(admin, db, secret_values):
    credentials, secrets = secret_values
    created = admin.post("/api/ad-accounts", json=account_payload(credentials)).json
    admin.patch(f"/api/ad-accounts/{created['id']}", json={"credentials": meta_credentials()})
    admin.delete(f"/api/ad-accounts/{created['id']}")
    rows = db.session.execute(sa.text("SELECT before::text, after::text FROM audit_log")).all()
    assert len(rows) == 4  # the admin's creation, then create, update, delete
    assert not leaks(str(rows), secrets)
