"""Every route of the app declares who may call it, and the declaration matches this matrix.

A route added anywhere in the app (by any team) without `@public`, `@signed_in` or
`@roles_allowed(...)` fails `test_every_route_declares_an_access_rule`; one that declares a rule
but is missing here fails `test_every_route_is_in_the_matrix`: add it to MATRIX below, so that
who may call it is reviewed in one place.
"""

from __future__ import annotations

import pytest
from flask import Flask

from backend.auth import access_rule, view_handlers

PUBLIC = "public"
ANY = "any signed-in role"
ADMIN = frozenset({"admin"})
ADMIN_FINANCE = frozenset({"admin", "finance"})

#: (method, rule) -> PUBLIC, ANY, or the set of roles allowed.
MATRIX: dict[tuple[str, str], object] = {
    # service and static routes
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/metrics"): ADMIN,  # or SPENDLENS_METRICS_TOKEN (tests/backend/test_telemetry.py)
    ("GET", "/"): PUBLIC,
    ("GET", "/<path:path>"): PUBLIC,
    # sessions and API tokens
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PUBLIC,
    ("GET", "/api/auth/me"): ANY,
    ("POST", "/api/auth/password"): ANY,
    ("GET", "/api/auth/tokens"): ANY,
    ("POST", "/api/auth/tokens"): ANY,
    ("DELETE", "/api/auth/tokens/<int:token_id>"): ANY,
    # users
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("GET", "/api/users/<int:user_id>"): ADMIN,
    ("PATCH", "/api/users/<int:user_id>"): ADMIN,
    ("DELETE", "/api/users/<int:user_id>"): ADMIN,
    # ad accounts and platforms
    ("GET", "/api/platforms"): ANY,
    ("GET", "/api/ad-accounts"): ANY,
    ("POST", "/api/ad-accounts"): ADMIN,
    ("POST", "/api/ad-accounts/test-connection"): ADMIN,
    ("GET", "/api/ad-accounts/<int:account_id>"): ANY,
    ("PATCH", "/api/ad-accounts/<int:account_id>"): ADMIN,
    ("DELETE", "/api/ad-accounts/<int:account_id>"): ADMIN,
    ("POST", "/api/ad-accounts/<int:account_id>/test-connection"): ADMIN,
    ("GET", "/api/sync-health"): ANY,
    ("GET", "/api/campaigns"): ANY,
    ("GET", "/api/ad-accounts/<int:account_id>/sync-runs"): ANY,
    ("GET", "/api/ad-accounts/<int:account_id>/sync-requests"): ANY,
    ("POST", "/api/ad-accounts/<int:account_id>/sync"): ADMIN,
    ("POST", "/api/ad-accounts/<int:account_id>/backfill"): ADMIN,
    ("POST", "/api/fx-rates/upload"): ADMIN_FINANCE,
    # customers, revenue and LTV / churn models
    ("POST", "/api/customers/upload"): ADMIN_FINANCE,
    ("POST", "/api/revenue/upload"): ADMIN_FINANCE,
    ("POST", "/api/customers/batch"): ADMIN_FINANCE,
    ("POST", "/api/revenue/batch"): ADMIN_FINANCE,
    ("POST", "/api/events/upload"): ADMIN_FINANCE,
    ("POST", "/api/events/batch"): ADMIN_FINANCE,
    ("GET", "/api/traffic-quality"): ANY,
    ("GET", "/api/traffic-quality/suspects.csv"): ANY,
    ("GET", "/api/traffic-quality/reasons"): ANY,
    ("GET", "/api/action-lists/<kind>"): ANY,
    ("GET", "/api/customers/summary"): ANY,
    ("GET", "/api/models"): ANY,
    ("GET", "/api/models/<int:version_id>"): ANY,
    ("GET", "/api/models/<int:version_id>/drift"): ANY,
    ("POST", "/api/models/train"): ADMIN,
    ("POST", "/api/models/first-purchase/train"): ADMIN,
    ("POST", "/api/models/import"): ADMIN,
    ("POST", "/api/models/<int:version_id>/activate"): ADMIN,
    # budgets, pacing and alerts
    ("GET", "/api/budgets"): ANY,
    ("POST", "/api/budgets"): ADMIN_FINANCE,
    ("GET", "/api/budgets/<int:budget_id>"): ANY,
    ("PATCH", "/api/budgets/<int:budget_id>"): ADMIN_FINANCE,
    ("DELETE", "/api/budgets/<int:budget_id>"): ADMIN_FINANCE,
    ("GET", "/api/budgets/<int:budget_id>/pacing"): ANY,
    ("GET", "/api/recommendations"): ANY,
    ("POST", "/api/recommendations"): ADMIN_FINANCE,
    ("GET", "/api/recommendations/latest"): ANY,
    ("GET", "/api/recommendations/<int:run_id>"): ANY,
    ("GET", "/api/recommendations/<int:run_id>/what-if"): ANY,
    ("GET", "/api/recommendations/<int:run_id>/export.csv"): ANY,
    ("POST", "/api/recommendations/<int:run_id>/apply"): ADMIN_FINANCE,
    ("POST", "/api/recommendations/<int:run_id>/undo"): ADMIN_FINANCE,
    ("GET", "/api/alerts"): ANY,
    ("GET", "/api/alerts/rules"): ANY,
    ("GET", "/api/alerts/<int:alert_id>/events"): ANY,
    ("POST", "/api/alerts/<int:alert_id>/acknowledge"): ADMIN_FINANCE,
    ("POST", "/api/alerts/<int:alert_id>/snooze"): ADMIN_FINANCE,
    # ROI, overview and cohorts
    ("GET", "/api/roi"): ANY,
    ("GET", "/api/roi/export.csv"): ANY,
    ("GET", "/api/overview"): ANY,
    ("GET", "/api/cohorts"): ANY,
    # audit log
    ("GET", "/api/audit"): ADMIN,
    ("GET", "/api/audit/facets"): ADMIN,
}

