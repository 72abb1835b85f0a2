"""The alert lifecycle: a restatement that removes the cause resolves the alert (its history
kept), a returning cause reopens it with a new mail, acknowledge and snooze through the API,
no mail while snoozed, and budgets changed or deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from backend.models import Alert, AlertEvent, AlertState, AuditLog
from backend.services import budgets
from backend.services.alerts.evaluation import evaluate_all
from tests.backend.budgets.conftest import each_day, only, outbox, write_spend

OCT_1, OCT_20 = dt.date(2026, 10, 1), dt.date(2026, 10, 20)
NOW = dt.datetime(2026, 10, 21, 12, tzinfo=dt.UTC)


def the_alert(db, level: str = "80") -> Alert:
    db.session.expire_all()
    return db.session.query(Alert).filter_by(level=level).one()


def events(db, alert: Alert) -> list[str]:
    rows = db.session.query(AlertEvent).filter_by(alert_id=alert.id).order_by(AlertEvent.id)
    return [e.kind for e in rows]


def test_a_restatement_that_removes_the_cause_resolves_the_alert(db, account, make_budget):
    make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))  # 8,100: 81%
    evaluate_all(NOW)
    assert the_alert(db).provisional
    write_spend(db, account, each_day(OCT_1, OCT_20, 390))  # restated to 7,800: 78%
    evaluate_all(NOW)
    alert = the_alert(db)
    assert alert.state == AlertState.RESOLVED
    assert alert.resolution == "The cause no longer holds on the latest data."
    assert events(db, alert) == ["opened", "resolved"]
    resolved = db.session.query(AlertEvent).filter_by(alert_id=alert.id, kind="resolved").one()
    assert resolved.detail["figures"]["spend_to_date"] == "7800.00"


def test_a_returning_cause_reopens_the_alert_and_mails_again(db, account, make_budget):
    make_budget(recipients=["cfo@example.com"])  # levels 50, 80, 100
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    write_spend(db, account, each_day(OCT_1, OCT_20, 390))
    evaluate_all(NOW)
    write_spend(db, account, each_day(OCT_1, OCT_20, 410))
    evaluate_all(NOW)
    alert = the_alert(db)
    assert (alert.state, alert.occurrence) == (AlertState.OPEN, 2)
    assert events(db, alert) == ["opened", "resolved", "reopened"]
    assert len([r for r in outbox(db) if r.alert_id == alert.id]) == 2


def test_raising_the_amount_resolves_the_threshold_alert(db, account, make_budget):
    budget = make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    budgets.update_budget(None, budget.id, {"amount": Decimal(20000)})
    evaluate_all(NOW)
    assert the_alert(db).state == AlertState.RESOLVED


def test_a_new_scope_resolves_the_alerts_of_the_old_one(db, account, make_account, make_budget):
    other = make_account(external_id="act_2")
    budget = make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    budgets.update_budget(None, budget.id, {"scope": {"type": "account", "account_id": other.id}})
    evaluate_all(NOW)
    alert = the_alert(db)
    assert alert.state == AlertState.RESOLVED
    assert alert.resolution == "The budget's scope or period changed."


def test_a_deleted_budget_keeps_its_alerts_resolved(db, account, make_budget):
    budget = make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    budgets.delete_budget(None, budget.id)
    alert = the_alert(db)
    assert (alert.state, alert.budget_id, alert.budget_name) == (
        AlertState.RESOLVED,
        None,
        "Meta October",
    )


def test_finance_acknowledges_and_snoozes_marketers_only_read(
    db, account, make_budget, finance, marketer
):
    make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    alert_id = the_alert(db).id
    listed = marketer.get("/api/alerts?state=open").json
    assert [(a["id"], a["rule"], a["state"], a["provisional"]) for a in listed] == [
        (alert_id, "threshold", "open", True)
    ]
    assert listed[0]["budget_name"] == "Meta October" and listed[0]["period"] == "2026-10"
    assert marketer.post(f"/api/alerts/{alert_id}/acknowledge").status_code == 403
    response = finance.post(f"/api/alerts/{alert_id}/acknowledge")
    assert response.status_code == 200 and response.json["acknowledged_at"]
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    response = finance.post(f"/api/alerts/{alert_id}/snooze", json={"until": until.isoformat()})
    assert response.status_code == 200, response.json
    assert dt.datetime.fromisoformat(response.json["snoozed_until"]) == until
    history = marketer.get(f"/api/alerts/{alert_id}/events").json
    assert [e["kind"] for e in history] == ["opened", "acknowledged", "snoozed"]
    audited = [e.action for e in db.session.query(AuditLog).order_by(AuditLog.id)]
    assert audited[-2:] == ["alert.acknowledge", "alert.snooze"]


def test_a_snooze_in_the_past_or_without_an_offset_is_refused(db, account, make_budget, finance):
    make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    alert_id = the_alert(db).id
    for until in ("2020-01-01T00:00:00Z", "2099-01-01T00:00:00"):
        response = finance.post(f"/api/alerts/{alert_id}/snooze", json={"until": until})
        assert response.status_code == 422, response.json


def test_the_alert_list_filters_by_state(db, account, make_budget, marketer):
    make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    assert len(marketer.get("/api/alerts").json) == 1
    assert marketer.get("/api/alerts?state=resolved").json == []
    assert len(marketer.get("/api/alerts?state=all").json) == 1
    assert marketer.get("/api/alerts?state=nonsense").status_code == 422


def test_a_mailed_alert_is_still_unresolved_until_its_cause_goes(
    db, account, make_budget, marketer
):
    make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    alert = the_alert(db)
    alert.state = AlertState.NOTIFIED  # its mail went out
    db.session.commit()
    listed = marketer.get("/api/alerts?state=unresolved").json
    assert [(a["id"], a["state"]) for a in listed] == [(alert.id, "notified")]
    assert marketer.get("/api/alerts?state=open").json == []
    write_spend(db, account, each_day(OCT_1, OCT_20, 390))  # restated under the level
    evaluate_all(NOW)
    listed = marketer.get("/api/alerts?state=unresolved").json
    assert alert.id not in [a["id"] for a in listed]


def test_no_mail_is_queued_for_a_snoozed_alert_until_the_snooze_ends(db, account, make_budget):
    make_budget(recipients=["cfo@example.com"], rules=only("threshold", levels=[80]))
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))
    evaluate_all(NOW)
    alert = the_alert(db)
    alert.snoozed_until = NOW + dt.timedelta(days=3)
    db.session.commit()
    write_spend(db, account, each_day(OCT_1, OCT_20, 390))
    evaluate_all(NOW)
    write_spend(db, account, each_day(OCT_1, OCT_20, 410))
    evaluate_all(NOW)  # reopened while snoozed: no second mail yet
    assert len(outbox(db)) == 1
    evaluate_all(NOW + dt.timedelta(days=4))
    assert len(outbox(db)) == 2


def test_falling_back_under_a_level_announces_the_level_still_crossed(db, account, make_budget):
    make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_20, 405))  # 81%: only the 80% alert
    evaluate_all(NOW)
    write_spend(db, account, each_day(OCT_1, OCT_20, 390))  # 78%
    evaluate_all(NOW)
    db.session.expire_all()
    states = db.session.query(Alert.level, Alert.state).order_by(Alert.id).all()
    assert states == [("80", AlertState.RESOLVED), ("50", AlertState.OPEN)]
