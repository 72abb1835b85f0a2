"""Meta (Facebook) Ads connector: `MetaConnector` (registered as platform "meta").

connector.py holds the connector, client.py the thin SDK/network layer, parsing.py and usage.py
the pure payload and header parsing, errors.py the mapping of Graph errors to the shared types.
platform.py declares the platform's facts; the connector is imported on first use.
"""

from connectors.registry import lazy_exports

__all__ = ["MetaConnector", "Usage"]
__getattr__ = lazy_exports(
    {"MetaConnector": "connectors.meta.connector", "Usage": "connectors.meta.usage"}
)
