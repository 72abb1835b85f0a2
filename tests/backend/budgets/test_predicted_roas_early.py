"""The predicted-ROAS rule on a campaign too young for revenue history judges like with like:
the LTV model's predicted 365-day ROAS against the budget's (365-day) target, never the 30-day
early predicted ROAS of first-purchase probabilities, which is always far below it. The alert
and its mail (through the real SMTP path, once) say the figure, its horizon, the cohort age it
was predicted at and the backtested error there."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import text

from backend.models import Alert
from backend.services.alerts import delivery
from backend.services.alerts.evaluation import evaluate_all
from tests.backend.budgets.conftest import each_day, only, parts, write_spend

STARTED, SCORED, SEEN = dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)
CUSTOMERS, P30, VALUE_PER_PAYER = 20, 0.5, 20.0
FIRST_PURCHASE_BACKTEST = {
    "horizons": {
        "30": {
            "by_age": {
                "D1": {"auc": 0.9, "cohorts": {"predicted_revenue_err_pct": 11.0, "weeks": 4}},
                "D3": {"auc": 0.95, "cohorts": {"predicted_revenue_err_pct": 7.0, "weeks": 4}},
            }
        }
    }
}
#: The LTV version's backtest of 365-day revenue by cohort age at prediction (report origin).
LTV_BACKTEST = {
    "backtest": {
        "by_age": {
            "365": {
                "D1": {"cohort_abs_error_p50": 0.61, "cohort_abs_error_p80": 0.9, "cohorts": 9},
                "D3": {"cohort_abs_error_p50": 0.42, "cohort_abs_error_p80": 0.7, "cohorts": 9},
            }
        }
    }
}


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), dt.UTC)


def version(db, kind: str, params: dict, metrics: dict) -> int:
    return db.session.execute(
        text(
            "INSERT INTO model_versions (kind, algorithm, status, is_active, params, metrics, "
            "source) VALUES (:kind, 'hgb', 'ready', true, CAST(:params AS jsonb), "
            "CAST(:metrics AS jsonb), 'spendlens') RETURNING id"
        ),
        {"kind": kind, "params": json.dumps(params), "metrics": json.dumps(metrics)},
    ).scalar_one()


def young_campaign(db, ltv_each: str, unscored: int = 0) -> None:
    """A Meta campaign from STARTED: 20 customers over its first two days, scored by an LTV
    version that predicts `ltv_each` per customer in 365 days and by a first-purchase version
    that expects half of them to pay within 30 days, worth 20 each; then `unscored` customers
    acquired after the scoring (none of the versions scored them)."""
    ltv = version(db, "ltv", {}, LTV_BACKTEST)
    first_purchase = version(
        db,
        "first_purchase",
        {"scored_as_of": SCORED.isoformat(), "value_per_payer": {"30": VALUE_PER_PAYER}},
        FIRST_PURCHASE_BACKTEST,
    )
    for i in range(CUSTOMERS + unscored):
        day = STARTED + dt.timedelta(days=i % 2 if i < CUSTOMERS else 2)
        customer = db.session.execute(
            text(
                "INSERT INTO customers (external_id, acquired_at, acquisition_date, platform) "
                "VALUES (:ext, :at, :day, 'meta') RETURNING id"
            ),
            {"ext": f"c{i}", "at": dt.datetime.combine(day, dt.time(9), dt.UTC), "day": day},
        ).scalar_one()
        if i >= CUSTOMERS:
            continue
        for model, column, value in (
            (ltv, "predicted_ltv_365", ltv_each),
            (first_purchase, "p_first_purchase_30", str(P30)),
        ):
            db.session.execute(
                text(
                    f"INSERT INTO model_outputs (model_version_id, customer_id, {column}) "
                    "VALUES (:v, :c, :value)"
                ),
                {"v": model, "c": customer, "value": Decimal(value)},
            )
    db.session.commit()


def budget(make_budget):
    return make_budget(
        scope={"type": "platform", "platform": "meta"},
        target_roas=Decimal("1.5"),
        rules=only("predicted_roas", min_customers=10),
    )


def test_a_young_campaign_over_its_365_day_target_does_not_fire_on_its_30_day_early_roas(
    db, account, make_budget
):
    """The old rule fired here: 10 expected payers x 20 = 200 for 300 spent (67% in 30 days)
    under a 150% target, while the LTV model predicts 2,000 in 365 days (667%)."""
    budget(make_budget)
    write_spend(db, account, each_day(STARTED, SEEN, 100))  # 300
    young_campaign(db, ltv_each="100")
    evaluate_all(at(SEEN))
    assert db.session.query(Alert).all() == []


def test_a_young_campaign_under_its_target_is_judged_by_the_365_day_prediction_with_its_error(
    db, account, make_budget, mail_server
):
    budget(make_budget)
    write_spend(db, account, each_day(STARTED, SEEN, 100))  # 300
    young_campaign(db, ltv_each="10", unscored=5)
    evaluate_all(at(SEEN))
    (alert,) = db.session.query(Alert).all()
    # 20 scored at 10 each; the 5 acquired since count at the scored ones' mean: 250 for 300
    assert alert.figures["predicted_roas"] == round(250 / 300, 4)
    assert alert.figures["customers"] == 25
    assert alert.figures["predicted_roas_horizon_days"] == 365
    # acquired Oct 8-10, judged Oct 10: the middle is a day old, the backtest's D3 bucket
    assert alert.figures["predicted_roas_basis"] == "LTV model at D3"
    assert alert.figures["predicted_roas_error_pct"] == 42.0
    assert "expected_payers" not in alert.figures
    assert "Predicted 365-day ROAS" in alert.message
    assert "83%, under the target of 150%" in alert.message
    assert "at cohort age D3, backtested error ±42%" in alert.message
    assert delivery.deliver_due().sent == 2
    evaluate_all(at(SEEN))  # the same finding again: no new alert, no new mail
    assert delivery.deliver_due().sent == 0
    mails = mail_server.inbox.to("cfo@example.com")
    assert len(mails) == 1
    plain, html = parts(mails[0])
    assert "Predicted 365-day ROAS" in plain and "backtested error ±42%" in html


def test_a_scope_the_ltv_version_has_not_scored_is_not_judged(db, account, make_budget):
    """Customers acquired after the LTV scoring have no 365-day prediction yet: nothing is
    compared with the target (the early 30-day figure would say 0% here)."""
    budget(make_budget)
    write_spend(db, account, each_day(STARTED, SEEN, 100))
    version(db, "ltv", {}, LTV_BACKTEST)
    db.session.execute(
        text(
            "INSERT INTO customers (external_id, acquired_at, acquisition_date, platform) "
            "SELECT 'n' || i, :at, :day, 'meta' FROM generate_series(1, 30) AS i"
        ),
        {"at": dt.datetime.combine(SEEN, dt.time(9), dt.UTC), "day": SEEN},
    )
    db.session.commit()
    evaluate_all(at(SEEN))
    assert db.session.query(Alert).all() == []
