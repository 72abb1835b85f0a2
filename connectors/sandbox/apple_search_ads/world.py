"""Apple Search Ads in the sandbox World: organizations, devices, costs, customers and the
credentials the sandbox accepts (plugged into the World by connectors/sandbox/platforms.py).

Apple Search Ads is high intent: dear impressions, installs at about 6 USD from the most valuable
customers, so that it pays back within about 90 days. Its finest level is the ad group (reported
as the ad), and it reports installs, not purchases.

The key pair is derived from a fixed number so that every process (servers, tests, demo) agrees
on it without files; it is a sandbox key and protects nothing.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.sandbox.customers import PRICES, ChannelTruth
from connectors.sandbox.economics import ChannelCosts
from connectors.sandbox.platforms import SandboxPlatform

PLATFORM = "apple_search_ads"
CLIENT_ID = "SEARCHADS.sandbox-client-0001"
TEAM_ID = "SEARCHADS.sandbox-team-0001"
KEY_ID = "sandbox-key-0001"
_KEY_NUMBER = 0x5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E


@lru_cache(maxsize=1)
def private_key_pem() -> str:
    key = ec.derive_private_key(_KEY_NUMBER, ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@lru_cache(maxsize=1)
def public_key_pem() -> str:
    key = ec.derive_private_key(_KEY_NUMBER, ec.SECP256R1())
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def config(private_key: str | None = None) -> dict[str, str]:
    """An Apple Search Ads connector configuration the sandbox accepts."""
    return {
        "client_id": CLIENT_ID,
        "team_id": TEAM_ID,
        "key_id": KEY_ID,
        "private_key": private_key or private_key_pem(),
    }


SANDBOX = SandboxPlatform(
    accounts=(
        (PLATFORM, "40001", "Acme iOS US", "USD", "America/Los_Angeles", None),
        (PLATFORM, "40002", "Acme iOS AU", "AUD", "Australia/Sydney", None),
        (PLATFORM, "40003", "Acme iOS UK", "GBP", "Europe/London", None, False),
    ),
    devices=("iphone", "ipad"),
    # CPM 100-180 USD, CTR 6-10 %, CPI 6 USD; 9 % of installs buy, for 12 USD
    costs=ChannelCosts((100.0, 180.0), (0.06, 0.1), 6.0, 0.09, 12.0),
    truth=ChannelTruth(
        PLATFORM, 0.9, 0.21, 0.55, 17.99, 0.3, 0.06, 0.55, 0.08, 60.0, PRICES, 0.65, 10.0
    ),
    config=config,
    ad_fields="ad_group",
    reports_purchases=False,
)
