"""`flask rotate-keys`: every credential re-encrypted under the newest key, readable with it
alone; all or nothing when a credential is unreadable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from backend.crypto import CredentialBox, CredentialsUnreadable
from backend.models import AdAccount
from tests.backend.auth.conftest import account_payload, meta_credentials


@pytest.fixture
def stored(admin) -> dict[int, dict]:
    out = {}
    for n in range(3):
        credentials = meta_credentials()
        payload = account_payload(credentials, external_id=f"act_{n}", name=f"Meta {n}")
        out[admin.post("/api/ad-accounts", json=payload).json["id"]] = credentials
    return out


def _ciphertexts(db) -> dict[int, bytes]:
    db.session.expire_all()
    return {a.id: bytes(a.credentials_encrypted) for a in db.session.query(AdAccount)}


def test_rotation_leaves_every_credential_readable_under_the_new_key_alone(
    app, runner, db, monkeypatch, encryption_key, stored
):
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", f"{new_key},{encryption_key}")
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "3 ad account(s)" in result.output
    new_only, old_only = CredentialBox([new_key]), CredentialBox([encryption_key])
    for account_id, token in _ciphertexts(db).items():
        assert new_only.decrypt(token) == stored[account_id]
        with pytest.raises(CredentialsUnreadable):
            old_only.decrypt(token)


def test_rotation_changes_nothing_when_a_credential_is_unreadable(
    app, runner, db, monkeypatch, encryption_key, stored
):
    lost_key = Fernet.generate_key().decode()
    orphan = next(iter(stored))
    account = db.session.get(AdAccount, orphan)
    account.credentials_encrypted = CredentialBox([lost_key]).encrypt({"access_token": "x"})
    db.session.commit()
    before = _ciphertexts(db)
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", f"{new_key},{encryption_key}")
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code != 0
    assert f"account(s) {orphan}" in result.output
    assert _ciphertexts(db) == before


def test_rotation_is_audited(app, runner, admin, monkeypatch, encryption_key, stored):
    monkeypatch.setitem(
        app.config, "ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()},{encryption_key}"
    )
    runner.invoke(args=["rotate-keys"])
    [entry] = admin.get("/api/audit", query_string={"action": "ad_account.rotate_keys"}).json
    assert entry["after"] == {"count": 3}
    assert entry["actor_email"] == "system"
