"""Ad account credentials: checked against the platform's schema, encrypted, shown masked.

The schema comes from the connector registry (`configuration_schema()`, whose `secret` list names
the fields never shown again). Fields whose names say they are secret (token, secret, password,
private key) are treated as secret even if a connector forgets to list them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import current_app

from backend.crypto import CredentialBox, CredentialsUnreadable
from backend.errors import Invalid, ServiceError
from connectors import ConfigurationError, connector_class, platform_spec, platforms
from connectors.base import validate_config

MASK = "••••"
#: A secret shows its last 4 characters only when it is at least this long.
SUFFIX_FROM_LENGTH = 20
_SECRET_NAME = re.compile(r"secret|token|password|private_key|passphrase", re.IGNORECASE)


class EncryptionUnavailable(ServiceError):
    status = 503


def known_platforms() -> tuple[str, ...]:
    return platforms()


def configuration_schema(platform: str) -> dict[str, Any]:
    """The platform's configuration schema; 422 naming `platform` when there is none."""
    if platform not in platforms():
        raise Invalid(f"unknown platform; known: {', '.join(platforms())}", field="platform")
    try:
        return connector_class(platform).configuration_schema()
    except ImportError as exc:
        raise Invalid(
            f"the {platform} connector is not available: {exc}", field="platform"
        ) from exc


def catalog() -> list[dict[str, Any]]:
    """Every platform as its connector package declares it (label, colour, restatement window,
    concurrency) with its configuration schema (or why its connector is unavailable)."""
    out = []
    for platform in platforms():
        try:
            schema: dict[str, Any] | None = configuration_schema(platform)
            message = None
        except Invalid as exc:
            schema, message = None, exc.message
        out.append(
            {
                **platform_spec(platform).describe(),
                "available": schema is not None,
                "configuration_schema": schema,
                "secret_fields": list(secret_fields(schema)) if schema else [],
                "message": message,
            }
        )
    return out


def secret_fields(schema: Mapping[str, Any]) -> tuple[str, ...]:
    listed = set(schema.get("secret", ()))
    named = {name for name in schema.get("properties", {}) if _SECRET_NAME.search(name)}
    return tuple(sorted(listed | named))


def validate(platform: str, credentials: Any) -> dict[str, Any]:
    """A clean copy of `credentials`; 422 naming the field (credentials.<name>) otherwise."""
    schema = configuration_schema(platform)
    if not isinstance(credentials, Mapping):
        raise Invalid("must be an object", field="credentials")
    try:
        return validate_config(schema, credentials)
    except ConfigurationError as exc:
        name, sep, reason = exc.message.partition(": ")
        if not sep:
            raise Invalid(exc.message, field="credentials") from None
        raise Invalid(reason, field=f"credentials.{name}") from None


def mask_value(value: Any) -> str:
    if isinstance(value, str) and len(value.strip()) >= SUFFIX_FROM_LENGTH:
        return MASK + value.strip()[-4:]
    return MASK


def mask(schema: Mapping[str, Any], credentials: Mapping[str, Any]) -> dict[str, Any]:
    """Non-secret fields as they are, secret ones as "••••" (+ last 4 characters when long)."""
    secret = set(secret_fields(schema))
    return {k: (mask_value(v) if k in secret else v) for k, v in credentials.items()}


def keep_masked(
    schema: Mapping[str, Any], submitted: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """`submitted`, with secret fields sent back as their mask replaced by the stored value.

    A form that shows the masked credentials and changes only a non-secret field sends the
    masks back; they mean "unchanged", never a new secret.
    """
    out = dict(submitted)
    for name in secret_fields(schema):
        if name in out and name in stored and out[name] == mask_value(stored[name]):
            out[name] = stored[name]
    return out


def secret_values(schema: Mapping[str, Any], credentials: Mapping[str, Any]) -> list[str]:
    names = secret_fields(schema)
    return [v for k, v in credentials.items() if k in names and isinstance(v, str)]


def box() -> CredentialBox:
    try:
        return CredentialBox.from_config(current_app.config)
    except ValueError as exc:
        raise EncryptionUnavailable(
            "Credentials cannot be stored: SPENDLENS_ENCRYPTION_KEYS is not set"
        ) from exc


def decrypt(token: bytes | None) -> dict[str, Any] | None:
    """The stored credentials, or None when there are none or no key reads them."""
    if not token:
        return None
    try:
        return box().decrypt(token)
    except (CredentialsUnreadable, EncryptionUnavailable):
        return None
