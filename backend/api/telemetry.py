"""GET /metrics: the Prometheus exposition (backend/telemetry.py).

Admins may read it with their session or an API token; a scraper uses `Authorization: Bearer
<SPENDLENS_METRICS_TOKEN>` (when that is set), which opens this route and nothing else.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from backend import telemetry
from backend.auth import roles_allowed
from backend.models import Role

bp = Blueprint("telemetry", __name__)


def _scraper() -> bool:
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def _exposition() -> Response:
    return Response(telemetry.render(), mimetype=CONTENT_TYPE_LATEST)


@bp.before_request
def _let_the_scraper_in():
    if _scraper():
        return _exposition()
    return None


@bp.get("/metrics")
@roles_allowed(Role.ADMIN)
def get_metrics():
    """Prometheus metrics of syncs, queues, the outbox, alerts and logins."""
    return _exposition()
