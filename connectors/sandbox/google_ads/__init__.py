"""Google Ads in the sandbox: its part of the World (world.py); the gRPC server is
connectors/sandbox/google_ads_server.py."""
