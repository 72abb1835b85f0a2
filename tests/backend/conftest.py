"""Fixtures shared by every backend test: users of each role and clients logged in as them
(they carry the CSRF header). Defined with the auth tests; re-exported here."""

from tests.backend.auth.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    PASSWORD,
    admin,
    client_for,
    finance,
    login,
    make_user,
    marketer,
)
