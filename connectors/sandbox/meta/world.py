"""Meta Ads in the sandbox World: ad accounts, devices, costs, customers and the credentials the
sandbox accepts (plugged into the World by connectors/sandbox/platforms.py).

Meta is cheap broad reach: installs at about 5 USD from customers who seldom pay, so that it
loses money over a year. Its ad sets hold two ads each, and its rows carry the attribution
windows the connector asks for.
"""

from __future__ import annotations

from connectors.sandbox.customers import PRICES, ChannelTruth
from connectors.sandbox.economics import ChannelCosts
from connectors.sandbox.platforms import SandboxPlatform

PLATFORM = "meta"
GOOD_TOKEN = "EAAsandboxgoodtoken0000000000000001"
#: A token Graph answers with code 190 / subcode 463 (expired).
EXPIRED_TOKEN = "EAAsandboxexpiredtoken000000000002"
APP_ID = "100200300"
APP_SECRET = "sandbox-app-secret"
#: The attribution windows the Meta connector asks for (and stamps on its rows).
ATTRIBUTION = "7d_click,1d_view"


def config(token: str = GOOD_TOKEN) -> dict[str, str]:
    """A Meta connector configuration the sandbox accepts."""
    return {"access_token": token, "app_id": APP_ID, "app_secret": APP_SECRET}


SANDBOX = SandboxPlatform(
    accounts=(
        # its newest campaign was launched 4 days ago: no revenue history yet (early signals)
        (PLATFORM, "act_1001", "Acme Apps US", "USD", "America/Los_Angeles", None, True, 4),
        (PLATFORM, "act_1002", "Acme Apps EU", "EUR", "Europe/Berlin", None),
        (PLATFORM, "act_1003", "Acme Apps JP", "JPY", "Asia/Tokyo", None),
        (PLATFORM, "act_1004", "Acme Apps CA", "CAD", "America/Toronto", None, False),
    ),
    devices=("iphone", "ipad", "android_phone", "desktop"),
    # CPM 6-12 USD, CTR 0.8-2 %, CPI 5 USD; 3 % of installs buy, for 9 USD
    costs=ChannelCosts((6.0, 12.0), (0.008, 0.02), 5.0, 0.03, 9.0),
    truth=ChannelTruth(
        PLATFORM, 0.9, 0.13, 0.3, 9.99, 0.55, 0.12, 0.6, 0.06, 25.0, PRICES, 0.6, 12.0
    ),
    config=config,
    ads_per_ad_group=2,
    attribution=ATTRIBUTION,
)
