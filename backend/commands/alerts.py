"""CLI: evaluate budgets, deliver the mail outbox, daily digests and who receives them."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    group = click.Group("alerts", help="Budget alerts and their mail.")
    app.cli.add_command(group)

    @group.command("evaluate")
    @click.option("--budget", "budget_ids", type=int, multiple=True, help="Only these budgets.")
    def evaluate_command(budget_ids: tuple[int, ...]) -> None:
        """Evaluate every live budget (or the given ones) now; queue their alert mail."""
        from backend.services.alerts import evaluation

        report = (
            evaluation.evaluate_budgets(budget_ids) if budget_ids else evaluation.evaluate_all()
        )
        click.echo(
            f"{report.budgets} budgets: {report.opened} alerts opened, {report.reopened} "
            f"reopened, {report.resolved} resolved, {report.mails_queued} mails queued"
        )

    @group.command("deliver")
    def deliver_command() -> None:
        """Send the outbox's due mail now."""
        from backend.services.alerts import delivery

        report = delivery.deliver_due()
        click.echo(f"sent {report.sent}, to retry {report.retried}, refused {report.failed}")
        if report.errors:
            click.echo(f"last error: {report.errors[-1]}", err=True)

    @group.command("digest")
    @click.argument("email")
    @click.option("--on/--off", "daily", default=True, help="A daily digest, or one mail each.")
    def digest_command(email: str, daily: bool) -> None:
        """Choose how EMAIL receives alert mail: a daily digest (--on) or one per alert."""
        from backend.services.alerts import digest

        digest.set_preference(email, daily)
        click.echo(f"{email}: {'daily digest' if daily else 'one mail per alert'}")

    @group.command("send-digests")
    def send_digests_command() -> None:
        """Gather the mail held for digest recipients into one digest each (then `deliver`)."""
        from backend.services.alerts import digest

        click.echo(f"{digest.gather_digests()} digests queued")
