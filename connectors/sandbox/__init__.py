"""Local stand-ins for the ad platforms, speaking their real wire formats.

`World` (generator.py) holds the data, from the facts each platform's sandbox package declares. Each
platform's sandbox is one package, `<name>/`: `world.py` (its accounts, devices, costs, customers,
credentials) and a server speaking its wire format: Graph API JSON over HTTP (meta/), Google Ads
gRPC and OAuth (google_ads/), Apple's OAuth and REST (apple_search_ads/), TikTok's API for Business
(tiktok_ads/). Each platform's spec names its server (`PlatformSpec.sandbox_server`) and its World
part (`PlatformSpec.sandbox_world`); `python -m connectors.sandbox` runs them all for the demo.
"""

from connectors.sandbox.generator import World

__all__ = ["World"]
