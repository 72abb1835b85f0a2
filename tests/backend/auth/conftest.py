"""Fixtures for auth, users, ad accounts and the audit log: users of each role, clients logged in
as them (sending the CSRF header), a fresh encryption key per test."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from cryptography.fernet import Fernet
from flask.testing import FlaskClient

from backend.models import Role, User
from backend.services import users

PASSWORD = "correct horse battery staple"
_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def encryption_key(app, monkeypatch) -> str:
    key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", key)
    return key


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(role: Role | str = Role.MARKETER, *, email: str | None = None, **kwargs) -> User:
        email = email or f"{Role(role).value}-{next(_emails)}@example.com"
        kwargs.setdefault("password", PASSWORD)
        return users.create_user(None, email=email, role=role, **kwargs)

    return make


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    """Log `client` in; every later request of it carries the CSRF header. Returns the token."""
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    token = response.json["csrf_token"]
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    return token


@pytest.fixture
def client_for(app, make_user) -> Callable[..., FlaskClient]:
    """A new client logged in as a new user of the role (the user is `client.user`)."""

    def make(role: Role | str, **kwargs) -> FlaskClient:
        user = make_user(role, **kwargs)
        client = app.test_client()
        login(client, user.email, kwargs.get("password", PASSWORD))
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def admin(client_for) -> FlaskClient:
    return client_for(Role.ADMIN)


@pytest.fixture
def marketer(client_for) -> FlaskClient:
    return client_for(Role.MARKETER)


@pytest.fixture
def finance(client_for) -> FlaskClient:
    return client_for(Role.FINANCE)
