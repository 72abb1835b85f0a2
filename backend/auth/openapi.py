"""The security schemes of the OpenAPI document, and the access rule of its own routes."""

from __future__ import annotations

from flask import Flask

from backend.auth.access import access_rule, mark_public

#: flask-smorest serves the document (and UIs, when configured) from this blueprint.
DOCS_BLUEPRINT = "api-docs"


def init_app(app: Flask) -> None:
    from backend.extensions import api

    if api.spec is not None:
        components = api.spec.components
        components.security_scheme(
            "session",
            {
                "type": "apiKey",
                "in": "cookie",
                "name": app.config.get("SESSION_COOKIE_NAME", "session"),
                "description": "The session cookie set by POST /api/auth/login.",
            },
        )
        components.security_scheme(
            "csrf",
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-CSRF-Token",
                "description": "With the session cookie, required on POST/PUT/PATCH/DELETE: "
                "the csrf_token of GET /api/auth/me or POST /api/auth/login.",
            },
        )
        components.security_scheme(
            "bearer",
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token made with POST /api/auth/tokens (no CSRF header).",
            },
        )
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(DOCS_BLUEPRINT + ".") and access_rule(view) is None:
            app.view_functions[endpoint] = mark_public(view)