ROLES = ("admin", "marketer", "finance")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app: Flask) -> list[tuple[str, str, object]]:
    """(method, rule, handler) for every route of the app."""
    out = []
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - IGNORED_METHODS)
        handlers = view_handlers(app.view_functions[rule.endpoint], methods)
        out.extend((method, rule.rule, handlers[method]) for method in methods)
    return out


def undeclared(app: Flask) -> list[str]:
    return [f"{m} {r}" for m, r, handler in routes(app) if access_rule(handler) is None]


def expected_allows(entry: object, role: str | None) -> bool:
    if entry == PUBLIC:
        return True
    if role is None:
        return False
    return entry == ANY or role in entry  # type: ignore[operator]


def test_every_route_declares_an_access_rule(app):
    missing = undeclared(app)
    assert not missing, (
        "routes without @public / @signed_in / @roles_allowed (backend.auth): " + ", ".join(missing)
    )


def test_every_route_is_in_the_matrix(app):
    missing = [f"{m} {r}" for m, r, _ in routes(app) if (m, r) not in MATRIX]
    assert not missing, f"add these routes to MATRIX in {__name__}: {missing}"


def test_the_matrix_names_no_route_that_is_gone(app):
    present = {(m, r) for m, r, _ in routes(app)}
    assert not set(MATRIX) - present


@pytest.mark.parametrize("role", [None, *ROLES])
def test_declared_rules_match_the_matrix(app, role):
    wrong = []
    for method, rule, handler in routes(app):
        declared = access_rule(handler)
        if declared is None or (method, rule) not in MATRIX:
            continue  # reported by the tests above
        if declared.allows(role) != expected_allows(MATRIX[(method, rule)], role):
            wrong.append(f"{method} {rule}: declared {declared.describe()}")
    assert not wrong, f"role {role or 'anonymous'}: {wrong}"


def test_a_view_without_a_rule_is_reported(app_config):
    from backend import create_app

    other = create_app(app_config)

    @other.get("/api/_forgotten")
    def forgotten():
        return {}

    assert undeclared(other) == ["GET /api/_forgotten"]


def _url(app: Flask, rule_text: str, method: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text and method in r.methods)
    values = {
        name: 999999 if type(conv).__name__ == "IntegerConverter" else "x"
        for name, conv in rule._converters.items()
    }
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values, method=method)


def _clients(app, client_for) -> dict[str | None, object]:
    clients: dict[str | None, object] = {None: app.test_client()}
    for role in ROLES:
        clients[role] = client_for(role)
    return clients


def test_refused_callers_get_401_or_403_json(app, client_for):
    """Anonymous callers get 401 where a login is needed, other roles 403 — on every route."""
    clients = _clients(app, client_for)
    wrong = []
    for method, rule, _ in routes(app):
        entry = MATRIX.get((method, rule))
        if entry is None:
            continue
        url = _url(app, rule, method)
        for role, client in clients.items():
            if expected_allows(entry, role):
                continue
            response = client.open(url, method=method, json={})
            want = 401 if role is None else 403
            if response.status_code != want or not response.is_json:
                wrong.append(f"{role or 'anonymous'} {method} {url}: {response.status_code}")
    assert not wrong, wrong


def test_allowed_callers_are_let_through_on_reads(app, client_for):
    clients = _clients(app, client_for)
    wrong = []
    for method, rule, _ in routes(app):
        entry = MATRIX.get((method, rule))
        if method != "GET" or entry is None:
            continue
        url = _url(app, rule, method)
        for role, client in clients.items():
            if expected_allows(entry, role):
                response = client.get(url)
                if response.status_code in (401, 403):
                    wrong.append(f"{role or 'anonymous'} GET {url}: {response.status_code}")
    assert not wrong, wrong
