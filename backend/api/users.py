"""/api/users (admin): list, create, change role/name/active flag, reset a password, deactivate."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.auth import UserSchema
from backend.api.strings import EmailText, Text
from backend.auth import current_actor, roles_allowed
from backend.auth.passwords import MAX_LENGTH, MIN_LENGTH
from backend.models import Role
from backend.services import users

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users and roles (admin)")

ROLES = [r.value for r in Role]


class UserCreateSchema(Schema):
    email = EmailText(required=True, validate=validate.Length(max=320))
    name = Text(load_default="", validate=validate.Length(max=255))
    role = Text(required=True, validate=validate.OneOf(ROLES))
    password = Text(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
        metadata={"description": f"At least {MIN_LENGTH} characters"},
    )


class UserUpdateSchema(Schema):
    name = Text(validate=validate.Length(max=255))
    role = Text(validate=validate.OneOf(ROLES))
    is_active = fields.Boolean()
    password = Text(
        validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
        metadata={
            "description": "A new password (reset): ends the user's sessions, revokes their API "
            "tokens and lifts the account's login throttle"
        },
    )


@blp.route("", methods=["GET"])
@roles_allowed(Role.ADMIN)
@blp.response(200, UserSchema(many=True))
def list_users():
    """All users."""
    return users.list_users()


@blp.route("", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, response="DEFAULT_ERROR", description="The email already has a user")
def create_user(data: dict):
    """Add a user with a role and an initial password."""
    return users.create_user(current_actor(), **data)


@blp.route("/<int:user_id>", methods=["GET"])
@roles_allowed(Role.ADMIN)
@blp.response(200, UserSchema)
def get_user(user_id: int):
    """One user."""
    return users.get_user(user_id)


@blp.route("/<int:user_id>", methods=["PATCH"])
@roles_allowed(Role.ADMIN)
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.alt_response(409, response="DEFAULT_ERROR", description="Would leave no active admin")
def update_user(data: dict, user_id: int):
    """Change name, role or active flag, or reset the password; never removes the last admin.

    A role change, a deactivation and a password reset end the user's sessions; a deactivation
    and a password reset also revoke their API tokens (reactivating brings none back).
    """
    return users.update_user(current_actor(), user_id, data)


@blp.route("/<int:user_id>", methods=["DELETE"])
@roles_allowed(Role.ADMIN)
@blp.response(204)
@blp.alt_response(409, response="DEFAULT_ERROR", description="The last active admin")
def deactivate_user(user_id: int):
    """Deactivate a user (kept for the audit log): their sessions end and their API tokens are
    revoked."""
    users.deactivate_user(current_actor(), user_id)
