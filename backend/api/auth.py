"""/api/auth: log in and out, who am I (with the CSRF token), password change, API tokens."""

from __future__ import annotations

import datetime as dt

from flask import after_this_request, current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.api.strings import Text
from backend.auth import (
    auth_method,
    csrf_exempt,
    csrf_token,
    current_actor,
    public,
    signed_in,
)
from backend.auth.passwords import MAX_LENGTH, MIN_LENGTH
from backend.auth.sessions import current_session_key, end_session, start_session
from backend.models import Role
from backend.services import login_throttle, logins, tokens, users

blp = Blueprint(
    "auth",
    __name__,
    url_prefix="/api/auth",
    description="Sessions, the CSRF token, password change and API tokens",
)


class LoginSchema(Schema):
    email = Text(required=True, validate=validate.Length(min=1, max=320))
    password = Text(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = Text(required=True)
    name = Text(required=True)
    role = Text(required=True, validate=validate.OneOf([r.value for r in Role]))
    is_active = fields.Boolean(required=True)
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class SessionSchema(Schema):
    user = fields.Nested(UserSchema, required=True)
    csrf_token = Text(
        allow_none=True,
        metadata={"description": "Send as X-CSRF-Token on POST/PUT/PATCH/DELETE (null: token)"},
    )
    auth_method = Text(metadata={"description": "session or token"})


class PasswordChangeSchema(Schema):
    current_password = Text(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    new_password = Text(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
        metadata={"description": f"At least {MIN_LENGTH} characters"},
    )


class TokenCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=255))
    expires_in_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650)
    )


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = Text(required=True)
    prefix = Text(required=True, metadata={"description": "First characters"})
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = Text(
        required=True, metadata={"description": "The secret: shown this once, never again"}
    )


def _session_payload() -> dict:
    return {"user": current_user, "csrf_token": csrf_token(), "auth_method": auth_method()}


@blp.route("/login", methods=["POST"])
@public
@csrf_exempt
@blp.arguments(LoginSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(401, response="DEFAULT_ERROR", description="Wrong email or password")
@blp.alt_response(403, response="DEFAULT_ERROR", description="Posted from another origin")
@blp.alt_response(429, response="DEFAULT_ERROR", description="Too many attempts (Retry-After)")
def login(data: dict):
    """Log in with email and password; sets the session cookie, returns the CSRF token.

    Unknown email, wrong password and an inactive account all answer 401 "Invalid email or
    password". Failed attempts are throttled per client address (20 free) and per account (5
    free), then each one doubles the wait (1 s, 2 s, 4 s ... up to 15 minutes): meanwhile login
    answers 429 with Retry-After, for unknown emails alike. A browser that signed in to the
    account before (a device cookie) has its own allowance instead, so an attack on the account
    does not lock its owner out. A request whose Origin is another site is refused (403).
    """
    signed_in_as = logins.authenticate(
        data["email"],
        data["password"],
        address=request.remote_addr,
        device_cookie=request.cookies.get(login_throttle.DEVICE_COOKIE),
    )
    token = start_session(signed_in_as.user)

    @after_this_request
    def _remember_browser(response):
        response.set_cookie(
            login_throttle.DEVICE_COOKIE,
            signed_in_as.device_cookie,
            max_age=dt.timedelta(days=login_throttle.DEVICE_COOKIE_DAYS),
            path=login_throttle.DEVICE_COOKIE_PATH,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Strict",
        )
        return response

    return {"user": signed_in_as.user, "csrf_token": token, "auth_method": "session"}


@blp.route("/logout", methods=["POST"])
@public
@blp.response(204)
def logout():
    """End the session (needs the X-CSRF-Token header when logged in): the server forgets it, so
    no copy of the cookie works any more."""
    end_session()


@blp.route("/me", methods=["GET"])
@signed_in
@blp.response(200, SessionSchema)
def me():
    """The logged-in user and the session's CSRF token."""
    return _session_payload()


@blp.route("/password", methods=["POST"])
@signed_in
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data: dict):
    """Change your own password (current + new, at least 12 characters).

    Other sessions of the user end and all their API tokens are revoked; this session stays.
    Wrong current passwords are throttled like failed logins of the account (429).
    """
    users.change_own_password(
        current_actor(),
        data["current_password"],
        data["new_password"],
        keep_session=current_session_key(),
    )


@blp.route("/tokens", methods=["GET"])
@signed_in
@blp.response(200, TokenSchema(many=True))
def list_tokens():
    """Your API tokens, without their secrets."""
    return tokens.list_tokens(current_actor())


@blp.route("/tokens", methods=["POST"])
@signed_in
@blp.arguments(TokenCreateSchema)
@blp.response(201, IssuedTokenSchema)
def create_token(data: dict):
    """Make an API token for scripts (Authorization: Bearer <token>); the secret is shown once.

    Only from a signed-in session: a token cannot make more tokens.
    """
    issued = tokens.create_token(
        current_actor(),
        data["name"],
        expires_in_days=data.get("expires_in_days"),
        via_session=auth_method() == "session",
    )
    shown = {name: getattr(issued.token, name) for name in TokenSchema().fields}
    return {**shown, "token": issued.secret}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@signed_in
@blp.response(204)
def revoke_token(token_id: int):
    """Revoke one of your API tokens."""
    tokens.revoke_token(current_actor(), token_id)
