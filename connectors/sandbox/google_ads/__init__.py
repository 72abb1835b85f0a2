"""Google Ads in the sandbox: its part of the World (world.py) and a gRPC server (server.py, with
GAQL in gaql.py, its rows in rows.py, the OAuth token endpoint and certificate in auth.py)."""
