"""Fixtures for auth, users, ad accounts and the audit log: users of each role, clients logged in
as them (sending the CSRF header), a fresh encryption key per test."""

from __future__ import annotations

import itertools
import logging
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


@pytest.fixture(autouse=True)
def loggers_enabled(monkeypatch) -> None:
    """Undo alembic's fileConfig (run in-process by the `app` fixture's upgrade), which disables
    every logger that existed before it — ours included — so that caplog sees their lines."""
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and logger.disabled:
            monkeypatch.setattr(logger, "disabled", False)


#: A cheap scrypt for the tests' many users (production keeps werkzeug's N=2^15).
TEST_HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture
def make_user(app, db, monkeypatch) -> Callable[..., User]:
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", TEST_HASH_METHOD)

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


def meta_credentials() -> dict[str, str]:
    """Meta credentials with random secrets (the sandbox refuses them as an unknown token)."""
    import secrets

    return {
        "access_token": "EAA" + secrets.token_urlsafe(30),
        "app_id": "100200300",
        "app_secret": secrets.token_urlsafe(24),
    }


def account_payload(credentials: dict | None = None, **overrides) -> dict:
    payload = {
        "platform": "meta",
        "external_id": "act_1001",
        "name": "Meta main",
        "currency": "USD",
        "timezone": "America/Los_Angeles",
        "credentials": credentials or meta_credentials(),
    }
    payload.update(overrides)
    return payload


def _sandbox(module_name: str):
    import datetime as dt

    module = pytest.importorskip(
        module_name, reason=f"{module_name} is not written yet (connectors team)"
    )
    from connectors.sandbox.generator import World

    return module.serve(World(seed=7, today=dt.date(2025, 6, 30)))


@pytest.fixture(scope="session")
def meta_sandbox():
    server = _sandbox("connectors.sandbox.meta_server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def google_sandbox():
    server = _sandbox("connectors.sandbox.google_ads_server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def apple_sandbox():
    server = _sandbox("connectors.sandbox.apple_server")
    yield server
    server.stop()


def point_app_at(app, monkeypatch, server) -> None:
    """Send the app's connectors to a sandbox server (Endpoints field -> config key)."""
    for field, value in server.endpoints_kwargs().items():
        monkeypatch.setitem(app.config, field.upper(), value)
