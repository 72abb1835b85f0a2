"""What Spendlens knows of TikTok Ads, in one place (see connectors/README.md)."""

from connectors.spec import PlatformSpec

PLATFORM = PlatformSpec(
    name="tiktok_ads",
    label="TikTok Ads",
    colour="#d6336c",
    # TikTok attributes installs and purchases to the click within the ad group's attribution
    # window (up to 28 days), so reported days keep changing for that long.
    restatement_days=28,
    default_concurrency=2,
    endpoints={"tiktok_api_url": "https://business-api.tiktok.com"},
    connector="connectors.tiktok_ads.connector:TikTokAdsConnector",
    sandbox_server="connectors.sandbox.tiktok_ads.server",
    sandbox_world="connectors.sandbox.tiktok_ads.world:SANDBOX",
)
