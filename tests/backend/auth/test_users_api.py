"""/api/users: admins manage users and roles; the last admin cannot be removed."""

from __future__ import annotations

from backend.models import Role
from tests.conftest import PASSWORD, login


def test_admin_creates_a_user_who_can_then_log_in(app, admin):
    response = admin.post(
        "/api/users",
        json={"email": "Ann@Example.com", "name": "Ann", "role": "finance", "password": PASSWORD},
    )
    assert response.status_code == 201
    assert response.json["email"] == "ann@example.com"
    assert response.json["role"] == "finance"
    assert "password" not in response.json and "password_hash" not in response.json
    login(app.test_client(), "ann@example.com")


def test_creating_an_existing_email_is_409(admin):
    email = admin.user.email
    response = admin.post(
        "/api/users", json={"email": email.upper(), "role": "marketer", "password": PASSWORD}
    )
    assert response.status_code == 409
    assert "email" in response.json["errors"]


def test_invalid_fields_are_422_naming_each_field(admin):
    response = admin.post(
        "/api/users", json={"email": "not-an-email", "role": "boss", "password": "short"}
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"email", "role", "password"}


def test_unknown_fields_are_refused(admin):
    response = admin.post(
        "/api/users",
        json={"email": "a@b.co", "role": "marketer", "password": PASSWORD, "is_admin": True},
    )
    assert response.status_code == 422
    assert "is_admin" in response.json["errors"]


def test_admin_changes_role_and_name(admin, make_user):
    user = make_user(Role.MARKETER)
    response = admin.patch(f"/api/users/{user.id}", json={"role": "finance", "name": "Bo"})
    assert response.status_code == 200
    assert (response.json["role"], response.json["name"]) == ("finance", "Bo")


def test_a_password_reset_lifts_the_login_throttle(app, admin, make_user):
    user = make_user()
    stranger = app.test_client()
    for _ in range(10):
        answer = stranger.post("/api/auth/login", json={"email": user.email, "password": "x"})
        if answer.status_code == 429:
            break
    assert answer.status_code == 429
    new = "another long password"
    response = admin.patch(f"/api/users/{user.id}", json={"password": new})
    assert response.status_code == 200
    login(app.test_client(), user.email, new)


def test_delete_deactivates_and_keeps_the_user(admin, make_user):
    user = make_user()
    assert admin.delete(f"/api/users/{user.id}").status_code == 204
    assert admin.get(f"/api/users/{user.id}").json["is_active"] is False


def test_the_last_admin_cannot_be_demoted_or_deactivated(admin):
    me = admin.user.id
    demote = admin.patch(f"/api/users/{me}", json={"role": "marketer"})
    assert demote.status_code == 409
    assert admin.delete(f"/api/users/{me}").status_code == 409
    assert admin.patch(f"/api/users/{me}", json={"is_active": False}).status_code == 409
    assert admin.get(f"/api/users/{me}").json["role"] == "admin"


def test_an_admin_can_go_when_another_admin_remains(admin, make_user):
    other = make_user(Role.ADMIN)
    assert admin.patch(f"/api/users/{other.id}", json={"role": "marketer"}).status_code == 200
    assert admin.patch(f"/api/users/{admin.user.id}", json={"role": "marketer"}).status_code == 409


def test_an_inactive_admin_does_not_count(admin, make_user, db):
    other = make_user(Role.ADMIN)
    other.is_active = False
    db.session.commit()
    assert admin.delete(f"/api/users/{admin.user.id}").status_code == 409


def test_unknown_user_is_404_json(admin):
    response = admin.patch("/api/users/999999", json={"name": "x"})
    assert response.status_code == 404
    assert response.is_json


def test_changes_are_audited_without_passwords(admin, make_user):
    user = make_user()
    admin.patch(f"/api/users/{user.id}", json={"role": "finance", "password": "x" * 14})
    [entry] = admin.get("/api/audit", query_string={"action": "user.update"}).json
    assert entry["actor_email"] == admin.user.email
    assert entry["before"] == {"role": "marketer", "password": "[secret]"}
    assert entry["after"] == {"role": "finance", "password": "[secret]"}
    assert "x" * 14 not in str(entry)
