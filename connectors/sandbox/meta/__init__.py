"""Meta Ads in the sandbox: its part of the World (world.py) and a Graph API server (server.py,
with its payloads in graph.py, its documented faults in faults.py and its tokens in tokens.py)."""
