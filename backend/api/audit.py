"""/api/audit (admin): the audit log, newest first, filtered and paginated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from backend.api.strings import Text
from backend.auth import roles_allowed
from backend.models import Role
from backend.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api", description="Audit log (admin)")


class UtcDateTime(fields.AwareDateTime):
    """An aware date-time, converted to UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    default_error_messages = {"range": "is out of range"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            raise self.make_error("range") from None


class AuditQuerySchema(Schema):
    entity_type = Text(validate=validate.Length(min=1, max=64))
    entity_id = Text(validate=validate.Length(min=1, max=64))
    actor = Text(
        validate=validate.Length(min=1, max=320),
        metadata={"description": 'A user id or email ("system" for commands and jobs)'},
    )
    action = Text(validate=validate.Length(min=1, max=64))
    since = UtcDateTime(metadata={"description": "At or after (ISO 8601 with zone)"})
    until = UtcDateTime(metadata={"description": "Before (ISO 8601 with zone)"})

    @validates_schema
    def _window(self, data: dict, **_: object) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be after until", field_name="since")


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True)
    actor_email = Text(required=True)
    action = Text(required=True)
    entity_type = Text(required=True)
    entity_id = Text(allow_none=True)
    entity_name = Text(allow_none=True, metadata={"description": "The entity as people name it"})
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    ip = Text(allow_none=True)


@blp.route("/audit", methods=["GET"])
@roles_allowed(Role.ADMIN)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate(page_size=50, max_page_size=500)
def list_audit(query: dict, pagination_parameters):
    """Who changed what, when, before → after (secrets shown as "[secret]").

    Paginated with ?page=&page_size=; the X-Pagination header has the total.
    """
    entries, total = audit.search(
        audit.AuditQuery(**query),
        offset=pagination_parameters.first_item,
        limit=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    names = audit.entity_names(entries)
    return [{**_entry(entry), "entity_name": names[entry.id]} for entry in entries]


def _entry(entry) -> dict:
    shown = (name for name in AuditEntrySchema().fields if name != "entity_name")
    return {name: getattr(entry, name) for name in shown}


class AuditFacetsSchema(Schema):
    actions = fields.List(Text(), required=True)
    entity_types = fields.List(Text(), required=True)


@blp.route("/audit/facets", methods=["GET"])
@roles_allowed(Role.ADMIN)
@blp.response(200, AuditFacetsSchema)
def audit_facets():
    """The actions and entity types in the log, for filters that offer them."""
    return audit.facets()
