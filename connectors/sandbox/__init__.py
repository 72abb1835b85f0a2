"""Local stand-ins for the ad platforms, speaking their real wire formats.

`World` (generator.py) holds the data; one server per platform serves it:
Graph API JSON over HTTP (meta_server), Google Ads gRPC (google_ads_server), Apple's OAuth and
REST (apple_server). `python -m connectors.sandbox` runs all three for the demo.
"""

from connectors.sandbox.generator import World

__all__ = ["World"]
