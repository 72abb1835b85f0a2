"""Login, logout, the session cookie and its server-side session, password changes."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from backend.models import Role, UserSession
from tests.conftest import PASSWORD, login

REFUSED = "Invalid email or password"


def _login(client, email, password=PASSWORD, **headers):
    return client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )


def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_login_returns_the_user_and_a_csrf_token(client, make_user):
    user = make_user(Role.FINANCE)
    response = _login(client, user.email)
    assert response.status_code == 200
    assert response.json["user"]["email"] == user.email
    assert response.json["user"]["role"] == "finance"
    assert len(response.json["csrf_token"]) >= 32
    assert "password_hash" not in response.json["user"]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    cookie = _session_cookie(_login(client, user.email))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    user = make_user()
    assert "Secure" in _session_cookie(_login(client, user.email))


def test_me_answers_the_logged_in_user_and_the_same_csrf_token(client, make_user):
    user = make_user()
    token = login(client, user.email)
    response = client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json["user"]["id"] == user.id
    assert response.json["csrf_token"] == token


def test_me_is_401_json_when_not_logged_in(client):
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json["message"] == "Authentication required"


def test_email_is_case_insensitive(client, make_user):
    user = make_user(email="Someone@Example.com")
    assert user.email == "someone@example.com"
    assert _login(client, "SOMEONE@example.COM").status_code == 200


def test_unknown_email_and_wrong_password_answer_the_same(client, make_user):
    user = make_user()
    unknown = _login(client, "nobody@example.com")
    wrong = _login(client, user.email, "wrong password!!")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json
    assert wrong.json["message"] == REFUSED


def test_inactive_user_cannot_log_in(client, make_user, db):
    user = make_user()
    user.is_active = False
    db.session.commit()
    response = _login(client, user.email)
    assert response.status_code == 401
    assert response.json["message"] == REFUSED


def test_passwords_are_stored_with_scrypt(make_user):
    user = make_user()
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_production_hashes_use_scrypt_at_full_cost(app, monkeypatch):
    from backend.auth.passwords import hash_password, verify_password

    monkeypatch.delitem(app.config, "PASSWORD_HASH_METHOD", raising=False)
    with app.app_context():
        hashed = hash_password(PASSWORD)
    assert hashed.startswith("scrypt:32768:8:1$")
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "x")


def test_logout_ends_the_session(client, make_user):
    user = make_user()
    login(client, user.email)
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_a_new_login_gets_a_new_csrf_token(client, make_user):
    user = make_user()
    first = login(client, user.email)
    second = login(client, user.email)
    assert first != second


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
def test_login_from_another_origin_is_refused(client, make_user, headers):
    user = make_user()
    response = _login(client, user.email, **headers)
    assert response.status_code == 403
    assert response.is_json
    assert client.get("/api/auth/me").status_code == 401


def test_login_from_the_same_origin_or_the_dashboard_is_accepted(app, client, make_user):
    user = make_user()
    assert _login(client, user.email, Origin="http://localhost").status_code == 200
    dashboard = app.config["DASHBOARD_URL"]
    assert _login(client, user.email, Origin=dashboard).status_code == 200


def test_password_change_needs_the_current_password(marketer):
    response = marketer.post(
        "/api/auth/password",
        json={"current_password": "not the password", "new_password": "a brand new password"},
    )
    assert response.status_code == 422
    assert "current_password" in response.json["errors"]


def test_new_password_needs_twelve_characters(marketer):
    response = marketer.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert response.status_code == 422
    assert "new_password" in response.json["errors"]


def test_password_change_keeps_this_session_and_ends_the_others(app, client_for):
    me = client_for(Role.MARKETER)
    elsewhere = app.test_client()
    login(elsewhere, me.user.email)
    new = "a brand new password"
    response = me.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": new}
    )
    assert response.status_code == 204
    assert me.get("/api/auth/me").status_code == 200
    assert elsewhere.get("/api/auth/me").status_code == 401
    assert _login(app.test_client(), me.user.email, new).status_code == 200
    assert _login(app.test_client(), me.user.email, PASSWORD).status_code == 401


def test_deactivating_a_user_ends_their_session(admin, marketer):
    assert admin.delete(f"/api/users/{marketer.user.id}").status_code == 204
    assert marketer.get("/api/auth/me").status_code == 401


def _cookie_copy(app, client):
    """A second client holding a copy of `client`'s cookies and CSRF header, as a thief would."""
    copy = app.test_client()
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    copy.environ_base.update(client.environ_base)
    return copy


