"""/api/traffic-quality: each campaign's share of suspect customers over the last days with the
reasons (every role), and the suspected customers as a CSV for disputes with the ad network."""

from __future__ import annotations

import datetime as dt
import io

from defusedcsv import csv
from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from analytics.early.traffic import (
    CONFIDENCE,
    DEFAULT_SHARE_LIMIT,
    DEFAULT_WINDOW_DAYS,
    MIN_CUSTOMERS,
    REASON_LABELS,
    REASONS,
    SCORE,
    SUSPECT_SCORE,
    reason_words,
)
from backend.api.strings import Text
from backend.auth import signed_in
from backend.services.early.data import CAMPAIGN_EXTERNAL_ID, campaign_names, read_early_inputs
from backend.services.early.report import traffic_report

blp = Blueprint("traffic", __name__, url_prefix="/api", description="Traffic quality")


class TrafficQuerySchema(Schema):
    days = fields.Integer(load_default=DEFAULT_WINDOW_DAYS, validate=validate.Range(1, 90))
    share_pct = fields.Float(
        load_default=100 * DEFAULT_SHARE_LIMIT, validate=validate.Range(1, 100)
    )


class CampaignQualitySchema(Schema):
    campaign = Text(required=True, metadata={"description": "platform:account:campaign"})
    campaign_external_id = Text(allow_none=True)
    campaign_name = Text(allow_none=True, metadata={"description": "the name the platform gives"})
    customers = fields.Integer(required=True)
    suspects = fields.Integer(required=True)
    share = fields.Float(required=True)
    share_low = fields.Float(
        required=True, metadata={"description": "lower bound of the share's 95% Wilson interval"}
    )
    share_high = fields.Float(required=True, metadata={"description": "its upper bound"})
    judged = fields.Boolean(
        required=True,
        metadata={"description": "enough customers to judge the share (min_customers)"},
    )
    flagged = fields.Boolean(
        required=True,
        metadata={"description": "judged, and the interval's lower bound is above share_pct"},
    )
    reasons = fields.Dict(keys=Text(), values=fields.Integer())


def _report(query: dict) -> dict:
    now = dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=query["days"] + 1)
    inputs = read_early_inputs(now, since=since)
    return traffic_report(inputs, query["days"], query["share_pct"] / 100)


@blp.route("/traffic-quality", methods=["GET"])
@signed_in
@blp.arguments(TrafficQuerySchema, location="query")
@blp.response(200, CampaignQualitySchema(many=True))
def campaign_quality(query: dict):
    """Per campaign, the customers acquired over the last `days` (a day old at least), the
    suspects among them, their share, whether it is above `share_pct`, and the reasons."""
    campaigns = _report(query)["campaigns"]
    rows = campaigns.sort_values("share", ascending=False).to_dict("records")
    names = campaign_names([row["campaign"] for row in rows])
    return [{**row, "campaign_name": names.get(row["campaign"])} for row in rows]


class SuspicionRulesSchema(Schema):
    reasons = fields.Dict(keys=Text(), values=Text(), metadata={"description": "reason: words"})
    suspect_score = fields.Float(metadata={"description": "the score from which one is suspect"})
    share_pct = fields.Float(metadata={"description": "the default flagging level"})
    days = fields.Integer(metadata={"description": "the default window"})
    min_customers = fields.Integer(
        metadata={"description": "customers a campaign needs before its share is judged"}
    )
    confidence = fields.Float(metadata={"description": "of the share's interval"})


@blp.route("/traffic-quality/reasons", methods=["GET"])
@signed_in
@blp.response(200, SuspicionRulesSchema)
def suspicion_rules():
    """What makes a customer suspect, in plain words, and the default flagging level."""
    return {
        "reasons": REASON_LABELS,
        "suspect_score": SUSPECT_SCORE,
        "share_pct": 100 * DEFAULT_SHARE_LIMIT,
        "days": DEFAULT_WINDOW_DAYS,
        "min_customers": MIN_CUSTOMERS,
        "confidence": CONFIDENCE,
    }


@blp.route("/traffic-quality/suspects.csv", methods=["GET"])
@signed_in
@blp.arguments(TrafficQuerySchema, location="query")
@blp.response(200, content_type="text/csv", description="The suspected customers")
def export_suspects(query: dict):
    """The suspected customers of the last `days`: id, campaign, score, the reasons in the
    Traffic quality page's words ('; ' between them) and their codes (reason_codes)."""
    report = _report(query)
    scores = report["scores"]
    suspects = scores[scores["suspect"]]
    from backend.extensions import db
    from backend.models import Customer

    rows = (
        db.session.query(
            Customer.id,
            Customer.external_id,
            Customer.platform,
            Customer.campaign_external_id,
            Customer.acquired_at,
        )
        .filter(Customer.id.in_([int(i) for i in suspects.index]))
        .all()
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        (
            "customer_id",
            "platform",
            CAMPAIGN_EXTERNAL_ID,
            "acquired_at",
            SCORE,
            REASONS,
            "reason_codes",
        )
    )
    for row in sorted(rows, key=lambda r: r.acquired_at):
        writer.writerow(
            (
                row.external_id,
                row.platform,
                row.campaign_external_id or "",
                row.acquired_at.isoformat(),
                suspects.at[row.id, SCORE],
                reason_words(suspects.at[row.id, REASONS]),
                " ".join(suspects.at[row.id, REASONS]),
            )
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="suspected_customers.csv"'},
    )
