"""What Spendlens knows of Apple Search Ads, in one place (see connectors/README.md)."""

from connectors.spec import PlatformSpec

PLATFORM = PlatformSpec(
    name="apple_search_ads",
    label="Apple Search Ads",
    colour="#e8590c",
    restatement_days=30,
    default_concurrency=2,
    endpoints={
        "apple_api_url": "https://api.searchads.apple.com",
        "apple_token_url": "https://appleid.apple.com/auth/oauth2/token",
    },
    connector="connectors.apple_search_ads.connector:AppleSearchAdsConnector",
    sandbox_server="connectors.sandbox.apple_search_ads.server",
    sandbox_world="connectors.sandbox.apple_search_ads.world:SANDBOX",
    clicks_name="taps",
)
