"""GET /api/health: is the database answering, is the broker answering."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.auth import public
from backend.services import health

blp = Blueprint("health", __name__, url_prefix="/api", description="Service health")


class ComponentSchema(Schema):
    ok = fields.Boolean(required=True)
    error = fields.String(allow_none=True)


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    database = fields.Nested(ComponentSchema, required=True)
    broker = fields.Nested(ComponentSchema, required=True)
    failing = fields.List(fields.String(), required=True)


@blp.route("/health")
@public
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="A component does not answer")
def get_health():
    """State of the database and the broker; 503 names the one that does not answer."""
    report = health.check(current_app)
    return report, (200 if not report["failing"] else 503)
