"""The TikTok Ads sandbox: its part of the World (world.py), its payloads (reports.py, pure) and
a server speaking TikTok API for Business v1.3 (server.py)."""
