"""Which customers the first-purchase backtest judges, and how it cuts them into weekly cohorts
(analytics/early/backtest.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from analytics.early.backtest import (
    JUDGED_DAYS,
    MIN_JUDGED_PAYERS,
    TOO_FEW_PAYERS,
    accuracy_at_age,
    judge_at_age,
    judged_customers,
    weekly_cohort,
)
from analytics.early.first_purchase import p_column
from analytics.ltv.columns import ACQUIRED_AT, CUSTOMER_ID

ORIGIN = pd.Timestamp("2025-08-31")


def customers_every_six_hours(days: int) -> pd.DataFrame:
    acquired = pd.date_range(ORIGIN - pd.Timedelta(days=days), ORIGIN, freq="6h", inclusive="left")
    return pd.DataFrame({CUSTOMER_ID: range(len(acquired)), ACQUIRED_AT: acquired})


def test_weekly_cohorts_are_seven_whole_days_counted_back_from_the_origin():
    acquired = pd.Series(
        pd.to_datetime(
            ["2025-08-30 23:00", "2025-08-24 00:00", "2025-08-23 23:59", "2025-08-03 00:00"]
        )
    )
    assert list(weekly_cohort(acquired, ORIGIN)) == [
        "2025-08-24",
        "2025-08-24",
        "2025-08-17",
        "2025-08-03",
    ]


def test_a_30_day_horizon_is_judged_on_four_whole_weeks_whatever_the_weekday():
    judged = judged_customers(customers_every_six_hours(60), ORIGIN, 30)
    sizes = pd.Series(weekly_cohort(judged[ACQUIRED_AT], ORIGIN)).value_counts()
    assert len(sizes) == JUDGED_DAYS // 7
    assert set(sizes) == {7 * 4}  # every cohort seven days of four customers a day


def test_no_judged_customer_is_one_the_model_trained_on():
    customers = customers_every_six_hours(60)
    for horizon in (7, 30):
        trained = customers[customers[ACQUIRED_AT] + pd.Timedelta(days=horizon) <= ORIGIN]
        judged = judged_customers(customers, ORIGIN, horizon)
        assert not judged.empty
        assert not set(judged[CUSTOMER_ID]) & set(trained[CUSTOMER_ID])
        assert (judged[ACQUIRED_AT] < ORIGIN).all()  # outcomes end by origin + horizon


class _EveryoneAQuarter:
    """A fitted model's stand-in: P(first purchase within 30 days) = 0.25 for everyone, a payer
    worth 10."""

    payer_value = {30: 10.0}

    def predict_at(self, table, ids, age):
        return pd.DataFrame({p_column(30): 0.25}, index=pd.Index(ids))


def test_each_weekly_cohort_is_stored_with_the_median_of_their_errors():
    """Four weeks of 28 customers, none paid on day 1, each predicted 7 payers (70 of revenue);
    7, 7, 6 and 2 of them paid 10 each: errors 0%, 0%, 16.7% and 250% — the median (8.3%) is
    what the pages show and compare with the LTV backtest's median, the mean (66.7%) is not."""
    customers = customers_every_six_hours(60)
    judged = judged_customers(customers, ORIGIN, 30)
    weeks = weekly_cohort(judged[ACQUIRED_AT], ORIGIN)
    payers = {week: n for week, n in zip(sorted(set(weeks)), (7, 7, 6, 2), strict=True)}
    paying = pd.concat(group.head(payers[week]) for week, group in judged.groupby(weeks, sort=True))
    first_paid = pd.Series(
        (paying[ACQUIRED_AT] + pd.Timedelta(days=2)).to_numpy(), index=paying[CUSTOMER_ID]
    )
    revenue = pd.Series(10.0, index=paying[CUSTOMER_ID])
    table = SimpleNamespace(customers=customers)

    cohorts = judge_at_age(_EveryoneAQuarter(), table, first_paid, {30: revenue}, ORIGIN, 1, 30)[
        "cohorts"
    ]

    errors = [c["predicted_revenue_err_pct"] for c in cohorts["by_cohort"]]
    assert errors == pytest.approx([0.0, 0.0, 100 * 10 / 60, 250.0])
    assert [c["customers"] for c in cohorts["by_cohort"]] == [28] * 4
    assert cohorts["predicted_revenue_err_p50_pct"] == pytest.approx(100 * 5 / 60)
    assert cohorts["predicted_revenue_err_pct"] == pytest.approx((250 + 100 / 6) / 4)
    assert cohorts["cohort_customers_p50"] == 28
    metrics = {"horizons": {"30": {"by_age": {"D1": {"cohorts": cohorts, "customers": 112}}}}}
    read = accuracy_at_age(metrics, 30, 1.5)
    assert (read["age_bucket"], read["age_days"]) == ("D1", 1)
    assert read["predicted_roas_err_pct"] == round(100 * 5 / 60, 1)


