"""Apple Search Ads in the sandbox: its part of the World (world.py) and an OAuth and REST server
(server.py, its payloads in reports.py)."""
