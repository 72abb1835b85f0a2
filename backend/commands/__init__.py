"""CLI command modules; each exposes `register(app)` and is picked up by backend.cli."""
