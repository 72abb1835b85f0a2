"""CSRF: a cookie-authenticated state change needs the session's token in X-CSRF-Token."""

from __future__ import annotations

import pytest

from backend.models import Role
from tests.conftest import PASSWORD, login

MESSAGE = "CSRF token missing or invalid"


@pytest.fixture
def admin_without_header(app, make_user):
    user = make_user(Role.ADMIN)
    client = app.test_client()
    token = login(client, user.email)
    del client.environ_base["HTTP_X_CSRF_TOKEN"]
    client.token = token
    return client


NEW_USER = {"email": "new@example.com", "role": "marketer", "password": PASSWORD}


def test_state_change_without_the_header_is_refused(admin_without_header):
    response = admin_without_header.post("/api/users", json=NEW_USER)
    assert response.status_code == 403
    assert response.json["message"] == MESSAGE
    assert admin_without_header.get("/api/users").json[-1]["email"] != NEW_USER["email"]


def test_state_change_with_a_wrong_token_is_refused(admin_without_header):
    response = admin_without_header.post(
        "/api/users", json=NEW_USER, headers={"X-CSRF-Token": "x" * 43}
    )
    assert response.status_code == 403
    assert response.json["message"] == MESSAGE


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_every_state_changing_method_is_checked(admin_without_header, method):
    response = getattr(admin_without_header, method)("/api/users/1", json={"name": "x"})
    assert response.status_code == 403
    assert response.json["message"] == MESSAGE


def test_state_change_with_the_token_from_me_passes(admin_without_header):
    token = admin_without_header.get("/api/auth/me").json["csrf_token"]
    assert token == admin_without_header.token
    response = admin_without_header.post(
        "/api/users", json=NEW_USER, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201


def test_a_token_of_another_session_does_not_pass(app, admin_without_header, make_user):
    other = app.test_client()
    other_token = login(other, make_user(Role.ADMIN).email)
    response = admin_without_header.post(
        "/api/users", json=NEW_USER, headers={"X-CSRF-Token": other_token}
    )
    assert response.status_code == 403


def test_logout_needs_the_token_too(admin_without_header):
    assert admin_without_header.post("/api/auth/logout").status_code == 403
    assert admin_without_header.get("/api/auth/me").status_code == 200


def test_reads_need_no_token(admin_without_header):
    assert admin_without_header.get("/api/users").status_code == 200


def test_anonymous_state_change_is_401_not_403(client):
    assert client.post("/api/users", json=NEW_USER).status_code == 401


def test_bearer_requests_need_no_csrf_token(admin):
    token = admin.post("/api/auth/tokens", json={"name": "script"}).json["token"]
    bare = admin.application.test_client()
    response = bare.post("/api/users", json=NEW_USER, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
