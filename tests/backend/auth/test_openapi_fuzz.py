"""A bounded schemathesis fuzz of every operation in /api/openapi.json, logged in as an admin with
the CSRF header: no input the schema allows (or almost allows) makes the API answer a 5xx.

The platforms point at a closed local port, so connection tests fail fast and nothing leaves the
machine. Before each case the admin is put back as it was (the fuzz may demote, deactivate or
re-password any user, the admin included), so every case runs with admin rights.
"""

from __future__ import annotations

import os
import warnings

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import (
    InvalidRegexPattern,
    InvalidRegexType,
    InvalidSchema,
    SerializationNotPossible,
    UnsupportedRegexPattern,
    UnsupportedSchema,
)

from backend.models import Role, User
from backend.services import user_sessions
from connectors.registry import endpoint_defaults
from tests.conftest import login

CLOSED = "127.0.0.1:9"
#: Examples per operation and mode; SPENDLENS_FUZZ_EXAMPLES=200 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("SPENDLENS_FUZZ_EXAMPLES", "20"))
#: SPENDLENS_FUZZ_PATHS=/api/users,/api/audit fuzzes only the operations under these paths.
ONLY_PATHS = tuple(p for p in os.environ.get("SPENDLENS_FUZZ_PATHS", "").split(",") if p)
#: The blueprints (OpenAPI tags) of the auth domain: users, ad accounts, platforms, audit log.
AUTH_TAGS = {"auth", "users", "ad_accounts", "platforms", "audit", "health"}
SCHEMA_PROBLEMS = (
    InvalidSchema,
    UnsupportedSchema,
    InvalidRegexPattern,
    UnsupportedRegexPattern,
    InvalidRegexType,
    SerializationNotPossible,
)


@pytest.fixture
def api_schema(app, db, monkeypatch):
    # every platform's endpoints (as the registry declares them) point at a closed port
    for name, real in endpoint_defaults().items():
        if real is not None:
            closed = CLOSED if "://" not in real else f"http://{CLOSED}"
            monkeypatch.setitem(app.config, name.upper(), closed)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    # Our own session cookie and CSRF header authenticate every case; a generated
    # "Authorization: Bearer <random>" would (rightly) make the API ignore them.
    schema.config.generation.update(with_security_parameters=False)
    return schema


@pytest.fixture
def admin_headers(app, make_user, db):
    user = make_user(Role.ADMIN)
    client = app.test_client()
    token = login(client, user.email)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    saved = {"id": user.id, "password_hash": user.password_hash}
    # the session's server-side row, put back when a case ended it (logout, a role change)
    session_key = app.session_interface.get_signing_serializer(app).loads(cookie.value)["_sid"]

    def restore() -> None:
        with db.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            conn.execute(
                sa.update(User)
                .where(User.id == saved["id"])
                .values(role="admin", is_active=True, password_hash=saved["password_hash"])
            )
            conn.execute(
                sa.text(
                    "INSERT INTO user_sessions (user_id, key_hash, last_seen_at) "
                    "VALUES (:user_id, :key_hash, now()) ON CONFLICT (key_hash) DO NOTHING"
                ),
                {"user_id": saved["id"], "key_hash": user_sessions.digest(session_key)},
            )

    return {"cookies": {cookie.key: cookie.value}, "headers": {"X-CSRF-Token": token}}, restore


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("scope", ["auth", "other"], ids=["auth-domain", "other-domains"])
def test_no_input_makes_a_server_error(api_schema, admin_headers, db, scope):
    """Split in two so that a failure says whose it is: the auth domain's operations (tags
    below), or every other team's."""
    credentials, restore = admin_headers
    failures: list[str] = []
    unfuzzable: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    operations = [
        op for op in operations if bool(set(op.tags or ()) & AUTH_TAGS) == (scope == "auth")
    ]
    assert operations
    if ONLY_PATHS:
        operations = [op for op in operations if op.path.startswith(ONLY_PATHS)]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case):
                db.session.rollback()  # a refused request may have left its transaction open
                restore()
                case.call_and_validate(checks=[not_a_server_error], **credentials)

            try:
                fuzz()
            except Unsatisfiable:
                continue  # nothing to break: e.g. no invalid input exists for GET /api/health
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure
                if _only_schema_problems(exc):
                    unfuzzable.append(f"{operation.label} ({mode.value}): {exc}")
                else:
                    failures.append(f"{operation.label} ({mode.value}): {exc}")
    for problem in unfuzzable:
        warnings.warn(f"not fuzzed, its OpenAPI schema is unusable: {problem}", stacklevel=1)
    assert not failures, "\n\n".join(failures)


def _only_schema_problems(exc: BaseException) -> bool:
    """A schema schemathesis cannot generate from (the owner's to fix), not a server error."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_only_schema_problems(e) for e in exc.exceptions)
    return isinstance(exc, SCHEMA_PROBLEMS)
