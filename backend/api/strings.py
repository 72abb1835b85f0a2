"""String fields for request schemas that only accept what PostgreSQL can store.

PostgreSQL refuses text with a NUL character, and UTF-8 cannot encode an unpaired surrogate
(JSON may carry both as \\u escapes). Without this check such input reaches the database and
becomes a 500; with it, a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

MESSAGE = "must not contain NUL characters or unpaired surrogates"


def storable(value: str) -> bool:
    """Whether PostgreSQL can store `value` as text."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(fields.String):
    """A string PostgreSQL can store."""

    default_error_messages = {"unstorable": MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not storable(text):
            raise self.make_error("unstorable")
        return text


class EmailText(fields.Email):
    """An email address PostgreSQL can store."""

    default_error_messages = {"unstorable": MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not storable(text):
            raise self.make_error("unstorable")
        return text


class CredentialValue(fields.Raw):
    """A credential field's value: a storable string, a number, a boolean or null."""

    default_error_messages = {
        "unstorable": MESSAGE,
        "invalid": "must be a string, a number, true/false or null",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not storable(value):
                raise self.make_error("unstorable")
            return value
        if value is None or isinstance(value, bool | int | float):
            return value
        raise self.make_error("invalid")
