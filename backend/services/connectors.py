"""Building a platform connector for a stored ad account (endpoints from config, credentials
decrypted in memory only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from backend.crypto import CredentialBox
from backend.models import AdAccount
from connectors import AccountInfo, Connector, Endpoints, RetryPolicy, get_connector
from connectors.registry import endpoint_defaults


def endpoints_from_config(config: Mapping[str, Any]) -> Endpoints:
    """Every platform's endpoint settings from the configuration (SPENDLENS_<SETTING>); an
    empty value is the real platform."""
    return Endpoints(**{name: config.get(name.upper()) or None for name in endpoint_defaults()})


def build_connector(
    platform: str, credentials: Mapping[str, Any], retry: RetryPolicy | None = None
) -> Connector:
    return get_connector(
        platform, credentials, endpoints=endpoints_from_config(current_app.config), retry=retry
    )


def connector_for(account: AdAccount, retry: RetryPolicy | None = None) -> Connector:
    """The connector of a stored account; raises if it has no credentials."""
    if not account.credentials_encrypted:
        from connectors import ConfigurationError

        raise ConfigurationError("credentials: the account has none", platform=account.platform)
    credentials = CredentialBox.from_config(current_app.config).decrypt(
        account.credentials_encrypted
    )
    return build_connector(account.platform, credentials, retry)


def account_info(account: AdAccount) -> AccountInfo:
    """The stored account as its connector needs it (with the manager it is reached through)."""
    return AccountInfo(
        platform=account.platform,
        external_id=account.external_id,
        name=account.name,
        currency=account.currency,
        timezone=account.timezone,
        manager_id=account.manager_id,
    )
