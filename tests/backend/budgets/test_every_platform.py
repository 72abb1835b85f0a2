"""Every registered platform (TikTok Ads too) is a budget scope, is judged by the alert rules and
is a row of the ROI report, under the label its connector package declares."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from connectors import platform_label, platforms
from tests.backend.budgets.conftest import each_day, only, write_spend


@pytest.mark.parametrize("platform", platforms())
def test_a_platform_budget_sees_its_spend_alerts_and_reports_it(
    platform, finance, marketer, db, make_account
):
    account = make_account(platform, f"{platform}-1")
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=3)).replace(day=1)
    write_spend(db, account, each_day(start, today, 1000))
    body = {
        "name": f"{platform} this month",
        "scope": {"type": "platform", "platform": platform},
        "period": "month",
        "period_start": start.isoformat(),
        "amount": "100",
        "currency": "USD",
        "recipients": ["cfo@example.com"],
        "rules": only("threshold", levels=[100]),
    }
    created = finance.post("/api/budgets", json=body)
    assert created.status_code == 201, created.json
    budget = created.json
    pacing = finance.get(f"/api/budgets/{budget['id']}/pacing").json
    assert float(pacing["spend_to_date"]) >= 1000

    alerts = finance.get("/api/alerts").json
    assert [(a["budget_id"], a["rule"]) for a in alerts] == [(budget["id"], "threshold")]
    assert db.session.execute(text("SELECT count(*) FROM mail_outbox")).scalar() == 1
    mail = db.session.execute(text("SELECT body_text FROM mail_outbox")).scalar()
    assert platform_label(platform) in mail

    report = marketer.get(
        "/api/roi",
        query_string={"start": start.isoformat(), "end": today.isoformat(), "group_by": "platform"},
    ).json
    (row,) = [r for r in report["rows"] if r["key"] == platform]
    assert row["label"] == platform_label(platform) and row["spend"] > 0


def test_an_unknown_platform_is_refused_as_a_budget_scope(finance, db):
    body = {
        "name": "Nowhere",
        "scope": {"type": "platform", "platform": "snapchat_ads"},
        "period": "month",
        "period_start": "2026-10-01",
        "amount": "100",
        "currency": "USD",
        "recipients": ["cfo@example.com"],
    }
    response = finance.post("/api/budgets", json=body)
    assert response.status_code == 422 and "platform" in str(response.json)
