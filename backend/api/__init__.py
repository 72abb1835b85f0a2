"""REST API blueprints: each parses the request, calls one service, serializes the answer."""

from __future__ import annotations

from flask import Flask

from backend.extensions import api


def register(app: Flask) -> None:
    from backend.api.health import blp as health

    api.init_app(app)
    for blueprint in (health,):
        api.register_blueprint(blueprint)
    from backend.api import ad_accounts, audit, auth, customers, platforms, predictions, sync, users

    for module in (auth, users, ad_accounts, platforms, audit, sync, customers, predictions):
        api.register_blueprint(module.blp)
    from backend.api import alerts, budgets

    for module in (budgets, alerts):
        api.register_blueprint(module.blp)
    from backend.api import recommendations, roi, traffic

    api.register_blueprint(roi.blp)
    api.register_blueprint(traffic.blp)
    api.register_blueprint(recommendations.blp)
    from backend.api import action_lists

    api.register_blueprint(action_lists.blp)
    from backend.api import telemetry

    app.register_blueprint(telemetry.bp)  # text exposition for Prometheus, not a JSON API
