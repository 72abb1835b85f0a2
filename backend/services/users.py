"""Users and roles: create, change, deactivate (never the last admin), passwords.

What a user could do before a change must not outlive it: a password change or reset, a role
change and a deactivation end every session of the user (a password change keeps the caller's
own); a password change or reset and a deactivation also revoke every API token, so reactivating
a user brings neither back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from backend.auth.passwords import hash_password, policy_problem
from backend.errors import Conflict, Invalid, ServiceError
from backend.extensions import db
from backend.models import Role, User
from backend.models.user import normalize_email
from backend.services import audit, login_throttle, logins, tokens, user_sessions
from backend.services.rows import find_by_id

AUDITED_FIELDS = ("email", "name", "role", "is_active")
MAX_EMAIL = 320


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.id)))


def get_user(user_id: int) -> User:
    return find_by_id(User, user_id, missing="No such user")


def create_user(
    actor: User | None, *, email: str, password: str, role: Role | str, name: str = ""
) -> User:
    """A new active user; 409 when the email is taken, 422 for a weak password."""
    email = normalize_email(email)
    if len(email) > MAX_EMAIL:
        raise Invalid(f"must be at most {MAX_EMAIL} characters", field="email")
    if "@" not in email:
        raise Invalid("is not an email address", field="email")
    _check_password(password, field="password")
    if find_by_email(email) is not None:
        raise Conflict(f"A user with email {email} already exists", field="email")
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role).value,
        password_hash=hash_password(password),
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, None, audit.snapshot(user, AUDITED_FIELDS))
    db.session.commit()
    return user


def update_user(actor: User | None, user_id: int, changes: Mapping[str, Any]) -> User:
    """Change name, role, active flag, or reset the password (which also lifts the account's
    login throttle)."""
    if "password" in changes:
        _check_password(changes["password"], field="password")
    try:
        user = _apply_user_changes(actor, user_id, changes)
    except ServiceError:
        db.session.rollback()
        raise
    db.session.commit()
    if "password" in changes:
        login_throttle.clear_account(user.email)
    return user


def _apply_user_changes(actor: User | None, user_id: int, changes: Mapping[str, Any]) -> User:
    if "role" in changes or "is_active" in changes:
        # Lock the active admins first, always in the same order, then the user: two admins
        # demoting each other at once wait for one another instead of both succeeding.
        db.session.execute(_active_admins().order_by(User.id).with_for_update())
    user = _locked_row(user_id)
    before = audit.snapshot(user, AUDITED_FIELDS)
    if "name" in changes:
        user.name = changes["name"].strip()
    if "role" in changes:
        user.role = Role(changes["role"]).value
    if "is_active" in changes:
        user.is_active = bool(changes["is_active"])
    password_reset = "password" in changes
    if password_reset:
        user.password_hash = hash_password(changes["password"])
    _keep_an_admin(user, before)
    after = audit.snapshot(user, AUDITED_FIELDS)
    if password_reset:
        before["password"], after["password"] = "old", "new"
    if before != after:
        audit.record(actor, "user.update", "user", user.id, before, after)
    deactivated = before["is_active"] and not user.is_active
    if password_reset or deactivated or before["role"] != user.role:
        user_sessions.close_user_sessions(user.id)
    if password_reset or deactivated:
        tokens.revoke_user_tokens(actor, user.id)
    return user


def deactivate_user(actor: User | None, user_id: int) -> None:
    update_user(actor, user_id, {"is_active": False})


def change_own_password(
    user: User, current_password: str, new_password: str, *, keep_session: str | None = None
) -> None:
    """The user's own password change: the current one must be right (failures are throttled
    like logins). Ends the user's other sessions (`keep_session` is the caller's) and revokes
    their API tokens."""
    if not logins.verify_for_change(user, current_password):
        raise Invalid("is incorrect", field="current_password")
    _check_password(new_password, field="new_password")
    if current_password == new_password:
        raise Invalid("must differ from the current password", field="new_password")
    user = _locked_row(user.id)
    user.password_hash = hash_password(new_password)
    audit.record(user, "user.password_change", "user", user.id, None, None)
    user_sessions.close_user_sessions(user.id, keep_key=keep_session)
    tokens.revoke_user_tokens(user, user.id)
    db.session.commit()


def _check_password(password: str, *, field: str) -> None:
    problem = policy_problem(password)
    if problem:
        raise Invalid(problem, field=field)


def _locked_row(user_id: int) -> User:
    return find_by_id(User, user_id, missing="No such user", for_update=True)


def _active_admins():
    return select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True))


def _keep_an_admin(user: User, before: Mapping[str, Any]) -> None:
    """Refuse (409) a change that leaves no active admin (admin rows are locked by the caller)."""
    was_admin = before["role"] == Role.ADMIN and before["is_active"]
    still_admin = user.role == Role.ADMIN and user.is_active
    if not was_admin or still_admin:
        return
    others = db.session.scalar(
        select(func.count()).select_from(_active_admins().where(User.id != user.id).subquery())
    )
    if not others:
        raise Conflict("This is the last active admin: make another admin first", field="role")
