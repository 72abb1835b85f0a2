"""First-purchase versions trained on the sandbox through the product's path, stored like the
LTV versions: the backtest (AUC, Brier, expected-payers error at D1 and D3), every recent
customer's P(first purchase within 7 and 30 days), and activation (one active version of the
kind; an admin's request carried out by the activation path the LTV versions use)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import text

from backend.extensions import db
from backend.models import ModelVersion
from backend.services.predictions import versions
from backend.services.predictions.first_purchase import train_first_purchase
from connectors.sandbox.generator import World
from devstack.demo_customers import load_demo_customers
from tests.conftest import truncate_all

from ..customers.conftest import add_account

TODAY = dt.date(2025, 6, 30)
AS_OF = TODAY - dt.timedelta(days=1)
UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
DAYS = 100
pytestmark = pytest.mark.timeout(1800)


def rows(sql: str, **params) -> list:
    return db.session.execute(text(sql), params).all()


@pytest.fixture(scope="module")
def trained(app):
    with app.app_context():
        world = World(seed=7, today=TODAY)
        for account in world.accounts:
            add_account(db, account.platform, account.external_id, account.currency)
        load_demo_customers(DAYS, world=world, until=UNTIL, train=False)
        first = train_first_purchase(as_of=AS_OF)
        # another ready version of the kind (its outputs do not matter to the activation)
        second = db.session.execute(
            text(
                "INSERT INTO model_versions (kind, algorithm, status, is_active, params, "
                "metrics, source) VALUES ('first_purchase', 'hgb', 'ready', false, '{}', "
                "'{}', 'spendlens') RETURNING id"
            )
        ).scalar_one()
        db.session.commit()
        yield first.id, second
        db.session.remove()
    truncate_all(app)


def test_a_trained_version_stores_its_backtest_at_d1_and_d3(trained, app):
    with app.app_context():
        version = db.session.get(ModelVersion, trained[0])
        assert (version.kind, version.status, version.source) == (
            "first_purchase",
            "ready",
            "spendlens",
        )
        for age in ("D1", "D3"):
            judged = version.metrics["by_age"][age]
            assert judged["auc_30"] >= 0.8, judged
            assert 0 < judged["brier_30"] < 0.25, judged
            cohorts = version.metrics["horizons"]["30"]["by_age"][age]["cohorts"]
            assert cohorts["expected_payers_err_pct"] <= 10.0, cohorts  # mean per weekly cohort
            # the summary shows the median per weekly cohort, of the cohorts stored
            errors = [c["predicted_revenue_err_pct"] for c in cohorts["by_cohort"]]
            assert len(errors) == cohorts["weeks"] >= 3
            assert judged["predicted_roas_err_p50_pct_30"] == pytest.approx(np.median(errors))
            payers = [c["expected_payers_err_pct"] for c in cohorts["by_cohort"]]
            assert judged["expected_payers_err_p50_pct_30"] == pytest.approx(np.median(payers))
        assert version.holdout_end == AS_OF
        assert version.params["scored_as_of"] == AS_OF.isoformat()
        assert version.params["value_per_payer"]["30"] > 0


def test_its_outputs_are_every_recent_customers_probabilities(trained, app):
    with app.app_context():
        ((scored, low, high),) = rows(
            "SELECT count(*), min(p_first_purchase_30), max(p_first_purchase_30) "
            "FROM model_outputs WHERE model_version_id = :v",
            v=trained[0],
        )
        ((recent,),) = rows(
            "SELECT count(*) FROM customers WHERE acquired_at >= :since AND acquired_at < :until",
            since=UNTIL - dt.timedelta(days=30),
            until=UNTIL,
        )
        assert scored == recent > 0
        assert low >= 0 and high == 1  # paid customers count as certain payers
        # P(within 7 days) never exceeds P(within 30 days)
        assert not rows(
            "SELECT 1 FROM model_outputs WHERE model_version_id = :v "
            "AND p_first_purchase_7 > p_first_purchase_30 + 1e-6",
            v=trained[0],
        )


def test_a_paid_customer_is_a_certain_payer_within_the_horizon_they_paid_in(trained, app):
    with app.app_context():
        paid = rows(
            """SELECT o.p_first_purchase_7, o.p_first_purchase_30,
                      min(e.occurred_at) - c.acquired_at < interval '7 days'
               FROM model_outputs o JOIN customers c ON c.id = o.customer_id
               JOIN revenue_events e ON e.customer_id = c.id AND e.amount > 0
               WHERE o.model_version_id = :v AND e.occurred_at < :until
               GROUP BY o.customer_id, o.p_first_purchase_7, o.p_first_purchase_30,
                        c.acquired_at""",
            v=trained[0],
            until=UNTIL,
        )
        assert paid
        for p7, p30, within_7 in paid:
            assert (float(p7), float(p30)) == ((1.0 if within_7 else 0.0), 1.0)


def test_versions_of_the_kind_are_activated_one_at_a_time(trained, app):
    first, second = trained
    with app.app_context():
        active = rows("SELECT id FROM model_versions WHERE kind = 'first_purchase' AND is_active")
        assert active == [(first,)]
        versions.record_activation_request(None, second)
        assert versions.carry_out_activation(second) == "activated"
        active = rows("SELECT id FROM model_versions WHERE kind = 'first_purchase' AND is_active")
        assert active == [(second,)]
        # the LTV and churn kinds are untouched by it
        assert not rows("SELECT 1 FROM model_versions WHERE kind IN ('ltv', 'churn')")
