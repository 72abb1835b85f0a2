"""CLI: re-encrypt every stored credential under the newest encryption key."""

from __future__ import annotations

import click
from flask import Flask

from backend.errors import ServiceError


def register(app: Flask) -> None:
    @app.cli.command("rotate-keys")
    def rotate_keys_command() -> None:
        """Re-encrypt all ad account credentials under the first SPENDLENS_ENCRYPTION_KEYS key.

        Put the new key first and keep the old ones after it; run this; then drop the old keys.
        """
        from backend.services.accounts import rotate_keys

        try:
            count = rotate_keys()
        except ServiceError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"re-encrypted the credentials of {count} ad account(s) under the newest key")
