"""/api/platforms: the platforms as their connector packages declare them: the dashboard's labels
and colours, and the configuration schema of the ad account form."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.auth import signed_in
from backend.services import account_credentials

blp = Blueprint("platforms", __name__, url_prefix="/api", description="Ad platforms")


class PlatformSchema(Schema):
    platform = fields.String(required=True, metadata={"description": "Name in the API and data"})
    label = fields.String(required=True, metadata={"description": "Name people read"})
    colour = fields.String(
        required=True, metadata={"description": "Colour of the platform's series (CSS hex)"}
    )
    restatement_days = fields.Integer(
        required=True, metadata={"description": "Days re-fetched on every sync (restatements)"}
    )
    default_concurrency = fields.Integer(
        required=True, metadata={"description": "Syncs of the platform that may run at once"}
    )
    clicks_name = fields.String(
        required=True,
        metadata={"description": "What the platform calls what Spendlens stores as clicks"},
    )
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
    """The platforms: label, colour, restatement window, and the credentials each needs.

    Every signed-in role reads it (the dashboard's labels and colours come from here)."""
    return account_credentials.catalog()
