"""/api sync endpoints: sync health, sync runs, manual syncs and backfills, exchange rates."""

from __future__ import annotations

import io

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.strings import Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.errors import Invalid
from backend.http_guards import accepts_upload
from backend.models import Role
from backend.services.ingestion import health, history, sync

blp = Blueprint("sync", __name__, url_prefix="/api", description="Syncs and data health")


class ReconciliationSchema(Schema):
    platform_spend = fields.Decimal(as_string=True)
    stored_spend = fields.Decimal(as_string=True)
    diff = fields.Decimal(as_string=True)
    diff_pct = fields.Float(allow_none=True)
    flagged = fields.Boolean()


class SyncHealthSchema(Schema):
    account_id = fields.Integer(required=True)
    platform = fields.String(required=True)
    name = fields.String(required=True)
    external_id = fields.String()
    currency = fields.String()
    status = fields.String(required=True)
    last_success_at = fields.DateTime(allow_none=True)
    freshness_hours = fields.Float(allow_none=True)
    data_through = fields.Date(allow_none=True)
    provisional_from = fields.Date()
    provisional_days = fields.Integer()
    last_status = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    pending_runs = fields.Integer()
    credentials_expire_at = fields.DateTime(allow_none=True)
    credentials_expire_in_days = fields.Integer(allow_none=True)
    fx_missing_currencies = fields.List(fields.String())
    fx_carried_rows = fields.Integer()
    reconciliation = fields.Nested(ReconciliationSchema, allow_none=True)


class SyncRunSchema(Schema):
    id = fields.Integer(required=True)
    ad_account_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer()
    rows = fields.Integer()
    error = fields.String(allow_none=True)
    error_kind = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    platform_spend = fields.Decimal(as_string=True, allow_none=True)
    stored_spend = fields.Decimal(as_string=True, allow_none=True)
    reconciliation_diff = fields.Decimal(as_string=True, allow_none=True)
    reconciliation_flagged = fields.Boolean()


class RunErrorSchema(Schema):
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)
    status = fields.String(
        required=True,
        metadata={
            "description": "queued: being retried; retried: the run was lost and another run "
            "took its window over; failed or succeeded"
        },
    )
    error = fields.String(required=True)
    error_kind = fields.String(allow_none=True)


class SyncRequestSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "Its first run's id"})
    kind = fields.String(
        required=True, metadata={"description": "initial, scheduled, manual or backfill"}
    )
    requested_at = fields.DateTime(required=True)
    status = fields.String(
        required=True,
        metadata={"description": "queued, running, succeeded, or failed if any run failed"},
    )
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)
    days = fields.Integer(required=True, metadata={"description": "Days in the window"})
    days_done = fields.Integer(required=True, metadata={"description": "Days fetched and stored"})
    days_failed = fields.Integer(required=True)
    runs = fields.Integer(required=True, metadata={"description": "Chunks it was split into"})
    runs_done = fields.Integer(required=True)
    runs_failed = fields.Integer(required=True)
    runs_running = fields.Integer(required=True)
    rows = fields.Integer(required=True, metadata={"description": "Metric rows stored"})
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    duration_ms = fields.Integer(
        allow_none=True, metadata={"description": "From the first start to the end (or now)"}
    )
    errors = fields.List(fields.Nested(RunErrorSchema), required=True)


class SyncRequestsQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class SyncRunsQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class BackfillSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data["start"] > data["end"]:
            raise ValidationError("start is after end", field_name="start")
        if (data["end"] - data["start"]).days > 3 * 366:
            raise ValidationError("a backfill covers at most three years", field_name="end")


class CampaignsQuery(Schema):
    account_id = fields.Integer()
    platform = Text()
    q = Text(metadata={"description": "Part of the name, case-insensitive"})
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))


class CampaignSchema(Schema):
    id = fields.Integer(required=True)
    ad_account_id = fields.Integer(required=True)
    platform = fields.String(required=True)
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    first_seen = fields.Date(allow_none=True)
    last_seen = fields.Date(allow_none=True)


