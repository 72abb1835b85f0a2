"""`flask alerts ...`: evaluate, deliver, digest preferences."""

from __future__ import annotations

import datetime as dt

from backend.models import MailPreference
from tests.backend.budgets.conftest import each_day, write_spend


def test_evaluate_then_deliver_from_the_command_line(runner, db, account, make_budget, mail_server):
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=3)).replace(day=1)
    make_budget(period_start=start, amount=100, recipients=["cfo@example.com"])
    write_spend(db, account, each_day(start, today, 1000))
    result = runner.invoke(args=["alerts", "evaluate"])
    assert result.exit_code == 0, result.output
    assert "1 budgets: 1 alerts opened, 0 reopened, 0 resolved, 1 mails queued" in result.output
    result = runner.invoke(args=["alerts", "deliver"])
    assert "sent 1" in result.output
    assert [m["To"] for m in mail_server.messages] == ["cfo@example.com"]


def test_digest_preference_from_the_command_line(runner, db):
    assert runner.invoke(args=["alerts", "digest", "cfo@example.com", "--on"]).exit_code == 0
    assert db.session.get(MailPreference, "cfo@example.com").daily_digest is True
    runner.invoke(args=["alerts", "digest", "cfo@example.com", "--off"])
    db.session.expire_all()
    assert db.session.get(MailPreference, "cfo@example.com").daily_digest is False
