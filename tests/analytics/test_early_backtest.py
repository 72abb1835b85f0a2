"""Which customers the first-purchase backtest judges, and how it cuts them into weekly cohorts
(analytics/early/backtest.py)."""

from __future__ import annotations

import pandas as pd

from analytics.early.backtest import JUDGED_DAYS, judged_customers, weekly_cohort
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
