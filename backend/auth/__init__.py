"""Authentication (sessions, API tokens, CSRF) and authorization (a rule on every view).

Views declare who may call them with the decorators re-exported here:

    from backend.auth import public, roles_allowed, signed_in
    from backend.models import Role

    @blp.route("/budgets", methods=["POST"])
    @roles_allowed(Role.ADMIN, Role.FINANCE)
    @blp.arguments(BudgetSchema)
    def create_budget(data): ...
"""

from __future__ import annotations

from flask import Flask

from backend.auth.access import (
    AccessRule,
    access_rule,
    csrf_exempt,
    public,
    roles_allowed,
    signed_in,
    view_handlers,
)
from backend.auth.sessions import auth_method, csrf_token

__all__ = [
    "AccessRule",
    "access_rule",
    "auth_method",
    "csrf_exempt",
    "csrf_token",
    "current_actor",
    "init_app",
    "public",
    "roles_allowed",
    "signed_in",
    "view_handlers",
]


def init_app(app: Flask) -> None:
    """Sessions, bearer tokens, CSRF, log redaction and the OpenAPI security schemes.

    Call after the API blueprints are registered (it marks flask-smorest's document public).
    """
    from backend.auth import csrf, openapi, redaction, sessions

    sessions.init_app(app)
    csrf.init_app(app)
    redaction.install()
    openapi.init_app(app)


def current_actor():
    """The logged-in User making the request, or None (for services recording the audit log)."""
    from flask_login import current_user

    return current_user._get_current_object() if current_user.is_authenticated else None
