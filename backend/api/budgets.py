"""/api/budgets: budgets with their alert rules and pacing (finance and admin change them, every
role reads)."""

from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.strings import EmailText, Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.models import Role
from backend.services import budgets
from backend.services.alerts import rules as alert_rules
from connectors import platforms

blp = Blueprint("budgets", __name__, url_prefix="/api/budgets", description="Budgets and pacing")

MAX_AMOUNT = 10**12
#: Periods are months or quarters of these years.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


class CampaignId(fields.Field):
    """A campaign id as a number or a string of digits (the front end may send either)."""

    default_error_messages = {"invalid": "Not a campaign id."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or not 0 < int(text) < 2**62:
            raise self.make_error("invalid")
        return int(text)


class ScopeSchema(Schema):
    type = Text(required=True, validate=validate.OneOf(["all", "platform", "account", "campaign"]))
    platform = Text(allow_none=True, validate=validate.OneOf(platforms()))
    account_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    campaign_id = CampaignId(allow_none=True)
    account_name = Text(dump_only=True, allow_none=True)
    campaign_name = Text(dump_only=True, allow_none=True)


#: Each rule's configuration, from the rules' own schemas (backend.services.alerts.rules).
RulesSchema = Schema.from_dict(
    {rule.name: fields.Nested(rule.schema) for rule in alert_rules.RULES}, name="RulesSchema"
)


class BudgetInputSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=255))
    scope = fields.Nested(ScopeSchema, required=True)
    period = Text(required=True, validate=validate.OneOf(["month", "quarter"]))
    period_start = fields.Date(
        required=True,
        validate=validate.Range(FIRST_DAY, LAST_DAY),
        metadata={"description": "First day of the month or quarter"},
    )
    amount = fields.Decimal(
        required=True,
        allow_nan=False,
        # float bounds: Decimal compares with them
        validate=validate.Range(0.01, float(MAX_AMOUNT)),
        # apispec writes a Decimal field's bounds as strings; the document states them as numbers
        metadata={
            "description": "In the reporting currency, from 0.01 to 10^12",
            "minimum": 0.01,
            "maximum": float(MAX_AMOUNT),
        },
    )
    currency = Text(
        validate=validate.Regexp(r"^[A-Za-z]{3}$"),
        metadata={"description": "Must be the reporting currency (the default)"},
    )
    recipients = fields.List(
        EmailText(validate=validate.Length(max=320)), validate=validate.Length(max=50)
    )
    target_roas = fields.Decimal(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(0.0001, 10000.0),
        metadata={
            "description": "Revenue ÷ spend, e.g. 1.2 (from 0.0001 to 10000)",
            "minimum": 0.0001,
            "maximum": 10000.0,
        },
    )
    rules = fields.Nested(RulesSchema)


class BudgetUpdateSchema(BudgetInputSchema):
    """Any subset of the fields of a new budget."""


class SeriesPointSchema(Schema):
    date = fields.Date()
    spend = fields.String()
    cumulative = fields.String()
    expected = fields.String()


class PacingSchema(Schema):
    as_of = fields.Date(metadata={"description": "Last complete day counted"})
    data_through = fields.Date(
        metadata={
            "description": "Last day whose spend is in: the last complete day, and no later "
            "than the day every synced account of the scope has been fetched through"
        }
    )
    spend_to_date = fields.String(allow_none=True)
    expected_to_date = fields.String(allow_none=True)
    pace_pct = fields.Float(allow_none=True, metadata={"description": "Actual ÷ expected, in %"})
    required_daily = fields.String(allow_none=True)
    projected = fields.String(allow_none=True)
    projected_low = fields.String(allow_none=True)
    projected_high = fields.String(allow_none=True)
    method = fields.String(metadata={"description": "'seasonal' or 'linear'"})
    mape = fields.Dict(
        allow_none=True,
        metadata={"description": "Backtest error (fraction) per method at day 5, 10 and 20"},
    )
    elapsed_days = fields.Integer()
    period_days = fields.Integer()
    missing_fx_days = fields.Integer(
        metadata={"description": "Days with spend lacking an exchange rate (not counted)"}
    )
    series = fields.List(fields.Nested(SeriesPointSchema))


class BudgetSchema(BudgetInputSchema):
    id = fields.Integer(required=True)
    period_end = fields.Date()
    amount = fields.Decimal(as_string=True)
    target_roas = fields.Decimal(as_string=True, allow_none=True)
    rules = fields.Dict()
    forecast_method = fields.String(allow_none=True)
    pacing = fields.Nested(PacingSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


@blp.route("", methods=["GET"])
@signed_in
@blp.response(200, BudgetSchema(many=True))
def list_budgets():
    """Every budget with its pacing."""
    found = budgets.list_budgets()
    pacing = budgets.pacing_of(found)
    return [budgets.describe(b, pacing.get(b.id)) for b in found]


@blp.route("", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(BudgetInputSchema)
@blp.response(201, BudgetSchema)
def create_budget(data: dict):
    """Set a budget (audited) and judge it at once: alerts it already deserves are raised and
    their mail queued."""
    return budgets.describe(budgets.create_budget(current_actor(), data, evaluate=True))


@blp.route("/<int:budget_id>", methods=["GET"])
@signed_in
@blp.response(200, BudgetSchema)
def get_budget(budget_id: int):
    """One budget with its pacing."""
    budget = budgets.get_budget(budget_id)
    return budgets.describe(budget, budgets.pacing_of([budget]).get(budget.id))


@blp.route("/<int:budget_id>", methods=["PATCH"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(BudgetUpdateSchema(partial=True))
@blp.response(200, BudgetSchema)
def update_budget(data: dict, budget_id: int):
    """Change a budget (audited, before and after) and judge it again."""
    return budgets.describe(budgets.update_budget(current_actor(), budget_id, data, evaluate=True))


@blp.route("/<int:budget_id>", methods=["DELETE"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.response(204)
def delete_budget(budget_id: int):
    """Delete a budget (audited); its alerts are resolved and kept."""
    budgets.delete_budget(current_actor(), budget_id)


@blp.route("/<int:budget_id>/pacing", methods=["GET"])
@signed_in
@blp.response(200, PacingSchema)
def get_pacing(budget_id: int):
    """Spend to date, expected, pace, required daily spend, projection with its band, the
    backtest errors of both forecasts and the daily series."""
    budget = budgets.get_budget(budget_id)
    return budgets.pacing_of([budget])[budget.id]