def test_a_copy_of_the_cookie_is_worthless_after_logout(app, client, make_user):
    user = make_user()
    login(client, user.email)
    kept = _cookie_copy(app, client)
    assert kept.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert kept.get("/api/auth/me").status_code == 401
    minted = kept.post("/api/auth/tokens", json={"name": "after logout"})
    assert minted.status_code == 401


def test_logout_ends_only_that_session(app, client, make_user):
    user = make_user()
    login(client, user.email)
    other = app.test_client()
    login(other, user.email)
    assert client.post("/api/auth/logout").status_code == 204
    assert other.get("/api/auth/me").status_code == 200


def test_the_server_keeps_a_digest_of_the_session_key_not_the_key(app, client, make_user, db):
    user = make_user()
    login(client, user.email)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    key = app.session_interface.get_signing_serializer(app).loads(cookie.value)["_sid"]
    stored = db.session.scalars(sa.select(UserSession.key_hash)).all()
    assert len(stored) == 1
    assert key not in stored[0]
    assert len(stored[0]) == 64


def test_a_session_idle_longer_than_its_lifetime_has_ended(app, client, make_user, db):
    user = make_user()
    login(client, user.email)
    idle = app.permanent_session_lifetime + dt.timedelta(minutes=1)
    db.session.execute(sa.update(UserSession).values(last_seen_at=sa.func.now() - idle))
    db.session.commit()
    assert client.get("/api/auth/me").status_code == 401


def test_a_used_session_is_kept_alive(app, client, make_user, db):
    user = make_user()
    login(client, user.email)
    almost = app.permanent_session_lifetime - dt.timedelta(minutes=1)
    db.session.execute(sa.update(UserSession).values(last_seen_at=sa.func.now() - almost))
    db.session.commit()
    assert client.get("/api/auth/me").status_code == 200
    db.session.expire_all()
    last_seen = db.session.scalar(sa.select(UserSession.last_seen_at))
    assert dt.datetime.now(dt.UTC) - last_seen < dt.timedelta(minutes=1)


def test_a_role_change_ends_the_users_sessions(admin, marketer):
    response = admin.patch(f"/api/users/{marketer.user.id}", json={"role": "finance"})
    assert response.status_code == 200
    assert marketer.get("/api/auth/me").status_code == 401


def test_a_name_change_keeps_the_users_sessions(admin, marketer):
    assert admin.patch(f"/api/users/{marketer.user.id}", json={"name": "Ada"}).status_code == 200
    assert marketer.get("/api/auth/me").status_code == 200


def test_a_password_reset_ends_the_users_sessions(admin, marketer):
    response = admin.patch(
        f"/api/users/{marketer.user.id}", json={"password": "a reset password!!"}
    )
    assert response.status_code == 200
    assert marketer.get("/api/auth/me").status_code == 401


def test_reactivating_a_user_brings_back_no_session(app, admin, marketer):
    kept = _cookie_copy(app, marketer)
    assert admin.delete(f"/api/users/{marketer.user.id}").status_code == 204
    reactivated = admin.patch(f"/api/users/{marketer.user.id}", json={"is_active": True})
    assert reactivated.status_code == 200
    assert marketer.get("/api/auth/me").status_code == 401
    assert kept.get("/api/auth/me").status_code == 401
    login(marketer, marketer.user.email)
    assert marketer.get("/api/auth/me").status_code == 200
