"""The customers frame from bucketed aggregates, on a hand-computed example."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import cohort_buckets, cohorts
from analytics.revenue_curves import CHECKPOINTS


def lived_row(key, lived, customers, revenue, through: dict, scored=0, ltv=np.nan, age=0) -> dict:
    row = {
        cohorts.KEY: key,
        cohort_buckets.LIVED: lived,
        cohorts.CUSTOMERS: customers,
        cohorts.REVENUE: revenue,
        cohort_buckets.AGE_SUM: age * customers,
    }
    last = 0.0
    for n in CHECKPOINTS:
        last = through.get(n, last)
        row[cohort_buckets.through_column(n)] = last
    row |= {cohorts.SCORED: scored, cohorts.CHURN_SCORED: 0, cohorts.CHURN_SUM: np.nan}
    row |= {cohorts.SUSPECTS: 0, cohorts.SUSPECT_REVENUE: 0.0}
    return row | {cohorts.ltv_column(h): ltv for h in (30, 90, 365)}


def build(a_through_7=25.0):
    # A has lived 7-13 days (3 checkpoints): 10 on day 0, 15 on days 3-6, 5 more after day 7.
    # B has lived 1-2 days (1 checkpoint): 6 on day 0. B's lifetime ended on day 0.
    by_lived = pd.DataFrame(
        [
            lived_row("g", 3, 1, 30.0, {1: 10.0, 7: a_through_7, 14: 30.0}, 1, 120.0, age=9),
            lived_row("g", 1, 1, 6.0, {1: 6.0}, age=2),
        ]
    )
    by_lifetime = pd.DataFrame(
        [("g", 2, False, 1), ("g", 0, True, 1)],
        columns=[cohorts.KEY, cohort_buckets.BUCKET, cohort_buckets.ENDED, cohorts.CUSTOMERS],
    )
    return (
        cohort_buckets.customers_from_buckets(by_lived, by_lifetime).set_index(cohorts.KEY).loc["g"]
    )


def test_customers_and_checkpoint_sums_match_hand_computation():
    g = build()
    assert (g[cohorts.CUSTOMERS], g[cohorts.REVENUE], g[cohorts.REVENUE_D7]) == (2, 36.0, 31.0)
    assert g[cohorts.SCORED] == 1 and g[cohorts.ltv_column(365)] == 120.0
    # lived through day 1: both; through 3 and 7: A only; through 14: nobody
    assert [g[cohorts.matured_column(n)] for n in (1, 3, 7, 14)] == [2, 1, 1, 0]
    # gains: day 0 = 10 + 6; days 1-2: 0 (A); days 3-6: 25 - 10 (A); 7-13: nobody has lived it
    assert [g[cohorts.gain_column(n)] for n in (1, 3, 7, 14)] == [16.0, 0.0, 15.0, 0.0]
    # lifetimes: B ended on day 0, A is active and was followed into days 3-6
    assert [g[cohorts.at_risk_column(n)] for n in (1, 3, 7, 14)] == [2, 1, 1, 0]
    assert [g[cohorts.ended_column(n)] for n in (1, 3, 7)] == [1, 0, 0]
    # each customer's own revenue up to its own age: B's 6 counts in full from day 3 on, A's 5
    # after day 7 from the 14-day checkpoint on
    assert [g[cohorts.to_age_column(n)] for n in (1, 3, 7, 14, 30)] == [16, 16, 31, 36, 36]
    # B (2 days old) is in days 1-2's interval, A (9 days old) in days 7-13's
    assert [g[cohorts.age_sum_column(n)] for n in (1, 3, 7, 14)] == [0, 2, 0, 9]


def test_an_unconverted_payment_makes_the_sums_that_include_it_unknown():
    g = build(a_through_7=np.nan)
    assert np.isnan(g[cohorts.REVENUE_D7]) and np.isnan(g[cohorts.gain_column(7)])
    assert g[cohorts.gain_column(1)] == 16.0 and g[cohorts.gain_column(3)] == 0.0
