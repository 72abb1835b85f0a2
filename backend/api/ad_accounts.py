"""/api/ad-accounts: ad accounts and their credentials (admin changes; every role reads, never
the credentials), and connection tests of saved or unsaved credentials."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.strings import CredentialValue, Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.models import AccountStatus, Role
from backend.services import accounts
from connectors import platforms

blp = Blueprint("ad_accounts", __name__, url_prefix="/api/ad-accounts", description="Ad accounts")

CREDENTIALS_DOC = (
    "Fields of the platform's configuration schema (GET /api/platforms). Stored encrypted; "
    "secret fields are never shown again (answers show them as ••••, plus the last 4 "
    "characters of long values). In a PATCH, a secret sent back as its mask means unchanged."
)


class AdAccountSchema(Schema):
    id = fields.Integer(required=True)
    platform = Text(required=True)
    external_id = Text(required=True)
    name = Text(required=True)
    currency = Text(required=True)
    timezone = Text(required=True)
    manager_id = Text(
        allow_none=True,
        metadata={
            "description": "Google Ads: the manager account the account is reached through "
            "(sent as login-customer-id), found in the account hierarchy when it is added"
        },
    )
    status = Text(required=True)
    history_start = fields.Date(allow_none=True)
    credentials_expire_at = fields.DateTime(allow_none=True)
    last_error = Text(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    has_credentials = fields.Boolean(required=True)
    credentials_readable = fields.Boolean(
        metadata={"description": "Admins only: false when no configured key decrypts them"}
    )
    credentials = fields.Dict(
        keys=Text(), metadata={"description": "Admins only, masked. " + CREDENTIALS_DOC}
    )


def _credentials_field(required: bool) -> fields.Dict:
    return fields.Dict(
        keys=Text(validate=validate.Length(max=64)),
        values=CredentialValue(allow_none=True),
        required=required,
        validate=validate.Length(max=32),
        metadata={"description": CREDENTIALS_DOC},
    )


class AdAccountCreateSchema(Schema):
    platform = Text(required=True, validate=validate.OneOf(platforms()))
    external_id = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,64}$"))
    name = Text(required=True, validate=validate.Length(min=1, max=255))
    currency = Text(
        validate=validate.Regexp(r"^[A-Za-z]{3}$"),
        metadata={"description": "ISO 4217; read from the platform when omitted"},
    )
    timezone = Text(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "IANA time zone; read from the platform when omitted"},
    )
    history_start = fields.Date(allow_none=True, load_default=None)
    credentials = _credentials_field(required=True)


class AdAccountUpdateSchema(Schema):
    name = Text(validate=validate.Length(min=1, max=255))
    status = Text(
        validate=validate.OneOf([AccountStatus.ACTIVE.value, AccountStatus.DISABLED.value])
    )
    credentials = _credentials_field(required=False)


class ConnectionTestSchema(Schema):
    platform = Text(required=True, validate=validate.OneOf(platforms()))
    credentials = _credentials_field(required=True)
    external_id = Text(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "The account to add: the test also checks they read it"},
    )


class FoundAccountSchema(Schema):
    external_id = Text(required=True)
    name = Text(required=True)
    currency = Text(required=True)
    timezone = Text(required=True)


class ConnectionCheckSchema(Schema):
    ok = fields.Boolean(required=True)
    message = Text(required=True, metadata={"description": "The platform's own words"})
    accounts = fields.Integer(metadata={"description": "Ad accounts these credentials read"})
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "Credentials expiry"})
    skipped = fields.List(
        Text(),
        metadata={
            "description": "Accounts the credentials reach but the platform refuses (cancelled, "
            "not yet enabled), each as 'id: reason'; not counted in accounts"
        },
    )
    field = Text(
        allow_none=True,
        metadata={
            "description": "What a failure is about: 'credentials' (refused or unreachable) "
            "or 'external_id' (the credentials work but do not read that account)"
        },
    )
    account = fields.Nested(
        FoundAccountSchema,
        allow_none=True,
        metadata={"description": "The account tested for, as the platform describes it"},
    )


def _shown(account) -> dict:
    return accounts.describe(account, with_credentials=current_user.role == Role.ADMIN)


@blp.route("", methods=["GET"])
@signed_in
@blp.response(200, AdAccountSchema(many=True))
def list_ad_accounts():
    """All ad accounts (credentials masked, for admins only)."""
    return [_shown(a) for a in accounts.list_accounts()]


@blp.route("", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.arguments(AdAccountCreateSchema)
@blp.response(201, AdAccountSchema)
@blp.alt_response(409, response="DEFAULT_ERROR", description="The account is already added")
def create_ad_account(data: dict):
    """Add an ad account with its credentials (checked against the platform's schema)."""
    return _shown(accounts.create_account(current_actor(), data))


@blp.route("/test-connection", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.arguments(ConnectionTestSchema)
@blp.response(200, ConnectionCheckSchema)
def test_unsaved_connection(data: dict):
    """Test credentials before saving them (and, given `external_id`, that they read that
    account): ok, or the platform's own error message and the field it is about."""
    return accounts.test_unsaved(
        data["platform"], data["credentials"], data.get("external_id")
    ).as_dict()


@blp.route("/<int:account_id>", methods=["GET"])
@signed_in
@blp.response(200, AdAccountSchema)
def get_ad_account(account_id: int):
    """One ad account (credentials masked, for admins only)."""
    return _shown(accounts.get_account(account_id))


@blp.route("/<int:account_id>", methods=["PATCH"])
@roles_allowed(Role.ADMIN)
@blp.arguments(AdAccountUpdateSchema)
@blp.response(200, AdAccountSchema)
def update_ad_account(data: dict, account_id: int):
    """Rename, set active/disabled, or replace the credentials.

    New credentials put an account that needed them back to active.
    """
    return _shown(accounts.update_account(current_actor(), account_id, data))


@blp.route("/<int:account_id>", methods=["DELETE"])
@roles_allowed(Role.ADMIN)
@blp.response(204)
def delete_ad_account(account_id: int):
    """Delete the account with its campaigns and metrics."""
    accounts.delete_account(current_actor(), account_id)


@blp.route("/<int:account_id>/test-connection", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.response(200, ConnectionCheckSchema)
def test_saved_connection(account_id: int):
    """Test the stored credentials and that they still read the account; records their
    expiry when the platform tells it."""
    return accounts.test_saved(account_id).as_dict()
