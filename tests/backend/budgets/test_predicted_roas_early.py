"""The predicted-ROAS rule on a campaign too young for revenue history: the early predicted ROAS
(expected payers under the active first-purchase version × the value of a payer ÷ spend) judges
it, named as such in the alert and its mail with the backtested error, mailed once through the
real SMTP path; once the cohort is EARLY_AGE_DAYS old the LTV prediction judges it again."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import text

from analytics.metrics import EARLY_AGE_DAYS
from backend.models import Alert
from backend.services.alerts import delivery
from backend.services.alerts.evaluation import evaluate_all
from tests.backend.budgets.conftest import each_day, only, parts, write_spend

OCT_1, STARTED, SCORED, SEEN = (
    dt.date(2026, 10, 1),
    dt.date(2026, 10, 8),
    dt.date(2026, 10, 9),
    dt.date(2026, 10, 10),
)
CUSTOMERS, P30, VALUE_PER_PAYER = 20, 0.5, 20.0
BACKTEST = {
    "horizons": {
        "30": {
            "by_age": {
                "D1": {"auc": 0.9, "cohorts": {"predicted_revenue_err_pct": 11.0, "weeks": 4}},
                "D3": {"auc": 0.95, "cohorts": {"predicted_revenue_err_pct": 7.0, "weeks": 4}},
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
        {"kind": kind, "params": _json(params), "metrics": _json(metrics)},
    ).scalar_one()


def _json(value: dict) -> str:
    return json.dumps(value)


def young_campaign(db, first_day: dt.date = STARTED) -> None:
    """A Meta campaign from `first_day`: 100 a day, 20 customers scored by an LTV version
    that thinks each worth 100 (ROAS far above target) and by a first-purchase version that
    expects half of them to pay, worth 20 each."""
    ltv = version(db, "ltv", {}, {})
    first_purchase = version(
        db,
        "first_purchase",
        {"scored_as_of": SCORED.isoformat(), "value_per_payer": {"30": VALUE_PER_PAYER}},
        BACKTEST,
    )
    for i in range(CUSTOMERS):
        day = first_day + dt.timedelta(days=i % 2)
        customer = db.session.execute(
            text(
                "INSERT INTO customers (external_id, acquired_at, acquisition_date, platform) "
                "VALUES (:ext, :at, :day, 'meta') RETURNING id"
            ),
            {"ext": f"c{i}", "at": dt.datetime.combine(day, dt.time(9), dt.UTC), "day": day},
        ).scalar_one()
        for model, column, value in (
            (ltv, "predicted_ltv_365", "100"),
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


def test_a_campaign_without_revenue_history_is_judged_by_its_early_predicted_roas(
    db, account, make_budget, mail_server
):
    budget(make_budget)
    write_spend(db, account, each_day(STARTED, SEEN, 100))  # 300
    young_campaign(db)
    evaluate_all(at(SEEN))
    (alert,) = db.session.query(Alert).all()
    # 20 x 0.5 expected payers x 20 = 200 for 300 spent; the LTV version would say 2,000
    assert alert.figures["predicted_roas"] == round(200 / 300, 4)
    assert alert.figures["expected_payers"] == 10.0
    assert alert.figures["predicted_roas_error_pct"] == 11.0  # scored at 0.5 to 1.5 days: D1
    assert "Early predicted 30-day ROAS" in alert.message
    assert "67%, under the target of 150%" in alert.message
    assert "at D1, backtested error ±11%" in alert.message
    assert delivery.deliver_due().sent == 2
    evaluate_all(at(SEEN))  # the same finding again: no new alert, no new mail
    assert delivery.deliver_due().sent == 0
    mails = mail_server.inbox.to("cfo@example.com")
    assert len(mails) == 1
    plain, html = parts(mails[0])
    assert "Early predicted 30-day ROAS" in plain and "backtested error ±11%" in html


def test_a_cohort_with_revenue_history_is_judged_by_the_ltv_prediction(db, account, make_budget):
    budget(make_budget)
    first_day = SEEN - dt.timedelta(days=EARLY_AGE_DAYS)
    write_spend(db, account, each_day(first_day, SEEN, 100))
    young_campaign(db, first_day)
    evaluate_all(at(SEEN))
    # 20 x 100 predicted LTV for 800 spent: 250%, over the target
    assert db.session.query(Alert).all() == []
