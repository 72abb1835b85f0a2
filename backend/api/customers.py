"""/api/customers, /api/revenue and /api/events: load acquired customers, revenue events and
in-app events (CSV upload or a JSON batch; admin and finance), and a summary of what is loaded
(every role)."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from backend.api.strings import Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.errors import Invalid
from backend.http_guards import accepts_upload
from backend.models import Role
from backend.services import customers
from backend.services.customers.summary import customer_data_summary

blp = Blueprint("customers", __name__, url_prefix="/api", description="Customers and revenue")

CUSTOMER_FIELDS_DOC = (
    "Keys as the CSV columns: customer_id and acquired_at (ISO 8601) required; platform, "
    "account_external_id, campaign_external_id, country, device optional."
)
REVENUE_FIELDS_DOC = (
    "Keys as the CSV columns: event_id, customer_id, occurred_at (ISO 8601), amount (decimal), "
    "currency (ISO 4217), all required."
)
EVENT_FIELDS_DOC = (
    "Keys as the CSV columns: event_id, customer_id, occurred_at (ISO 8601) and name required; "
    "value (decimal) and properties (a JSON object) optional."
)
REJECTED = "The data has problems (listed by line or item and field); nothing was loaded"


class LoadResultSchema(Schema):
    kind = Text(required=True)
    rows = fields.Integer(required=True, metadata={"description": "Records in the load"})
    inserted = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


def _batch_field(doc: str) -> fields.List:
    return fields.List(
        fields.Dict(keys=Text()),
        required=True,
        validate=validate.Length(min=1, max=customers.MAX_BATCH_ITEMS),
        metadata={"description": doc},
    )


class CustomerBatchSchema(Schema):
    customers = _batch_field(CUSTOMER_FIELDS_DOC)


class RevenueBatchSchema(Schema):
    events = _batch_field(REVENUE_FIELDS_DOC)


class EventBatchSchema(Schema):
    events = _batch_field(EVENT_FIELDS_DOC)


class SummarySchema(Schema):
    customers = fields.Integer(required=True)
    first_acquisition = fields.Date(allow_none=True)
    last_acquisition = fields.Date(allow_none=True)
    customers_by_platform = fields.Dict(keys=Text(), values=fields.Integer())
    customers_linked_to_campaigns = fields.Integer()
    revenue_events = fields.Integer(required=True)
    last_event_at = fields.DateTime(allow_none=True)
    revenue_reporting = fields.Decimal(as_string=True, allow_none=True)
    reporting_currency = Text()
    revenue_events_by_fx_status = fields.Dict(keys=Text(), values=fields.Integer())
    in_app_events = fields.Integer()
    last_in_app_event_at = fields.DateTime(allow_none=True)


def _loaded(load: Callable, *args, **kwargs) -> dict:
    try:
        return load(*args, actor=current_actor(), **kwargs).as_dict()
    except customers.LoadRejected as exc:
        abort(422, message=exc.message, errors=exc.errors)


def _upload(load: Callable) -> dict:
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("attach the CSV as the multipart field 'file'", field="file")
    stream = io.TextIOWrapper(
        upload.stream, encoding="utf-8-sig", errors="surrogateescape", newline=""
    )
    return _loaded(load, stream, source=f"upload:{upload.filename or 'csv'}")


@blp.route("/customers/upload", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@accepts_upload
@blp.response(200, LoadResultSchema)
@blp.alt_response(422, response="DEFAULT_ERROR", description=REJECTED)
def upload_customers():
    """Load customers from a CSV (multipart field `file`); loading again changes nothing."""
    return _upload(customers.load_customers_csv)


@blp.route("/revenue/upload", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@accepts_upload
@blp.response(200, LoadResultSchema)
@blp.alt_response(422, response="DEFAULT_ERROR", description=REJECTED)
def upload_revenue():
    """Load revenue events from a CSV (multipart field `file`), converted to the reporting
    currency; an event id already loaded is updated, never duplicated."""
    return _upload(customers.load_revenue_csv)


@blp.route("/events/upload", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@accepts_upload
@blp.response(200, LoadResultSchema)
@blp.alt_response(422, response="DEFAULT_ERROR", description=REJECTED)
def upload_events():
    """Load in-app events from a CSV (multipart field `file`); an event id already loaded is
    updated, never duplicated."""
    return _upload(customers.load_events_csv)


@blp.route("/customers/batch", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(CustomerBatchSchema)
@blp.response(200, LoadResultSchema)
@blp.alt_response(422, response="DEFAULT_ERROR", description=REJECTED)
def load_customer_batch(data: dict):
    """Load a batch of customers (problems are reported as "item <index>")."""
    return _loaded(customers.load_customers_batch, data["customers"])


@blp.route("/revenue/batch", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(RevenueBatchSchema)
@blp.response(200, LoadResultSchema)
@blp.alt_response(422, response="DEFAULT_ERROR", description=REJECTED)
def load_revenue_batch(data: dict):
    """Load a batch of revenue events (problems are reported as "item <index>")."""
    return _loaded(customers.load_revenue_batch, data["events"])


@blp.route("/events/batch", methods=["POST"])
@roles_allowed(Role.ADMIN, Role.FINANCE)
@blp.arguments(EventBatchSchema)
@blp.response(200, LoadResultSchema)
@blp.alt_response(422, response="DEFAULT_ERROR", description=REJECTED)
def load_event_batch(data: dict):
    """Load a batch of in-app events (problems are reported as "item <index>")."""
    return _loaded(customers.load_events_batch, data["events"])


@blp.route("/customers/summary", methods=["GET"])
@signed_in
@blp.response(200, SummarySchema)
def summarize_customer_data():
    """How many customers and revenue events are loaded, and how the revenue converted."""
    return customer_data_summary()
