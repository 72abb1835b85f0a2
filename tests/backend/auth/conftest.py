"""Fixtures for auth, users, ad accounts and the audit log: a fresh encryption key per test, ad
account payloads and the sandbox platforms (users of each role and their clients are in the top
conftest.py)."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet


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
    server = _sandbox("connectors.sandbox.meta.server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def google_sandbox():
    server = _sandbox("connectors.sandbox.google_ads.server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def apple_sandbox():
    server = _sandbox("connectors.sandbox.apple_search_ads.server")
    yield server
    server.stop()


def point_app_at(app, monkeypatch, server) -> None:
    """Send the app's connectors to a sandbox server (Endpoints field -> config key)."""
    for field, value in server.endpoints_kwargs().items():
        monkeypatch.setitem(app.config, field.upper(), value)
