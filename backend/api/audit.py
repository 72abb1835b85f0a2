"""/api/audit (admin): the audit log, newest first, filtered and paginated."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from backend.auth import roles_allowed
from backend.models import Role
from backend.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api", description="Audit log (admin)")


class AuditQuerySchema(Schema):
    entity_type = fields.String(validate=validate.Length(min=1, max=64))
    entity_id = fields.String(validate=validate.Length(min=1, max=64))
    actor = fields.String(
        validate=validate.Length(min=1, max=320),
        metadata={"description": 'A user id or email ("system" for commands and jobs)'},
    )
    action = fields.String(validate=validate.Length(min=1, max=64))
    since = fields.AwareDateTime(metadata={"description": "At or after (ISO 8601 with zone)"})
    until = fields.AwareDateTime(metadata={"description": "Before (ISO 8601 with zone)"})

    @validates_schema
    def _window(self, data: dict, **_: object) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be after until", field_name="since")


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True)
    actor_email = fields.String(required=True)
    action = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    ip = fields.String(allow_none=True)


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
    return entries
