"""Password hashing (scrypt) and the password policy.

The cost is werkzeug's scrypt default (N=2^15, r=8, p=1). PASSWORD_HASH_METHOD in the app config
may name another werkzeug method ("scrypt:16384:8:1"); the tests lower it to stay fast.
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 1024
METHOD = "scrypt"


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
    return generate_password_hash(password, method=method or METHOD)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, spends the same time and answers False."""
    if not password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


def policy_problem(password: str) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if not password.strip():
        return "must not be blank"
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password-of-anyone", method=METHOD)
