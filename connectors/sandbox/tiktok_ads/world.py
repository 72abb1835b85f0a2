"""TikTok Ads in the sandbox World: advertisers, devices, costs, customers and the credentials
the sandbox accepts (declared here, plugged into the World by connectors/sandbox/platforms.py).

TikTok is the cheapest reach of the four: installs at about 4.5 USD, customers who pay less
often and less than Meta's, so that like Meta it does not pay back within a year.
"""

from __future__ import annotations

from connectors.sandbox.customers import PRICES, ChannelTruth
from connectors.sandbox.economics import ChannelCosts
from connectors.sandbox.platforms import SandboxPlatform

PLATFORM = "tiktok_ads"
APP_ID = "7000000000000000001"
APP_SECRET = "sandbox-tiktok-app-secret"
GOOD_TOKEN = "sandbox-tiktok-token-0000000000000000000001"
#: A token TikTok no longer accepts (40105 on every call).
REVOKED_TOKEN = "sandbox-tiktok-token-revoked-000000000002"


def config(token: str = GOOD_TOKEN) -> dict[str, str]:
    """A TikTok connector configuration the sandbox accepts."""
    return {"app_id": APP_ID, "secret": APP_SECRET, "access_token": token}


SANDBOX = SandboxPlatform(
    accounts=(
        (PLATFORM, "7100000000000000001", "Acme TikTok US", "USD", "America/New_York", None),
        (PLATFORM, "7100000000000000002", "Acme TikTok EU", "EUR", "Europe/Paris", None),
        (PLATFORM, "7100000000000000003", "Acme TikTok UK", "GBP", "Europe/London", None, False),
    ),
    devices=("iphone", "ipad", "android_phone"),
    # CPM 4-9 USD, CTR 0.6-1.5 %, CPI 4.5 USD; 2.5 % of installs buy, for 8 USD
    costs=ChannelCosts((4.0, 9.0), (0.006, 0.015), 4.5, 0.025, 8.0),
    truth=ChannelTruth(
        PLATFORM, 0.9, 0.11, 0.25, 7.99, 0.6, 0.14, 0.6, 0.05, 20.0, PRICES, 0.6, 12.0
    ),
    config=config,
)
