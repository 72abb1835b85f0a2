"""Threshold alerts, evaluated in-process on a fixed clock: one alert per level crossed, the
highest level of a jump only, no duplicate on re-evaluation, and their mail in the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from backend.models import Alert, AlertState
from backend.services.alerts.evaluation import evaluate_all
from tests.backend.budgets.conftest import each_day, outbox, write_spend

NOW = dt.datetime(2026, 10, 21, 12, 0, tzinfo=dt.UTC)  # as of 2026-10-20 in UTC


def alerts(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(text("SELECT rule, level, state FROM alerts ORDER BY id")).all()


def test_crossing_80_percent_opens_one_alert_and_queues_one_mail_per_recipient(
    db, account, make_budget
):
    make_budget()
    write_spend(db, account, each_day(dt.date(2026, 10, 1), dt.date(2026, 10, 20), 405))
    report = evaluate_all(NOW)
    assert alerts(db) == [("threshold", "80", "open")]
    assert report.opened == 1 and report.mails_queued == 2
    assert sorted(r[0] for r in outbox(db)) == ["cfo@example.com", "controller@example.com"]


def test_evaluating_again_changes_nothing(db, account, make_budget):
    make_budget()
    write_spend(db, account, each_day(dt.date(2026, 10, 1), dt.date(2026, 10, 20), 405))
    evaluate_all(NOW)
    before = (alerts(db), outbox(db))
    report = evaluate_all(NOW)
    assert (alerts(db), outbox(db)) == before
    assert (report.opened, report.mails_queued) == (0, 0)


def test_each_higher_level_opens_its_own_alert(db, account, make_budget):
    make_budget()
    write_spend(db, account, each_day(dt.date(2026, 10, 1), dt.date(2026, 10, 10), 550))
    evaluate_all(NOW)
    assert alerts(db) == [("threshold", "50", "open")]
    write_spend(db, account, each_day(dt.date(2026, 10, 1), dt.date(2026, 10, 20), 550))
    evaluate_all(NOW)
    assert alerts(db) == [("threshold", "50", "open"), ("threshold", "100", "open")]
    assert len(outbox(db)) == 4


def test_the_alert_message_carries_the_figures(db, account, make_budget):
    make_budget()
    write_spend(db, account, each_day(dt.date(2026, 10, 1), dt.date(2026, 10, 20), 405))
    evaluate_all(NOW)
    alert = db.session.query(Alert).one()
    assert alert.state == AlertState.OPEN
    assert alert.figures["spend_to_date"] == "8100.00"
    assert alert.figures["spent_pct"] == 81.0
    assert "USD 8,100.00 of USD 10,000.00 (81.0%)" in alert.message
    assert alert.provisional  # Meta restates 28 days: every day of October may still change
