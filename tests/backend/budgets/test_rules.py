"""Each alert rule on its own, evaluated in-process on a fixed clock (accounts in UTC: the last
complete day is the day before NOW)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import text

from backend.models import Alert, AlertState
from backend.services.alerts.evaluation import evaluate_all, evaluate_budgets
from backend.services.alerts.rules.projected_overspend import narrowed_tolerance
from tests.backend.budgets.conftest import each_day, mark_synced, only, write_spend

OCT_1, OCT_31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def at(day: dt.date) -> dt.datetime:
    """Noon UTC of the day after `day`: `day` is then the last complete day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), dt.UTC)


def alerts(db, rule: str | None = None) -> list[Alert]:
    db.session.expire_all()
    query = db.session.query(Alert).order_by(Alert.id)
    return query.filter(Alert.rule == rule).all() if rule else query.all()


def test_the_overspend_tolerance_narrows_to_zero_at_the_end_of_the_period():
    assert narrowed_tolerance(5, 0, 30) == 5
    assert narrowed_tolerance(5, 15, 30) == 2.5
    assert narrowed_tolerance(5, 30, 30) == 0


def test_a_projected_overspend_fires_before_the_budget_is_exceeded(db, account, make_budget):
    make_budget(rules=only("projected_overspend", tolerance_pct=5))
    write_spend(db, account, each_day(dt.date(2026, 9, 1), dt.date(2026, 10, 15), 400))
    evaluate_all(at(dt.date(2026, 10, 15)))
    (alert,) = alerts(db)
    assert alert.rule == "projected_overspend" and alert.state == AlertState.OPEN
    assert alert.figures["spend_to_date"] == "6000.00"  # 60% of the budget so far
    assert alert.figures["projected"] == "12400.00"  # 400 a day for 31 days
    assert "USD 2,400.00 over its budget of USD 10,000.00" in alert.message


def test_a_small_projected_overspend_waits_for_the_tolerance_to_narrow(db, account, make_budget):
    make_budget(amount=Decimal(3100), rules=only("projected_overspend", tolerance_pct=5))
    write_spend(db, account, each_day(dt.date(2026, 9, 1), OCT_31, 103))  # ends at 103%
    evaluate_all(at(dt.date(2026, 10, 3)))  # tolerance 5% × 28/31 = 4.5%
    assert alerts(db) == []
    evaluate_all(at(dt.date(2026, 10, 29)))  # tolerance 5% × 2/31 = 0.3%
    (alert,) = alerts(db)
    assert alert.figures["projected"] == "3193.00"
    assert alert.figures["tolerance_pct"] == 0.32


def test_a_day_without_spend_is_an_anomaly_and_restating_it_resolves_the_alert(
    db, account, make_budget
):
    make_budget(rules=only("anomaly"))
    days = each_day(dt.date(2026, 9, 1), dt.date(2026, 10, 20), 300)
    days[dt.date(2026, 10, 18)] = 0
    write_spend(db, account, days)
    mark_synced(db, account, dt.date(2026, 10, 21), at(dt.date(2026, 10, 20)))
    evaluate_all(at(dt.date(2026, 10, 20)))
    (alert,) = alerts(db)
    assert (alert.rule, alert.severity, alert.provisional) == ("anomaly", "critical", True)
    assert alert.figures["latest_day"] == "2026-10-18"
    assert alert.figures["latest_kind"] == "zero"
    write_spend(db, account, each_day(dt.date(2026, 10, 1), dt.date(2026, 10, 20), 300))
    evaluate_all(at(dt.date(2026, 10, 20)))
    (alert,) = alerts(db)
    assert alert.state == AlertState.RESOLVED


def test_days_the_syncs_have_not_reached_are_not_judged_as_zero(db, account, make_budget):
    make_budget(rules=only("anomaly"))
    write_spend(db, account, each_day(dt.date(2026, 9, 1), dt.date(2026, 10, 17), 300))
    mark_synced(db, account, dt.date(2026, 10, 17), at(dt.date(2026, 10, 17)))
    evaluate_all(at(dt.date(2026, 10, 20)))  # 18-20 October not fetched yet
    assert alerts(db) == []


def test_a_crossing_that_rests_on_settled_days_is_not_provisional(db, account, make_budget):
    budget = make_budget()
    write_spend(db, account, each_day(OCT_1, OCT_31, 300))  # 9,300 = 93%
    evaluate_budgets([budget.id], at(dt.date(2026, 12, 1)))  # Meta restates 28 days
    (alert,) = alerts(db)
    assert (alert.level, alert.provisional) == ("80", False)


