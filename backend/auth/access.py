"""Who may call a view: the decorators every view carries, and their enforcement.

Every view of the app declares its rule, directly under the route decorator:

    @blp.route("/budgets")
    @roles_allowed(Role.ADMIN, Role.FINANCE)
    @blp.arguments(...)
    def create_budget(...): ...

    @blp.route("/things")
    @signed_in                # any logged-in role
    def list_things(): ...

    @bp.get("/")
    @public                   # no login needed
    def index(): ...

The rule is recorded on the view function (`view._spendlens_access`) so that a test can walk
`app.url_map` and check every route against an explicit matrix; a view without a rule fails it.
Anonymous callers get 401 JSON, logged-in callers whose role is not listed get 403 JSON.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user

from backend.errors import ServiceError
from backend.models.user import Role

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "_spendlens_access"
CSRF_EXEMPT_ATTRIBUTE = "_spendlens_csrf_exempt"
CACHED_IDENTITY_ATTRIBUTE = "_spendlens_cached_identity"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedIn(ServiceError):
    status = 401


class RoleNotAllowed(ServiceError):
    status = 403


@dataclass(frozen=True)
class AccessRule:
    """A view's rule: public, or the roles allowed (any logged-in role when all are listed)."""

    public: bool
    roles: frozenset[Role] = frozenset()

    def allows(self, role: Role | str | None) -> bool:
        """Whether a caller with `role` (None: anonymous) passes this rule."""
        if self.public:
            return True
        return role is not None and Role(role) in self.roles

    def describe(self) -> str:
        return "public" if self.public else ",".join(sorted(r.value for r in self.roles))


def _documented(wrapper: Callable[..., Any], rule: AccessRule) -> None:
    """Add the rule's security requirement and its 401/403 answers to the OpenAPI doc."""
    apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
    manual = apidoc.setdefault("manual_doc", {})
    if rule.public:
        manual["security"] = []
    else:
        manual["security"] = [{"session": [], "csrf": []}, {"bearer": []}]
        manual["x-roles"] = sorted(r.value for r in rule.roles)
        responses = apidoc.setdefault("response", {}).setdefault("responses", {})
        for status in (401, 403):
            responses.setdefault(status, []).append("DEFAULT_ERROR")
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]


def _declare(rule: AccessRule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not rule.public:
                require(rule)
            return current_app.ensure_sync(view)(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, rule)
        _documented(wrapper, rule)
        return wrapper  # type: ignore[return-value]

    return decorator


def roles_allowed(*roles: Role) -> Callable[[F], F]:
    """Only logged-in users (or API tokens) of these roles may call the view."""
    if not roles:
        raise ValueError("roles_allowed needs at least one role; use @public for none")
    return _declare(AccessRule(public=False, roles=frozenset(Role(r) for r in roles)))


def signed_in(view: F) -> F:
    """Any logged-in user, whatever the role."""
    return _declare(AccessRule(public=False, roles=frozenset(Role)))(view)


def public(view: F) -> F:
    """No login needed (health, the dashboard's static files, the login itself)."""
    return _declare(AccessRule(public=True))(view)


def csrf_exempt(view: F) -> F:
    """No CSRF header needed (only the login, which checks the Origin instead)."""
    setattr(view, CSRF_EXEMPT_ATTRIBUTE, True)
    return view


def cached_identity(view: F) -> F:
    """A read-only view whose GET takes the caller's session check from Redis when a current one
    is kept there (backend.services.user_sessions.identity_for_session): `current_user` is then
    a SessionIdentity (id, role, email), not a User row. Goes above the access rule."""
    setattr(view, CACHED_IDENTITY_ATTRIBUTE, True)
    return view


def mark_public(view: Callable[..., Any]) -> Callable[..., Any]:
    """A public wrapper for a view defined elsewhere (flask-smorest's openapi.json)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTRIBUTE, AccessRule(public=True))
    return wrapper


def require(rule: AccessRule) -> None:
    """Raise 401 for an anonymous caller and 403 for a role the rule does not list."""
    user = current_user
    if not getattr(user, "is_authenticated", False):
        raise NotSignedIn("Authentication required")
    if not rule.allows(user.role):
        raise RoleNotAllowed("Your role does not allow this")


def view_handlers(view: Callable[..., Any], methods: Iterable[str]) -> dict[str, Any]:
    """The function that answers each method of a registered view (MethodView aware)."""
    view_class = getattr(view, "view_class", None)
    if isinstance(view_class, type) and issubclass(view_class, MethodView):
        return {m: getattr(view_class, m.lower(), None) for m in methods}
    return dict.fromkeys(methods, view)


def access_rule(handler: Any) -> AccessRule | None:
    """The rule declared on a view function, or None when it declares none."""
    return getattr(handler, ACCESS_ATTRIBUTE, None)


def current_handler() -> Any:
    """The function that will answer the current request (None when no route matched)."""
    if request.url_rule is None or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return None
    return view_handlers(view, [request.method]).get(request.method)
