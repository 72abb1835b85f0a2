"""Local stand-ins for the ad platforms, speaking their real wire formats.

`World` (generator.py) holds the data, from the facts each platform's sandbox package declares
(`<name>/world.py`: accounts, devices, costs, customers, credentials); one server per platform
serves it: Graph API JSON over HTTP (meta_server), Google Ads gRPC (google_ads_server), Apple's
OAuth and REST (apple_server), TikTok's API for Business (tiktok_ads/). Each platform's spec names
its server (`PlatformSpec.sandbox_server`); `python -m connectors.sandbox` runs them all for the
demo.
"""

from connectors.sandbox.generator import World

__all__ = ["World"]
