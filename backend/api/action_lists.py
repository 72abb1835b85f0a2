"""/api/action-lists: the customers of a campaign or a cohort likely to pay, likely to churn or
suspected, as CSV or JSON written as they are read (every role, like the suspects CSV and the
ROI export)."""

from __future__ import annotations

import datetime as dt

from flask import Response, stream_with_context
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.strings import Text
from backend.auth import signed_in
from backend.services.customers import action_lists as lists
from connectors import platforms

blp = Blueprint("action_lists", __name__, url_prefix="/api", description="Customer lists to act on")

DEFAULT_DAYS = 30


class ActionListQuerySchema(Schema):
    start = fields.Date(metadata={"description": "First acquisition date (default 30 days ago)"})
    end = fields.Date(metadata={"description": "Last acquisition date (default today)"})
    platform = Text(validate=validate.OneOf(platforms()))
    campaign_id = fields.Integer(
        strict=False,
        validate=validate.Range(1, 2**63 - 1),
        metadata={"description": "A stored campaign (the ROI report's campaign_id)"},
    )
    account_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))
    campaign_external_id = Text(
        validate=validate.Length(1, 200),
        metadata={"description": "The platform's campaign id (with account_id)"},
    )
    min_probability = fields.Float(
        load_default=lists.DEFAULT_MIN_PROBABILITY,
        validate=validate.Range(0, 1),
        metadata={
            "description": "Likely = at least this probability (of a first purchase within 30 "
            "days, or of churn)"
        },
    )
    format = Text(load_default="csv", validate=validate.OneOf(("csv", "json")))

    @validates_schema
    def _range(self, data: dict, **_: object) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("must not be before start", field_name="end")


@blp.route("/action-lists/<kind>", methods=["GET"])
@signed_in
@blp.arguments(ActionListQuerySchema, location="query")
@blp.response(200, content_type="text/csv", description="The list, streamed (CSV or JSON)")
def action_list(query: dict, kind: str):
    """`kind`: likely_to_pay, likely_to_churn or suspected (422 otherwise).

    The customers acquired in the range (of a platform, a campaign) likely to make a first
    purchase (p_first_purchase_7d/30d of the active first-purchase version, not paid yet, with
    that version's model_version_id and scored_as_of; 422 when no first-purchase version is
    active), likely to churn (churn_probability of the active churn model) or suspected of
    being fake (suspicion, reasons in words, reason_codes)."""
    today = dt.datetime.now(dt.UTC).date()
    end = query.get("end") or today
    request = lists.ListRequest(
        kind=kind,
        start=query.get("start") or end - dt.timedelta(days=DEFAULT_DAYS),
        end=end,
        platform=query.get("platform"),
        campaign_id=query.get("campaign_id"),
        account_id=query.get("account_id"),
        campaign_external_id=query.get("campaign_external_id"),
        min_probability=query["min_probability"],
    )
    prepared = lists.prepare(request)
    rows = lists.stream_rows(prepared)
    if query["format"] == "json":
        return Response(
            stream_with_context(lists.json_chunks(request, rows)), mimetype="application/json"
        )
    name = f"{kind}_{request.start}_{request.end}.csv"
    return Response(
        stream_with_context(lists.csv_chunks(request, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
