"""/api/platforms: each platform's configuration schema, for the ad account form."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.auth import signed_in
from backend.services import account_credentials

blp = Blueprint("platforms", __name__, url_prefix="/api", description="Ad platforms")


class PlatformSchema(Schema):
    platform = fields.String(required=True)
    available = fields.Boolean(required=True, metadata={"description": "Connector installed"})
    configuration_schema = fields.Dict(
        allow_none=True, metadata={"description": "JSON schema of the credentials"}
    )
    secret_fields = fields.List(
        fields.String(), required=True, metadata={"description": "Never shown again once saved"}
    )
    message = fields.String(allow_none=True)


@blp.route("/platforms", methods=["GET"])
@signed_in
@blp.response(200, PlatformSchema(many=True))
def list_platforms():
    """The platforms and the credentials each needs."""
    return account_credentials.catalog()
