"""Ad-platform connectors: one module per platform, shared types, errors, retry policy, registry.

Nothing here imports Flask, SQLAlchemy or any other part of Spendlens.
"""

from connectors.base import (
    NO_ID,
    AccountInfo,
    AccountTotal,
    Breakdown,
    ConnectionCheck,
    Connector,
    Endpoints,
    Level,
    SpendRow,
    connector_class,
    get_connector,
)
from connectors.errors import (
    AccountUnavailableError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.registry import (
    platform_label,
    platform_spec,
    platform_specs,
    platforms,
)
from connectors.retry import RetryPolicy
from connectors.spec import PlatformSpec

__all__ = [
    "NO_ID",
    "AccountInfo",
    "AccountTotal",
    "AccountUnavailableError",
    "Breakdown",
    "AuthenticationError",
    "BadResponseError",
    "ConfigurationError",
    "ConnectionCheck",
    "Connector",
    "ConnectorError",
    "Endpoints",
    "Level",
    "PlatformSpec",
    "RateLimitedError",
    "RetryPolicy",
    "SpendRow",
    "TransientError",
    "connector_class",
    "get_connector",
    "platform_label",
    "platform_spec",
    "platform_specs",
    "platforms",
]
