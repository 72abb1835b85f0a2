"""The metric definitions: hand-computed values, and None (never 0 or infinity) wherever a
ratio is undefined, for scalars and for columns alike."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analytics import metrics


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (metrics.roas, (250, 100), 2.5),
        (metrics.roi, (250, 100), 1.5),
        (metrics.roi, (60, 100), -0.4),
        (metrics.cpi, (100, 40), 2.5),
        (metrics.cpa, (100, 8), 12.5),
        (metrics.cac, (300, 4), 75.0),
        (metrics.ltv_cac, (150, 50), 3.0),
        (metrics.ltv_cac, (150, 50, 0.7), 2.1),
        (metrics.predicted_roas, (450, 300), 1.5),
        (metrics.churn_rate, (1.5, 6), 0.25),
    ],
)
def test_metric_matches_hand_computation(function, args, expected):
    assert function(*args) == pytest.approx(expected)


@pytest.mark.parametrize(
    "function",
    [
        metrics.roas,
        metrics.roi,
        metrics.cpi,
        metrics.cpa,
        metrics.cac,
        metrics.ltv_cac,
        metrics.predicted_roas,
        metrics.churn_rate,
    ],
)
@pytest.mark.parametrize("denominator", [0, 0.0, Decimal(0), None, math.nan])
def test_an_undefined_ratio_is_none(function, denominator):
    assert function(10, denominator) is None


@pytest.mark.parametrize("numerator", [None, math.nan, Decimal("NaN")])
def test_a_missing_numerator_gives_none_not_zero(numerator):
    assert metrics.roas(numerator, 100) is None
    assert metrics.roi(numerator, 100) is None


def test_zero_revenue_over_real_spend_is_a_real_zero():
    assert metrics.roas(0, 100) == 0.0


def test_decimal_money_is_accepted():
    assert metrics.cpi(Decimal("10.50"), 3) == pytest.approx(3.5)


def test_columns_give_nan_where_undefined_and_never_infinity():
    spend = pd.Series([100.0, 0.0, 50.0, np.nan])
    revenue = pd.Series([250.0, 10.0, np.nan, 5.0])
    out = metrics.roas(revenue, spend)
    assert out.iloc[0] == pytest.approx(2.5)
    assert out.iloc[1:].isna().all()
    assert not np.isinf(out.fillna(0)).any()


def test_arrays_and_scalars_mix():
    out = metrics.cac(np.array([100.0, 100.0]), np.array([4, 0]))
    assert out[0] == 25.0 and np.isnan(out[1])


def test_cohort_roas_of_an_incomplete_cohort_is_none_never_zero():
    assert metrics.cohort_roas(0, 100, complete=False) is None
    assert metrics.cohort_roas(50, 100, complete=True) == 0.5
    column = metrics.cohort_roas(pd.Series([50.0, 0.0]), pd.Series([100.0, 100.0]), [True, False])
    assert column.iloc[0] == 0.5 and np.isnan(column.iloc[1])


def test_a_cohort_is_complete_once_the_n_days_of_its_last_customers_are_over():
    # acquired on Jan 1 (day 1) .. Jan 7 (day 7): over when Jan 8 begins
    assert not metrics.cohort_complete(dt.date(2024, 1, 1), dt.date(2024, 1, 7), 7)
    assert metrics.cohort_complete(dt.date(2024, 1, 1), dt.date(2024, 1, 8), 7)


def test_payback_is_the_first_day_the_cumulative_margin_covers_the_spend():
    cumulative = [10.0, 40.0, 70.0, 100.0, 130.0]
    assert metrics.payback_day(cumulative, 100) == 3
    assert metrics.payback_day(cumulative, 100, margin_rate=0.5) is None
    assert metrics.payback_day(cumulative, 20, margin_rate=0.5) == 1


def test_payback_stops_at_the_first_unknown_day():
    assert metrics.payback_day([10.0, np.nan, 500.0], 100) is None


@pytest.mark.parametrize("spend", [0, None, -5])
def test_payback_without_positive_spend_is_none(spend):
    assert metrics.payback_day([10.0, 20.0], spend) is None


def test_payback_of_several_curves_at_once_follows_the_same_rule():
    curves = np.array([[10.0, 40.0, 70.0], [10.0, np.nan, 500.0], [5.0, 5.0, 5.0]])
    assert metrics.payback_day(curves, np.array([40.0, 100.0, 0.0])) == [1, None, None]


def test_ltv_cac_counts_the_margin_share_of_a_column_of_lifetime_values():
    ltv = pd.Series([150.0, None, 80.0])
    out = metrics.ltv_cac(ltv, pd.Series([50.0, 10.0, 0.0]), margin_rate=0.5)
    assert out.iloc[0] == pytest.approx(1.5) and out.iloc[1:].isna().all()


def test_excluding_suspects_keeps_the_whole_spend_and_drops_their_customers_and_revenue():
    # 100 spent, 5 customers of whom 2 suspect; revenue 60, of which 15 by the suspects
    assert metrics.cac_excluding_suspects(100, 5, 2) == pytest.approx(100 / 3)
    assert metrics.roas_excluding_suspects(60, 15, 100) == pytest.approx(0.45)
    assert metrics.suspect_share(2, 5) == pytest.approx(0.4)


def test_excluding_suspects_is_undefined_when_every_customer_is_suspect_or_nothing_was_spent():
    assert metrics.cac_excluding_suspects(100, 2, 2) is None
    assert metrics.roas_excluding_suspects(60, 15, 0) is None
    assert metrics.suspect_share(0, 0) is None
    column = metrics.cac_excluding_suspects(
        np.array([100.0, 50.0]), np.array([4, 1]), np.array([2, 1])
    )
    assert column[0] == 50.0 and np.isnan(column[1])
