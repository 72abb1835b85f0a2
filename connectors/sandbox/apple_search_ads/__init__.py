"""Apple Search Ads in the sandbox: its part of the World (world.py); the OAuth and REST server
is connectors/sandbox/apple_server.py."""