def test_stale_data_fires_without_a_recent_sync_and_resolves_after_one(db, account, make_budget):
    make_budget(rules=only("stale_data", hours=24))
    now = at(dt.date(2026, 10, 20))
    mark_synced(db, account, dt.date(2026, 10, 18), now - dt.timedelta(hours=30))
    evaluate_all(now)
    (alert,) = alerts(db)
    assert alert.rule == "stale_data" and account.name in alert.figures["stale_accounts"]
    mark_synced(db, account, dt.date(2026, 10, 20), now - dt.timedelta(hours=1))
    evaluate_all(now)
    assert alerts(db)[0].state == AlertState.RESOLVED


def test_failing_and_expiring_credentials_fire(db, make_account, make_budget):
    now = at(dt.date(2026, 10, 20))
    make_account(external_id="act_1", name="Broken", status="needs_credentials")
    make_account(
        external_id="act_2", name="Expiring", credentials_expire_at=now + dt.timedelta(days=5)
    )
    make_account(
        external_id="act_3", name="Fine", credentials_expire_at=now + dt.timedelta(days=60)
    )
    make_budget(rules=only("credentials", days_before=14))
    evaluate_all(now)
    (alert,) = alerts(db)
    assert alert.severity == "critical"
    assert alert.figures == {"failing_accounts": "Broken", "expiring_accounts": "Expiring"}


def test_a_disabled_rule_fires_nothing_and_resolves_its_alert(db, account, make_budget):
    budget = make_budget()
    write_spend(db, account, each_day(OCT_1, dt.date(2026, 10, 20), 405))
    evaluate_all(at(dt.date(2026, 10, 20)))
    from backend.services import budgets

    budgets.update_budget(None, budget.id, {"rules": {"threshold": {"enabled": False}}})
    evaluate_all(at(dt.date(2026, 10, 20)))
    (alert,) = alerts(db)
    assert alert.state == AlertState.RESOLVED


def _ltv_version(db) -> int:
    return db.session.execute(
        text(
            "INSERT INTO model_versions (kind, algorithm, status, is_active, params, metrics, "
            "source) VALUES ('ltv', 'external', 'ready', true, '{}', '{}', 'import:test') "
            "RETURNING id"
        )
    ).scalar_one()


def _customers(db, version: int, platform: str, day: dt.date, count: int, ltv: str) -> None:
    for i in range(count):
        customer = db.session.execute(
            text(
                "INSERT INTO customers (external_id, acquired_at, acquisition_date, platform) "
                "VALUES (:ext, :at, :day, :platform) RETURNING id"
            ),
            {
                "ext": f"{platform}-{day}-{i}",
                "at": dt.datetime.combine(day, dt.time(9), dt.UTC),
                "day": day,
                "platform": platform,
            },
        ).scalar_one()
        db.session.execute(
            text(
                "INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_365) "
                "VALUES (:v, :c, :ltv)"
            ),
            {"v": version, "c": customer, "ltv": Decimal(ltv)},
        )
    db.session.commit()


def test_predicted_roas_under_target_fires_once_the_cohort_is_large_enough(
    db, account, make_budget
):
    budget = make_budget(
        scope={"type": "platform", "platform": "meta"},
        target_roas=Decimal("1.5"),
        rules=only("predicted_roas", min_customers=100),
    )
    write_spend(db, account, each_day(OCT_1, dt.date(2026, 10, 10), 100))  # 1,000
    version = _ltv_version(db)
    _customers(db, version, "meta", dt.date(2026, 10, 5), 60, "20")  # Σ LTV 1,200: ROAS 1.2
    _customers(db, version, "google_ads", dt.date(2026, 10, 5), 60, "500")  # another scope
    evaluate_all(at(dt.date(2026, 10, 10)))
    assert alerts(db) == []  # 60 customers < 100
    from backend.services import budgets

    budgets.update_budget(None, budget.id, {"rules": {"predicted_roas": {"min_customers": 50}}})
    evaluate_all(at(dt.date(2026, 10, 10)))
    (alert,) = alerts(db)
    assert alert.figures["predicted_roas"] == 1.2
    assert alert.figures["customers"] == 60
    assert "120%, under the target of 150%" in alert.message
