"""/api/recommendations: budget reallocation runs. Every role reads them (and the what-if and
CSV); finance and admin request runs, apply one as next month's budgets and undo that."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.strings import Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.models import Role
from backend.services.recommendations import application, runs
from backend.services.recommendations.data import OUTCOMES

blp = Blueprint(
    "recommendations",
    __name__,
    url_prefix="/api/recommendations",
    description="Budget reallocation recommendations",
)

MAX_MONEY = 1e12


def _money(description: str, **kwargs) -> fields.Float:
    return fields.Float(
        allow_nan=False,
        validate=validate.Range(0.0, MAX_MONEY),
        metadata={"description": description},
        **kwargs,
    )


class ConstraintSchema(Schema):
    minimum = _money("Lowest daily spend", allow_none=True)
    maximum = _money("Highest daily spend", allow_none=True)
    max_change = fields.Float(
        allow_none=True,
        validate=validate.Range(0.0, 10.0),
        metadata={"description": "Largest change from current spend, as a share (0.3: ±30%)"},
    )
    locked = fields.Boolean(metadata={"description": "Keep the current spend"})


class RunInputSchema(Schema):
    level = Text(
        validate=validate.OneOf(runs.LEVELS),
        metadata={"description": "Allocate between channels or campaigns"},
    )
    outcome = Text(
        validate=validate.OneOf(OUTCOMES),
        metadata={"description": "What the curves predict (predicted revenue by default)"},
    )
    horizon_days = fields.Integer(
        validate=validate.OneOf([30, 90, 365]),
        metadata={"description": "Horizon of the predicted revenue"},
    )
    total_budget = fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(0.01, MAX_MONEY),
        metadata={"description": "Total daily budget (default: today's total)"},
    )
    target_roas = fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(0.01, 1000.0),
        metadata={"description": "Instead of a total: spend wherever marginal ROAS exceeds it"},
    )
    max_change = fields.Float(
        allow_none=True,
        validate=validate.Range(0.0, 10.0),
        metadata={"description": "Largest change of any item, as a share of its spend"},
    )
    constraints = fields.Dict(
        keys=Text(validate=validate.Length(1, 64)),
        values=fields.Nested(ConstraintSchema),
        validate=validate.Length(max=1000),
        metadata={"description": "Per channel (platform name) or campaign id"},
    )

    @validates_schema
    def _one_mode(self, data: dict, **_: object) -> None:
        if data.get("total_budget") is not None and data.get("target_roas") is not None:
            raise ValidationError("Give a total budget or a target ROAS, not both.", "target_roas")


class ItemSchema(Schema):
    key = fields.String(metadata={"description": "Platform name or campaign id"})
    label = fields.String()
    channel = fields.String()
    channel_label = fields.String()
    pooled = fields.Boolean(metadata={"description": "The campaign shares its channel's curve"})
    pooled_reason = fields.String()
    action = fields.String(metadata={"description": "raise, cut, keep or locked"})
    current_spend = fields.Float(metadata={"description": "Mean daily spend of the last 28 days"})
    recommended_spend = fields.Float()
    change = fields.Float(allow_none=True)
    marginal_roas_now = fields.Float()
    marginal_roas_after = fields.Float()
    outcome_now = fields.Float()
    expected_outcome = fields.Float(metadata={"description": "Daily, at the recommended spend"})
    expected_low = fields.Float(metadata={"description": "80% interval"})
    expected_high = fields.Float()
    reason = fields.String()


class TotalsSchema(Schema):
    spend = fields.Float()
    outcome = fields.Float()
    low = fields.Float()
    high = fields.Float()
    roas = fields.Float(allow_none=True)
    roas_low = fields.Float(allow_none=True)
    roas_high = fields.Float(allow_none=True)


class ResultSchema(Schema):
    mode = fields.String(metadata={"description": "budget or target_roas"})
    total_budget = fields.Float(metadata={"description": "Total recommended daily spend"})
    target_roas = fields.Float(allow_none=True)
    currency = fields.String()
    items = fields.List(fields.Nested(ItemSchema))
    current = fields.Nested(TotalsSchema)
    recommended = fields.Nested(TotalsSchema)
    gain = fields.Dict(metadata={"description": "Expected daily gain: outcome, low, high"})


class RunSummarySchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, ready or failed"})
    trigger = fields.String(metadata={"description": "schedule or request"})
    error = fields.String(allow_none=True)
    inputs = fields.Dict()
    model_version_id = fields.Integer(allow_none=True)
    data_start = fields.Date(allow_none=True)
    data_end = fields.Date(allow_none=True)
    expected_gain_share = fields.Float(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    applied_at = fields.DateTime(allow_none=True)
    undone_at = fields.DateTime(allow_none=True)
    application = fields.Dict(allow_none=True)


class RunSchema(RunSummarySchema):
    result = fields.Nested(ResultSchema, allow_none=True)
    backtest = fields.Dict(
        allow_none=True,
        metadata={"description": "The last 28 days predicted from a fit made before them"},
    )
    curves = fields.List(
        fields.Dict(),
        metadata={"description": "Each channel's curve with its 80% band and its points"},
    )


class WhatIfQuerySchema(Schema):
    total_budget = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(0.01, MAX_MONEY),
        metadata={"description": "Total daily budget"},
    )


def _detail(run) -> dict:
    detail = {c.name: getattr(run, c.name) for c in run.__table__.columns}
    detail["curves"] = runs.channel_curves(run) if run.status == "ready" else []
    return detail


@blp.route("", methods=["GET"])
@signed_in
@blp.response(200, RunSummarySchema(many=True))
def list_runs():
    """The latest runs, newest first."""
    return runs.list_runs()


@blp.route("", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(RunInputSchema)
@blp.response(202, RunSummarySchema)
def request_run(data: dict):
    """Queue a run (a worker fits, recommends and backtests it)."""
    return runs.request_run(current_actor(), data)


class LatestSchema(Schema):
    run = fields.Nested(RunSchema, allow_none=True, metadata={"description": "None: none yet"})
    message = fields.String(
        allow_none=True,
        metadata={"description": "Why there is no run yet and what comes next (run: None)"},
    )


@blp.route("/latest", methods=["GET"])
@signed_in
@blp.response(200, LatestSchema)
def latest_run():
    """The newest ready run, or none (run: None) with a message saying why."""
    run = runs.latest_ready()
    if run is None:
        return {"run": None, "message": runs.latest_message()}
    return {"run": _detail(run), "message": None}


@blp.route("/<int:run_id>", methods=["GET"])
@signed_in
@blp.response(200, RunSchema)
def get_run(run_id: int):
    """One run with its recommendation, backtest and channel curves."""
    return _detail(runs.get_run(run_id))


@blp.route("/<int:run_id>/what-if", methods=["GET"])
@signed_in
@blp.arguments(WhatIfQuerySchema, location="query")
@blp.response(200, ResultSchema)
def what_if(query: dict, run_id: int):
    """The run's recommendation at another total daily budget."""
    return runs.what_if(runs.get_run(run_id), query["total_budget"])


@blp.route("/<int:run_id>/export.csv", methods=["GET"])
@signed_in
@blp.response(200, content_type="text/csv", description="One line per item")
def export_run(run_id: int):
    """The recommendation table as CSV."""
    text = runs.run_csv(runs.get_run(run_id))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="recommendation_{run_id}.csv"'},
    )


@blp.route("/<int:run_id>/apply", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.response(200, RunSummarySchema)
def apply_run(run_id: int):
    """Write the recommendation as next month's budgets (audited; undo restores them)."""
    return application.apply_run(current_actor(), run_id)


@blp.route("/<int:run_id>/undo", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.response(200, RunSummarySchema)
def undo_run(run_id: int):
    """Undo an application: created budgets deleted, changed amounts put back."""
    return application.undo_run(current_actor(), run_id)
