"""Apple Search Ads (Campaign Management API v5) through `requests` and PyJWT.

auth.py signs the ES256 client secret and caches the access token, client.py makes the HTTP calls,
maps errors, queries.py builds the report requests, parsing.py turns payloads into SpendRows
(pure), connector.py puts them together.
platform.py declares the platform's facts; the connector is imported on first use.
"""

from connectors.registry import lazy_exports

__all__ = ["AppleSearchAdsConnector"]
__getattr__ = lazy_exports({"AppleSearchAdsConnector": "connectors.apple_search_ads.connector"})
