"""Alert mail end to end through the real worker, Redis, PostgreSQL and a real SMTP server:
a budget crossing 80% mails each recipient exactly once with the right figures, evaluating
again mails nobody, an SMTP outage delays the mail without losing it, and a sync of the
budget's account (sandbox platform) triggers the evaluation by itself."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from sqlalchemy import text

from analytics.pacing import period_end
from backend.models import Alert, AlertState
from backend.services.ingestion.sync import request_sync
from backend.services.ingestion.windows import account_today
from tests.backend.budgets.conftest import each_day, outbox, parts, write_spend
from tests.backend.ingestion.conftest import add_sandbox_account
from tests.workers.test_sync_worker import wait_for_runs

RECIPIENTS = ["cfo@example.com", "controller@example.com"]


def run_task(app, queue: str, name: str, *args) -> object:
    result = app.extensions["celery"].send_task(name, args=args, queue=queue)
    return result.get(timeout=120)


def current_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """A month with at least five complete days by yesterday (last month early in a month)."""
    as_of = today - dt.timedelta(days=1)
    start = as_of.replace(day=1) if as_of.day >= 5 else (as_of.replace(day=1) - dt.timedelta(1))
    return start.replace(day=1), min(as_of, period_end(start.replace(day=1), "month"))


def spend_81_percent(db, account, start: dt.date, last: dt.date) -> None:
    """8,100.00 in total: 100 a day, the rest on the first day."""
    days = each_day(start, last, 100)
    days[start] = 8100 - 100 * (len(days) - 1)
    write_spend(db, account, days)


def wait_until(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_crossing_80_percent_mails_each_recipient_once_with_the_right_figures(
    app, db, account, make_budget, mail_server, celery_worker, test_queue
):
    start, last = current_period(dt.datetime.now(dt.UTC).date())
    budget = make_budget(period_start=start, recipients=RECIPIENTS)
    spend_81_percent(db, account, start, last)
    run_task(app, test_queue, "workers.tasks.alerts.evaluate_budgets")
    mail_server.wait_for(2)
    elapsed, days = (last - start).days + 1, (period_end(start, "month") - start).days + 1
    for recipient in RECIPIENTS:
        (message,) = mail_server.inbox.to(recipient)
        assert message["Subject"] == (
            "[Spendlens] Warning: Meta October — Budget threshold crossed 80%"
        )
        for part in parts(message):
            assert "USD 8,100.00 of USD 10,000.00 (81.0%)" in part
            assert f"through {last.isoformat()}" in part
            assert f"USD {10000 * elapsed / days:,.2f}" in part  # expected to date, prorated
            assert f"budgets?budget={budget.id}" in part
    db.session.expire_all()
    assert db.session.query(Alert.state).one() == (AlertState.NOTIFIED,)

    run_task(app, test_queue, "workers.tasks.alerts.evaluate_budgets")
    run_task(app, test_queue, "workers.tasks.alerts.deliver_outbox")
    assert len(mail_server.messages) == 2
    assert [r.status for r in outbox(db)] == ["sent", "sent"]


def test_with_the_smtp_server_down_the_mail_waits_and_arrives_once_it_is_up(
    app, db, account, make_budget, mail_server, celery_worker, test_queue
):
    mail_server.stop()
    start, last = current_period(dt.datetime.now(dt.UTC).date())
    make_budget(period_start=start, recipients=RECIPIENTS)
    spend_81_percent(db, account, start, last)
    run_task(app, test_queue, "workers.tasks.alerts.evaluate_budgets")
    waiting = wait_until(
        lambda: [r for r in outbox(db) if r.attempts >= 1 and r.status == "pending"]
    )
    assert waiting and mail_server.messages == []
    mail_server.start()
    mail_server.wait_for(2)  # the delivery task retries by itself
    wait_until(lambda: [r.status for r in outbox(db)] == ["sent", "sent"])
    run_task(app, test_queue, "workers.tasks.alerts.deliver_outbox")
    assert sorted(m["To"] for m in mail_server.messages) == RECIPIENTS


def test_a_sync_of_the_budget_s_account_evaluates_it_and_mails_once(
    app, db, world, sandbox, make_budget, mail_server, celery_worker, test_queue
):
    sandbox_account = world.account("act_1001")  # Meta, USD, America/Los_Angeles
    account = add_sandbox_account(app, db, sandbox_account)
    this_month = account_today(account).replace(day=1)
    start = (this_month - dt.timedelta(days=1)).replace(day=1)
    end = this_month - dt.timedelta(days=1)
    spend = world.total(sandbox_account, start, end).spend
    make_budget(
        name="Acme US last month",
        scope={"type": "account", "account_id": account.id},
        period_start=start,
        amount=(spend / Decimal("0.9")).quantize(Decimal("0.01")),
        recipients=["cfo@example.com"],
    )
    runs = request_sync(account.id, "backfill", start, end)
    wait_for_runs(db, [r.id for r in runs])
    (message,) = mail_server.wait_for(1)
    assert "Acme US last month" in message["Subject"] and "80%" in message["Subject"]
    run_task(app, test_queue, "workers.tasks.alerts.evaluate_for_account", account.id)
    run_task(app, test_queue, "workers.tasks.alerts.deliver_outbox")
    assert len(mail_server.messages) == 1
    db.session.expire_all()
    alert = db.session.query(Alert).one()
    stored = db.session.execute(
        text(
            "SELECT sum(spend) FROM daily_rollups WHERE breakdown = 'none' "
            "AND date BETWEEN :s AND :e"
        ),
        {"s": start, "e": end},
    ).scalar()
    assert stored == spend
    assert alert.figures["spend_to_date"] == f"{spend:.2f}"
