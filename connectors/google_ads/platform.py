"""What Spendlens knows of Google Ads, in one place (see connectors/README.md)."""

from connectors.spec import PlatformSpec

PLATFORM = PlatformSpec(
    name="google_ads",
    label="Google Ads",
    colour="#0ca678",
    # conversions settle within the conversion window (14-30 days); the longest is re-fetched
    restatement_days=30,
    default_concurrency=2,
    endpoints={
        "google_ads_endpoint": "googleads.googleapis.com",
        # PEM file of the CA to trust for the endpoint (None: the system roots)
        "google_ads_root_cert": None,
        "google_oauth_token_url": "https://oauth2.googleapis.com/token",
    },
    connector="connectors.google_ads.connector:GoogleAdsConnector",
    sandbox_server="connectors.sandbox.google_ads.server",
    sandbox_world="connectors.sandbox.google_ads.world:SANDBOX",
)
