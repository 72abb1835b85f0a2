"""Connectors by platform name, imported lazily so a process pays only for the SDKs it uses."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from connectors.base import Connector, Endpoints
from connectors.errors import ConfigurationError
from connectors.retry import RetryPolicy

_CONNECTORS: dict[str, str] = {
    "meta": "connectors.meta:MetaConnector",
    "google_ads": "connectors.google_ads:GoogleAdsConnector",
    "apple_search_ads": "connectors.apple_search_ads:AppleSearchAdsConnector",
}


def platforms() -> tuple[str, ...]:
    return tuple(_CONNECTORS)


def connector_class(platform: str) -> type[Connector]:
    try:
        target = _CONNECTORS[platform]
    except KeyError:
        raise ConfigurationError(
            f"platform: unknown platform {platform!r}; known: {', '.join(_CONNECTORS)}"
        ) from None
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def get_connector(
    platform: str,
    config: Mapping[str, Any],
    *,
    endpoints: Endpoints | None = None,
    retry: RetryPolicy | None = None,
) -> Connector:
    return connector_class(platform)(config, endpoints=endpoints, retry=retry)
