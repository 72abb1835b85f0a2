"""Meta Ads in the sandbox: its part of the World (world.py); the Graph API server is
connectors/sandbox/meta_server.py."""
