"""Serves the dashboard's production build (frontend/dist) from the same origin as the API."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory

from backend.auth import public

DEFAULT_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


def register(app: Flask) -> None:
    dist = Path(app.config.get("FRONTEND_DIST") or DEFAULT_DIST)
    web = Blueprint("web", __name__)

    @web.get("/", defaults={"path": ""})
    @web.get("/<path:path>")
    @public
    def dashboard(path: str):
        """Static files of the build; any other non-API path is the single-page app."""
        if path.startswith("api/") or path == "api":
            abort(404)
        if not (dist / "index.html").exists():
            abort(404, "The dashboard is not built: run `make demo` (it builds frontend/).")
        if path and (dist / path).is_file():
            return send_from_directory(dist, path, max_age=3600 if "assets/" in path else 0)
        return send_from_directory(dist, "index.html", max_age=0)

    app.register_blueprint(web)
