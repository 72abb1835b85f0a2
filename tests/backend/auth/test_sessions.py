"""Login, logout, the session cookie, the lockout after failed logins, password changes."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.models import Role, User
from backend.services.logins import LOCK_FOR, MAX_FAILURES
from tests.backend.auth.conftest import PASSWORD, login

REFUSED = "Invalid email or password"


def _login(client, email, password=PASSWORD, **headers):
    return client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )


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
    cookie = _login(client, user.email).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    user = make_user()
    assert "Secure" in _login(client, user.email).headers["Set-Cookie"]


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


def test_account_locks_after_five_failures_even_for_the_right_password(client, make_user, db):
    user = make_user()
    for _ in range(MAX_FAILURES):
        assert _login(client, user.email, "wrong password!!").status_code == 401
    locked = _login(client, user.email)
    assert locked.status_code == 401
    assert locked.json["message"] == REFUSED
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    now = dt.datetime.now(dt.UTC)
    assert now + LOCK_FOR - dt.timedelta(minutes=1) < stored.locked_until <= now + LOCK_FOR


def test_failures_below_the_limit_do_not_lock_and_a_success_resets_them(client, make_user, db):
    user = make_user()
    for _ in range(MAX_FAILURES - 1):
        _login(client, user.email, "wrong password!!")
    assert _login(client, user.email).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0


def test_login_works_again_when_the_lock_expires(client, make_user, db):
    user = make_user()
    for _ in range(MAX_FAILURES):
        _login(client, user.email, "wrong password!!")
    stored = db.session.get(User, user.id)
    stored.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    assert _login(client, user.email).status_code == 200


def test_lock_is_written_to_the_audit_log(client, make_user, admin):
    user = make_user()
    for _ in range(MAX_FAILURES):
        _login(client, user.email, "wrong password!!")
    entries = admin.get("/api/audit", query_string={"action": "user.lock"}).json
    assert [e["entity_id"] for e in entries] == [str(user.id)]
    assert entries[0]["actor_email"] == "system"


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
