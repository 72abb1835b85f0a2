"""Access tokens in the sandbox Graph API: which ones work, and what `/debug_token` says.

Only the sandbox's `GOOD_TOKEN` (connectors/sandbox/meta/world.py) works (sent as `access_token` or
`Authorization: Bearer`); `EXPIRED_TOKEN` answers code 190 / subcode 463 like an expired long-lived
token. An `appsecret_proof`, when sent, must be the HMAC-SHA256 of the token under the sandbox app
secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from connectors.sandbox.meta import world as meta_sandbox
from connectors.sandbox.meta.graph import GraphError

#: Lifetime of a long-lived user token.
TOKEN_LIFETIME_DAYS = 60
_DAY = 86_400
_INVALID = "Invalid OAuth access token - Cannot parse access token"


def expired_error() -> GraphError:
    return GraphError("Error validating access token: Session has expired", code=190, subcode=463)


def _app_token() -> str:
    config = meta_sandbox.config()
    return f"{config['app_id']}|{config['app_secret']}"


def _check_proof(token: str, params: Mapping[str, str]) -> None:
    proof = params.get("appsecret_proof")
    if proof is None:
        return
    secret = meta_sandbox.config()["app_secret"].encode()
    expected = hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(proof, expected):
        raise GraphError(
            "Invalid appsecret_proof provided in the API argument",
            code=100,
            kind="GraphMethodException",
        )


def check_token(params: Mapping[str, str]) -> None:
    """Raise Graph's error unless the request carries the good user token (and a right proof)."""
    token = params.get("access_token")
    if not token:
        raise GraphError("An access token is required to request this resource.", code=104)
    if token == meta_sandbox.EXPIRED_TOKEN:
        raise expired_error()
    if token != meta_sandbox.GOOD_TOKEN:
        raise GraphError(_INVALID, code=190)
    _check_proof(token, params)


def debug_token(params: Mapping[str, str], started: float) -> dict[str, Any]:
    """`GET /debug_token`: inspect `input_token`. The caller authenticates with the app token
    (`app_id|app_secret`) or a valid user token. Times count from `started` (server start)."""
    caller = params.get("access_token", "")
    if not hmac.compare_digest(caller, _app_token()) and caller != meta_sandbox.GOOD_TOKEN:
        if caller == meta_sandbox.EXPIRED_TOKEN:
            raise expired_error()
        raise GraphError(_INVALID, code=190)
    _check_proof(caller, params)
    token = params.get("input_token", "")
    now = int(started)
    issued = now - 5 * _DAY
    base = {
        "app_id": meta_sandbox.config()["app_id"],
        "type": "USER",
        "application": "Spendlens Sandbox",
        "scopes": ["ads_read", "ads_management", "business_management"],
        "user_id": "10000000001",
    }
    if token == meta_sandbox.GOOD_TOKEN:
        data = {
            **base,
            "data_access_expires_at": issued + 90 * _DAY,
            "expires_at": issued + TOKEN_LIFETIME_DAYS * _DAY,
            "is_valid": True,
            "issued_at": issued,
        }
    elif token == meta_sandbox.EXPIRED_TOKEN:
        data = {
            **base,
            "data_access_expires_at": issued + 30 * _DAY,
            "error": {"code": 190, "message": expired_error().message, "subcode": 463},
            "expires_at": now - 2 * _DAY,
            "is_valid": False,
            "issued_at": now - (TOKEN_LIFETIME_DAYS + 2) * _DAY,
        }
    else:
        data = {"error": {"code": 190, "message": _INVALID}, "is_valid": False, "scopes": []}
    return {"data": data}
