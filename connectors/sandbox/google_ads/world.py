"""Google Ads in the sandbox World: customers (reached through one manager account), devices,
costs, customers' value and the credentials the sandbox accepts (plugged into the World by
connectors/sandbox/platforms.py).

Google Ads is search: dearer clicks, installs at about 6.5 USD, middling customers, so that it
about breaks even within a year. Its finest level is the ad group.
"""

from __future__ import annotations

from connectors.sandbox.customers import PRICES, ChannelTruth
from connectors.sandbox.economics import ChannelCosts
from connectors.sandbox.platforms import SandboxPlatform

PLATFORM = "google_ads"
DEVELOPER_TOKEN = "sandbox-developer-token"
CLIENT_ID = "sandbox-client.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-client-secret"
REFRESH_TOKEN = "1//sandbox-refresh-token"
#: A refresh token Google's OAuth server refuses (invalid_grant).
REVOKED_REFRESH_TOKEN = "1//sandbox-revoked-refresh-token"
#: The manager account every sandbox customer is reached through.
MANAGER_ID = "9990001111"


def config(refresh_token: str = REFRESH_TOKEN) -> dict[str, str]:
    """A Google Ads connector configuration the sandbox accepts."""
    return {
        "developer_token": DEVELOPER_TOKEN,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
        "login_customer_id": MANAGER_ID,
    }


SANDBOX = SandboxPlatform(
    accounts=(
        (PLATFORM, "1234567890", "Acme Search US", "USD", "America/New_York", MANAGER_ID),
        (PLATFORM, "2345678901", "Acme Search UK", "GBP", "Europe/London", MANAGER_ID),
        (PLATFORM, "3456789012", "Acme Search FR", "EUR", "Europe/Paris", MANAGER_ID),
        (PLATFORM, "4567890123", "Acme Search DE", "EUR", "Europe/Berlin", MANAGER_ID, False),
    ),
    devices=("mobile", "tablet", "desktop"),
    # CPM 25-50 USD, CTR 2.5-5 %, CPI 6.5 USD; 5 % of installs buy, for 11 USD
    costs=ChannelCosts((25.0, 50.0), (0.025, 0.05), 6.5, 0.05, 11.0),
    truth=ChannelTruth(
        PLATFORM, 0.9, 0.19, 0.45, 13.99, 0.4, 0.08, 0.6, 0.06, 45.0, PRICES, 0.6, 12.0
    ),
    config=config,
    ad_fields="",
)
