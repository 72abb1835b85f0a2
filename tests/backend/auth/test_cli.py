"""`flask create-admin` and `flask create-user`."""

from __future__ import annotations

from backend.models import User
from backend.services.users import find_by_email
from tests.conftest import PASSWORD


def test_create_admin_with_a_password_option(runner, db):
    result = runner.invoke(
        args=["create-admin", "--email", "Boss@Example.com", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "created admin boss@example.com" in result.output
    user = find_by_email("boss@example.com")
    assert user.role == "admin" and user.is_active
    assert PASSWORD not in result.output


def test_create_admin_prompts_for_the_password_without_echo(runner, db):
    result = runner.invoke(
        args=["create-admin", "--email", "boss@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert find_by_email("boss@example.com") is not None


def test_create_admin_fails_clearly_when_the_email_exists(runner, make_user):
    make_user(email="boss@example.com")
    result = runner.invoke(
        args=["create-admin", "--email", "BOSS@example.com", "--password", PASSWORD]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert db_count(runner) == 1


def test_create_admin_refuses_a_short_password(runner, db):
    result = runner.invoke(args=["create-admin", "--email", "a@example.com", "--password", "short"])
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


def test_create_user_with_a_role(runner, db):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "f@example.com",
            "--role",
            "finance",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert find_by_email("f@example.com").role == "finance"


def db_count(runner) -> int:
    from backend.extensions import db

    with runner.app.app_context():
        return db.session.query(User).count()
