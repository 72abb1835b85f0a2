"""Apple Search Ads (Campaign Management API v5) through `requests` and PyJWT.

auth.py signs the ES256 client secret and caches the access token, client.py makes the HTTP calls,
maps errors, queries.py builds the report requests, parsing.py turns payloads into SpendRows
(pure), connector.py puts them together.
"""

from connectors.apple_search_ads.connector import AppleSearchAdsConnector

__all__ = ["AppleSearchAdsConnector"]
