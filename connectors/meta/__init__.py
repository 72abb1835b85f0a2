"""Meta (Facebook) Ads connector: `MetaConnector` (registered as platform "meta").

connector.py holds the connector, client.py the thin SDK/network layer, parsing.py and usage.py
the pure payload and header parsing, errors.py the mapping of Graph errors to the shared types.
"""

from connectors.meta.connector import MetaConnector
from connectors.meta.usage import Usage

__all__ = ["MetaConnector", "Usage"]
