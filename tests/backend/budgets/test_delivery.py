"""Delivering the outbox to a real SMTP server (aiosmtpd on loopback): both parts and the
idempotency key in the Message-ID; an outage delays mail and loses none; a claimed message is
sent by one deliverer only, a message stuck after a crash goes again after its lease, a sent one
never; a refused recipient fails alone; daily digests."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

from sqlalchemy import text

from backend.models import Alert, AlertState, OutboxMessage
from backend.models.types import utcnow
from backend.services.alerts import delivery, digest
from backend.services.alerts.evaluation import evaluate_all
from tests.backend.budgets.conftest import each_day, outbox, parts, write_spend

OCT_1, OCT_20 = dt.date(2026, 10, 1), dt.date(2026, 10, 20)
NOW = dt.datetime(2026, 10, 21, 12, tzinfo=dt.UTC)


def crossed_80(db, account, make_budget, **budget) -> None:
    make_budget(**budget)
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)


def test_a_queued_mail_goes_out_with_both_parts_and_its_key_in_the_message_id(
    db, account, make_budget, mail_server
):
    crossed_80(db, account, make_budget)
    report = delivery.deliver_due()
    assert report.sent == 2
    message = mail_server.inbox.to("cfo@example.com")[0]
    key = db.session.query(OutboxMessage).filter_by(recipient="cfo@example.com").one()
    assert message["Message-ID"] == f"<{key.idempotency_key}@spendlens.local>"
    assert message["Subject"] == (
        "[Spendlens] Warning: Meta October — Budget threshold crossed 80%"
    )
    plain, html = parts(message)
    assert "USD 8,100.00 of USD 10,000.00 (81.0%)" in plain
    assert "USD 8,100.00 of USD 10,000.00 (81.0%)" in html
    db.session.expire_all()
    alert = db.session.query(Alert).one()
    assert alert.state == AlertState.NOTIFIED and alert.notified_at is not None
    assert [r.status for r in outbox(db)] == ["sent", "sent"]


def test_with_the_server_down_mail_waits_and_arrives_once_it_is_up(
    db, account, make_budget, mail_server
):
    crossed_80(db, account, make_budget)
    mail_server.stop()
    report = delivery.deliver_due()
    assert (report.sent, report.retried) == (0, 2)
    waiting = outbox(db)
    assert [(r.status, r.attempts) for r in waiting] == [("pending", 1), ("pending", 1)]
    assert db.session.query(Alert).one().state == AlertState.OPEN
    mail_server.start()
    assert delivery.deliver_due().sent == 0  # not due yet: backing off
    later = utcnow() + delivery.retry_delay(1) + dt.timedelta(seconds=1)
    assert delivery.deliver_due(now=later).sent == 2
    assert sorted(m["To"] for m in mail_server.messages) == [
        "cfo@example.com",
        "controller@example.com",
    ]


def test_retries_back_off_up_to_a_cap():
    delays = [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert delays == [5, 10, 20, 40, 900]


def test_a_sent_message_is_never_sent_again(db, account, make_budget, mail_server):
    crossed_80(db, account, make_budget)
    delivery.deliver_due()
    evaluate_all(NOW)
    delivery.deliver_due(now=utcnow() + dt.timedelta(hours=1))
    assert len(mail_server.messages) == 2


def test_a_message_another_deliverer_holds_is_left_alone(db, account, make_budget, mail_server):
    crossed_80(db, account, make_budget)
    db.session.execute(text("UPDATE mail_outbox SET status = 'sending', claimed_at = now()"))
    db.session.commit()
    assert delivery.deliver_due().sent == 0
    assert mail_server.messages == []


def test_a_message_stuck_in_sending_after_a_crash_goes_again_after_the_lease(
    db, account, make_budget, mail_server
):
    crossed_80(db, account, make_budget, recipients=["cfo@example.com"])
    stale = utcnow() - delivery.LEASE - dt.timedelta(seconds=1)
    db.session.execute(
        text("UPDATE mail_outbox SET status = 'sending', claimed_at = :at"), {"at": stale}
    )
    db.session.commit()
    assert delivery.deliver_due().sent == 1
    key = db.session.query(OutboxMessage).one().idempotency_key
    assert [m["Message-ID"] for m in mail_server.messages] == [f"<{key}@spendlens.local>"]


def test_concurrent_deliverers_send_each_message_once(
    app, db, make_account, make_budget, mail_server
):
    for i in range(6):
        account = make_account(external_id=f"act_{i}")
        make_budget(
            name=f"Budget {i}",
            scope={"type": "account", "account_id": account.id},
            recipients=[f"r{i}a@example.com", f"r{i}b@example.com", f"r{i}c@example.com"],
        )
        write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    assert len(outbox(db)) == 18

    def deliver() -> None:
        with app.app_context():
            delivery.deliver_due(limit=2)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [m["Message-ID"] for m in mail_server.messages]
    assert len(ids) == 18 and len(set(ids)) == 18
    assert {r.status for r in outbox(db)} == {"sent"}


def test_a_recipient_refused_for_good_fails_alone(db, account, make_budget, mail_server):
    mail_server.inbox.refuse.add("controller@example.com")
    crossed_80(db, account, make_budget)
    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    assert [(r.recipient, r.status) for r in outbox(db)] == [
        ("cfo@example.com", "sent"),
        ("controller@example.com", "failed"),
    ]


def test_a_digest_recipient_gets_one_mail_a_day_gathering_the_alerts(
    db, make_account, make_budget, mail_server
):
    digest.set_preference("cfo@example.com", True)
    for i in range(2):
        account = make_account(external_id=f"act_{i}")
        make_budget(
            name=f"Budget {i}",
            scope={"type": "account", "account_id": account.id},
            recipients=["cfo@example.com", "controller@example.com"],
        )
        write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    delivery.deliver_due()
    assert [m["To"] for m in mail_server.messages] == ["controller@example.com"] * 2
    assert digest.gather_digests() == 1
    delivery.deliver_due()
    (summary,) = mail_server.inbox.to("cfo@example.com")
    assert summary["Subject"] == "[Spendlens] Daily digest: 2 budget alerts"
    plain, html = parts(summary)
    assert "Budget 0" in plain and "Budget 1" in plain and "Budget 1" in html
    assert digest.gather_digests() == 0


def test_a_line_break_in_a_budget_name_never_reaches_a_header(
    db, account, make_budget, mail_server
):
    crossed_80(db, account, make_budget, name="Meta\r\nBcc: someone@example.com")
    assert delivery.deliver_due().sent == 2
    subject = mail_server.messages[0]["Subject"]
    assert subject.startswith("[Spendlens] Warning: Meta Bcc: someone@example.com — ")
    assert all(m["Bcc"] is None for m in mail_server.messages)


def test_every_figure_of_the_plain_mail_is_set_apart_from_its_label(
    db, account, make_budget, mail_server
):
    crossed_80(db, account, make_budget)
    delivery.deliver_due()
    plain, _ = parts(mail_server.inbox.to("cfo@example.com")[0])
    lines = plain.splitlines()
    after = lines[lines.index("Figures") + 1 :]
    figures = list(itertools.takewhile(lambda line: line.startswith("  "), after))
    labels = [line.split(":", 1)[0].strip() for line in figures if ":" in line]
    assert "Share of the budget spent" in labels
    for line in figures:
        label, value = line.split(":", 1)
        assert value.startswith(" ") and value.strip(), line
    starts = {len(line) - len(line.split(":", 1)[1].lstrip()) for line in figures}
    assert len(starts) == 1  # the values stand in one column