def test_a_version_stored_before_the_median_was_kept_is_not_judged():
    """Its cohorts hold only the mean: read as no error, never the mean in the median's place."""
    old = {"weeks": 4, "expected_payers_err_pct": 6.0, "predicted_revenue_err_pct": 12.5}
    metrics = {"horizons": {"30": {"by_age": {"D1": {"auc": 0.9, "cohorts": old}}}}}
    read = accuracy_at_age(metrics, 30, 0.5)
    assert read["predicted_roas_err_pct"] is None and read["expected_payers_err_pct"] is None
    assert read["auc"] == 0.9


class _PropensityRanker:
    """A fitted model's stand-in: P(first purchase within 7 days) is each customer's propensity
    (CUSTOMER_ID → p), a payer worth 10."""

    payer_value = {7: 10.0}

    def __init__(self, propensity: pd.Series):
        self.propensity = propensity

    def predict_at(self, table, ids, age):
        return pd.DataFrame({p_column(7): self.propensity.reindex(ids).to_numpy()}, index=ids)


def _seven_day_world(late_payers: int):
    """Customers every six hours (the 7-day horizon judges the last seven days: 27 of them); a
    known first-purchase process: one in four pays within the hour (known at D3, not judged
    there), `late_payers` of the others between day 3 and day 7 (the D3 positives). The ranker
    puts the late payers below everyone (a ranking an AUC must expose, 0.0, when it can)."""
    customers = customers_every_six_hours(60)
    judged = judged_customers(customers, ORIGIN, 7)
    early = judged.iloc[::4]
    late = judged.drop(early.index).head(late_payers)
    first_paid = pd.concat(
        [
            pd.Series(
                (early[ACQUIRED_AT] + pd.Timedelta(minutes=30)).to_numpy(), early[CUSTOMER_ID]
            ),
            pd.Series((late[ACQUIRED_AT] + pd.Timedelta(days=5)).to_numpy(), late[CUSTOMER_ID]),
        ]
    )
    propensity = pd.Series(0.5, index=customers[CUSTOMER_ID])
    propensity[late[CUSTOMER_ID]] = 0.01
    revenue = pd.Series(10.0, index=first_paid.index)
    table = SimpleNamespace(customers=customers)
    return judge_at_age(
        _PropensityRanker(propensity), table, first_paid, {7: revenue}, ORIGIN, 3, 7
    )


def test_the_7_day_auc_at_d3_is_withheld_from_too_few_payers_with_their_count():
    """3 payers between day 3 and day 7: their AUC (here 0.0) would be any number; it is not
    given, the payers and the reason are."""
    metrics = _seven_day_world(3)
    assert (metrics["customers"], metrics["payers"]) == (20, 3)
    assert metrics["auc"] is None and metrics["pr_auc"] is None
    assert metrics["auc_withheld"] == TOO_FEW_PAYERS
    assert metrics["brier"] is not None  # the probabilities are still judged
    stored = {"horizons": {"7": {"by_age": {"D3": metrics}}}}
    read = accuracy_at_age(stored, 7, 3.5)
    assert (read["auc"], read["payers"], read["auc_withheld"]) == (None, 3, TOO_FEW_PAYERS)


def test_the_7_day_auc_at_d3_is_given_from_enough_payers():
    metrics = _seven_day_world(MIN_JUDGED_PAYERS)
    assert metrics["payers"] == MIN_JUDGED_PAYERS
    assert metrics["auc"] == 0.0 and "auc_withheld" not in metrics
