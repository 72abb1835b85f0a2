"""API tokens: shown once, stored as a SHA-256 digest, listed without the secret, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from backend.models import ApiToken, Role
from tests.conftest import PASSWORD


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_stored_as_its_sha256(admin, db):
    response = admin.post("/api/auth/tokens", json={"name": "nightly export"})
    assert response.status_code == 201
    secret = response.json["token"]
    assert secret.startswith("sl_") and len(secret) > 40
    rows = db.session.execute(sa.text("SELECT name, prefix, token_hash FROM api_tokens")).all()
    assert rows == [("nightly export", secret[:10], hashlib.sha256(secret.encode()).hexdigest())]
    listed = admin.get("/api/auth/tokens").json
    assert [t["name"] for t in listed] == ["nightly export"]
    assert secret not in str(listed)
    assert "token" not in listed[0]


def test_a_token_authenticates_as_its_user_with_their_role(app, marketer):
    secret = marketer.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    client = app.test_client()
    me = client.get("/api/auth/me", headers=_bearer(secret))
    assert me.status_code == 200
    assert me.json["user"]["id"] == marketer.user.id
    assert me.json["auth_method"] == "token"
    assert me.json["csrf_token"] is None
    assert client.get("/api/users", headers=_bearer(secret)).status_code == 403


def test_a_revoked_token_no_longer_works(app, admin):
    made = admin.post("/api/auth/tokens", json={"name": "s"}).json
    assert admin.delete(f"/api/auth/tokens/{made['id']}").status_code == 204
    response = app.test_client().get("/api/auth/me", headers=_bearer(made["token"]))
    assert response.status_code == 401
    assert admin.get("/api/auth/tokens").json[0]["revoked_at"] is not None


def test_an_expired_token_no_longer_works(app, admin, db):
    made = admin.post("/api/auth/tokens", json={"name": "s", "expires_in_days": 1}).json
    token = db.session.get(ApiToken, made["id"])
    token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    assert app.test_client().get("/api/auth/me", headers=_bearer(made["token"])).status_code == 401


def test_a_deactivated_users_token_no_longer_works(app, admin, client_for):
    user = client_for(Role.FINANCE)
    secret = user.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    admin.delete(f"/api/users/{user.user.id}")
    assert app.test_client().get("/api/auth/me", headers=_bearer(secret)).status_code == 401


def test_reactivating_a_user_brings_back_no_token(app, admin, client_for):
    user = client_for(Role.FINANCE)
    secret = user.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    assert admin.delete(f"/api/users/{user.user.id}").status_code == 204
    assert admin.patch(f"/api/users/{user.user.id}", json={"is_active": True}).status_code == 200
    assert app.test_client().get("/api/auth/me", headers=_bearer(secret)).status_code == 401
    entries = admin.get("/api/audit", query_string={"action": "api_token.revoke_all"}).json
    assert [e["entity_id"] for e in entries] == [str(user.user.id)]


def test_a_password_change_revokes_the_users_tokens(app, marketer):
    secret = marketer.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    changed = marketer.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert changed.status_code == 204
    assert app.test_client().get("/api/auth/me", headers=_bearer(secret)).status_code == 401
    assert marketer.get("/api/auth/tokens").json[0]["revoked_at"] is not None


def test_a_password_reset_revokes_the_users_tokens(app, admin, marketer):
    secret = marketer.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    reset = admin.patch(f"/api/users/{marketer.user.id}", json={"password": "a reset password!!"})
    assert reset.status_code == 200
    assert app.test_client().get("/api/auth/me", headers=_bearer(secret)).status_code == 401


def test_a_role_change_keeps_the_users_tokens_with_the_new_role(app, admin, marketer):
    secret = marketer.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    assert admin.patch(f"/api/users/{marketer.user.id}", json={"role": "admin"}).status_code == 200
    response = app.test_client().get("/api/users", headers=_bearer(secret))
    assert response.status_code == 200


def test_nobody_can_revoke_someone_elses_token(admin, marketer):
    made = marketer.post("/api/auth/tokens", json={"name": "s"}).json
    assert admin.delete(f"/api/auth/tokens/{made['id']}").status_code == 404


def test_a_token_cannot_make_more_tokens(app, admin):
    secret = admin.post("/api/auth/tokens", json={"name": "s"}).json["token"]
    response = app.test_client().post(
        "/api/auth/tokens", json={"name": "more"}, headers=_bearer(secret)
    )
    assert response.status_code == 403


def test_with_a_bearer_header_the_session_cookie_is_ignored(admin):
    response = admin.get("/api/auth/me", headers=_bearer("sl_not-a-real-token"))
    assert response.status_code == 401
    assert admin.get("/api/auth/me").status_code == 200


def test_another_authorization_scheme_leaves_the_session_alone(admin):
    """A proxy in front (Basic auth on a staging site) forwards its own Authorization header."""
    response = admin.get("/api/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 200
    assert response.json["auth_method"] == "session"


def test_token_use_is_recorded(app, admin, db):
    made = admin.post("/api/auth/tokens", json={"name": "s"}).json
    app.test_client().get("/api/ad-accounts", headers=_bearer(made["token"]))
    db.session.expire_all()
    assert db.session.get(ApiToken, made["id"]).last_used_at is not None
