"""GET /api/health: the database and the broker, and whether a worker and beat were seen."""

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


class BackgroundSchema(ComponentSchema):
    last_seen_s = fields.Float(
        allow_none=True, metadata={"description": "seconds since one was last seen"}
    )
    seen = fields.List(fields.String(), metadata={"description": "those seen recently"})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    database = fields.Nested(ComponentSchema, required=True)
    broker = fields.Nested(ComponentSchema, required=True)
    worker = fields.Nested(BackgroundSchema, required=True)
    beat = fields.Nested(BackgroundSchema, required=True)
    failing = fields.List(fields.String(), required=True)


@blp.route("/health")
@public
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database or the broker is away")
def get_health():
    """State of the database and the broker (503 names the one that does not answer), and
    whether a Celery worker and beat were seen recently (a missing one makes the status
    `degraded` and is named in `failing`, but answers 200: the web itself still serves)."""
    report = health.check(current_app)
    return report, (503 if health.essential_failing(report) else 200)
