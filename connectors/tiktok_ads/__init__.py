"""TikTok Ads (TikTok API for Business, Marketing API v1.3) through `requests`.

platform.py declares the platform's facts; client.py makes the HTTP calls and maps TikTok's
return codes to ours; parsing.py turns payloads into AccountInfo / SpendRows (pure);
connector.py puts them together. The connector is imported on first use.
"""

from connectors.registry import lazy_exports

__all__ = ["TikTokAdsConnector"]
__getattr__ = lazy_exports({"TikTokAdsConnector": "connectors.tiktok_ads.connector"})
