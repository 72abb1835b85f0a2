"""Google Ads connector: the official google-ads client over gRPC (API v26).

auth.py mints access tokens, client.py builds the service clients and streams GAQL, queries.py
holds the GAQL, parsing.py turns rows into SpendRows (pure), errors.py maps the library's
exceptions to ours, connector.py ties them into `GoogleAdsConnector`.
platform.py declares the platform's facts; the connector is imported on first use.
"""

from connectors.registry import lazy_exports

__all__ = ["GoogleAdsConnector"]
__getattr__ = lazy_exports({"GoogleAdsConnector": "connectors.google_ads.connector"})