class FxResultSchema(Schema):
    rows = fields.Integer(required=True)
    currencies = fields.List(fields.String(), required=True)
    first_date = fields.Date(allow_none=True)
    last_date = fields.Date(allow_none=True)
    overwritten = fields.Integer(metadata={"description": "Stored rates replaced (overwrite)"})


@blp.route("/sync-health", methods=["GET"])
@signed_in
@blp.response(200, SyncHealthSchema(many=True))
def list_sync_health():
    """Per account: last success, freshness, provisional days, errors, FX gaps, reconciliation."""
    return health.sync_health()


@blp.route("/ad-accounts/<int:account_id>/sync-runs", methods=["GET"])
@signed_in
@blp.arguments(SyncRunsQuery, location="query")
@blp.response(200, SyncRunSchema(many=True))
def list_sync_runs(query: dict, account_id: int):
    """The account's most recent sync runs, newest first."""
    return sync.recent_runs(account_id, query["limit"])


@blp.route("/ad-accounts/<int:account_id>/sync-requests", methods=["GET"])
@signed_in
@blp.arguments(SyncRequestsQuery, location="query")
@blp.response(200, SyncRequestSchema(many=True))
def list_sync_requests(query: dict, account_id: int):
    """The account's latest sync requests, newest first: each sync or backfill with the chunks
    it was split into, its progress (days done of total), rows, duration and errors."""
    return history.sync_requests(account_id, query["limit"])


@blp.route("/ad-accounts/<int:account_id>/sync", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.response(202, SyncRunSchema(many=True))
def start_sync(account_id: int):
    """Queue a sync of the restatement window and any day never fetched."""
    return sync.request_sync(account_id, "manual", actor=current_actor())


@blp.route("/ad-accounts/<int:account_id>/backfill", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.arguments(BackfillSchema)
@blp.response(202, SyncRunSchema(many=True))
def start_backfill(data: dict, account_id: int):
    """Queue a backfill of a date range, split into chunks."""
    return sync.request_sync(
        account_id, "backfill", data["start"], data["end"], actor=current_actor()
    )


@blp.route("/campaigns", methods=["GET"])
@signed_in
@blp.arguments(CampaignsQuery, location="query")
@blp.response(200, CampaignSchema(many=True))
def list_campaigns(query: dict):
    """Campaigns ever synced (for scopes and filters), most recently seen first."""
    return sync.list_campaigns(**query)


@blp.route("/fx-rates/upload", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@accepts_upload
@blp.response(200, FxResultSchema)
@blp.alt_response(409, response="DEFAULT_ERROR", description="Would change stored rates")
def upload_fx_rates():
    """Load exchange rates from a CSV in the ECB reference format (multipart field `file`).

    A file that would change a rate already stored is refused (409, nothing loaded) unless the
    form field `overwrite` is true; overwritten rates are audited (old and new).
    """
    from flask import current_app

    from backend.services.ingestion.fx import load_fx_csv

    upload = request.files.get("file")
    if upload is None:
        raise Invalid("attach the CSV as the multipart field 'file'", field="file")
    overwrite = request.form.get("overwrite", "false").strip().lower()
    if overwrite not in {"true", "false", "1", "0", "yes", "no"}:
        raise Invalid("must be true or false", field="overwrite")
    try:
        text_stream = io.TextIOWrapper(upload.stream, encoding="utf-8-sig", newline="")
        result = load_fx_csv(
            text_stream,
            current_app.config["REPORTING_CURRENCY"],
            source=f"upload:{upload.filename or 'csv'}"[:64],
            actor=current_actor(),
            overwrite=overwrite in {"true", "1", "yes"},
        )
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text", field="file") from None
    return {
        "rows": result.rows,
        "currencies": list(result.currencies),
        "first_date": result.first_date,
        "last_date": result.last_date,
        "overwritten": result.overwritten,
    }
