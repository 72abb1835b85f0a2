"""CLI: create the first admin (and other users) from the command line."""

from __future__ import annotations

import click
from flask import Flask

from backend.auth.passwords import MIN_LENGTH
from backend.errors import ServiceError
from backend.models import Role


def _create(email: str, password: str | None, role: Role, name: str) -> None:
    from backend.services import users

    if password is None:
        password = click.prompt(
            f"Password for {email} (at least {MIN_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        user = users.create_user(None, email=email, password=password, role=role, name=name)
    except ServiceError as exc:
        raise click.ClickException(f"{exc.field or 'user'}: {exc.message}") from exc
    click.echo(f"created {user.role} {user.email} (id {user.id})")


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", required=True, help="The admin's email (the login).")
    @click.option("--password", default=None, help="Omit to be prompted (not echoed).")
    @click.option("--name", default="", help="Display name.")
    def create_admin_command(email: str, password: str | None, name: str) -> None:
        """Create an admin user (the first one, typically); fails if the email exists."""
        _create(email, password, Role.ADMIN, name)

    @app.cli.command("create-user")
    @click.option("--email", required=True, help="The user's email (the login).")
    @click.option(
        "--role", required=True, type=click.Choice([r.value for r in Role]), help="Their role."
    )
    @click.option("--password", default=None, help="Omit to be prompted (not echoed).")
    @click.option("--name", default="", help="Display name.")
    def create_user_command(email: str, role: str, password: str | None, name: str) -> None:
        """Create a user with a role; fails if the email exists."""
        _create(email, password, Role(role), name)
