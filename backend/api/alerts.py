"""/api/alerts: budget alerts (every role reads; finance and admin acknowledge and snooze) and the
alert rules a budget can switch on."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.strings import Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.models import Role
from backend.services.alerts import actions, rules

blp = Blueprint("alerts", __name__, url_prefix="/api/alerts", description="Budget alerts")


class AlertQuerySchema(Schema):
    state = Text(load_default="open", validate=validate.OneOf(actions.STATES))


class AlertSchema(Schema):
    id = fields.Integer(required=True)
    rule = fields.String(required=True)
    level = fields.String(allow_none=True, metadata={"description": "Threshold level in %"})
    budget_id = fields.Integer(allow_none=True)
    budget_name = fields.String(allow_none=True)
    scope = fields.Dict()
    period = fields.String(allow_none=True)
    state = fields.String(required=True)
    severity = fields.String(required=True)
    message = fields.String(required=True)
    summary = fields.String(
        metadata={"description": "The message's point in a line, without the budget's name"}
    )
    figures = fields.Dict(allow_none=True)
    provisional = fields.Boolean(
        metadata={"description": "Rests on days the platform may still restate"}
    )
    occurrence = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    notified_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolution = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    snoozed_until = fields.DateTime(allow_none=True)


class AlertRuleSchema(Schema):
    name = fields.String(required=True, metadata={"description": "The key in a budget's rules"})
    label = fields.String(required=True)
    description = fields.String(required=True)
    enabled_by_default = fields.Boolean(required=True)
    defaults = fields.Dict(
        required=True, metadata={"description": "The configuration of a new budget"}
    )
    parameters = fields.Dict(
        required=True,
        metadata={
            "description": "JSON schema of the parameters besides `enabled`; each property's "
            "`title` and `x-unit` label the form's input"
        },
    )
    needs_target_roas = fields.Boolean(
        required=True, metadata={"description": "Setting a target ROAS switches the rule on"}
    )


class AlertEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String()
    actor_id = fields.Integer(allow_none=True)
    detail = fields.Dict(allow_none=True)


class SnoozeSchema(Schema):
    until = fields.AwareDateTime(
        required=True, metadata={"description": "ISO 8601 instant with its offset"}
    )


@blp.route("", methods=["GET"])
@signed_in
@blp.arguments(AlertQuerySchema, location="query")
@blp.response(200, AlertSchema(many=True))
def list_alerts(query: dict):
    """Alerts in a state (open by default; 'unresolved' for open or notified, what the dashboard
    calls open; 'all' for every one), newest first."""
    return [actions.describe(a) for a in actions.list_alerts(query["state"])]


@blp.route("/rules", methods=["GET"])
@signed_in
@blp.response(200, AlertRuleSchema(many=True))
def list_rules():
    """The alert rules, in the order of the budget form, with their parameters' schema."""
    return rules.catalog()


@blp.route("/<int:alert_id>/events", methods=["GET"])
@signed_in
@blp.response(200, AlertEventSchema(many=True))
def alert_history(alert_id: int):
    """The alert's history: opened, updated, notified, acknowledged, snoozed, resolved…"""
    return actions.history(alert_id)


@blp.route("/<int:alert_id>/acknowledge", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.response(200, AlertSchema)
def acknowledge_alert(alert_id: int):
    """Mark the alert as seen (audited)."""
    return actions.describe(actions.acknowledge(current_actor(), alert_id))


@blp.route("/<int:alert_id>/snooze", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(SnoozeSchema)
@blp.response(200, AlertSchema)
def snooze_alert(data: dict, alert_id: int):
    """No mail about the alert until `until` (audited)."""
    return actions.describe(actions.snooze(current_actor(), alert_id, data["until"]))
