"""Cohort ROI on hand-computed examples: the ROI table, incomplete cohorts, unconverted revenue,
revenue curves of customers of different ages, survival, projections and payback."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import cohorts as C
from analytics.ltv import kaplan_meier, survival_on_grid
from analytics.revenue_curves import survival_matrix

AS_OF = dt.date(2024, 3, 1)
CLOSED = dt.date(2024, 1, 1)


def spend(**groups) -> pd.DataFrame:
    """spend(meta=(spend, impressions, clicks, installs), ...)"""
    rows = [(k, *v) for k, v in groups.items()]
    return pd.DataFrame(rows, columns=[C.KEY, C.SPEND, C.IMPRESSIONS, C.CLICKS, C.INSTALLS])


def customers(key, n, scored=0, ltv=(None, None, None), churn=(0, None)):
    row = {
        C.KEY: key,
        C.CUSTOMERS: n,
        C.SCORED: scored,
        C.CHURN_SCORED: churn[0],
        C.CHURN_SUM: churn[1],
    }
    row.update({C.ltv_column(h): v for h, v in zip((30, 90, 365), ltv, strict=True)})
    return row


def frames(spend_frame, customer_rows, revenue=(), ages=(), lifetimes=()) -> C.CohortFrames:
    return C.CohortFrames(
        spend=spend_frame,
        customers=pd.DataFrame(customer_rows, columns=[C.KEY, *C.CUSTOMER_COLUMNS]),
        revenue=pd.DataFrame(list(revenue), columns=[C.KEY, C.DAY, C.REVENUE, C.SETTLED]),
        ages=pd.DataFrame(list(ages), columns=[C.KEY, C.AGE, C.CUSTOMERS]),
        lifetimes=pd.DataFrame(
            list(lifetimes), columns=[C.KEY, C.DURATION, C.OBSERVED, C.CUSTOMERS]
        ),
    )


@pytest.fixture
def two_channels() -> C.CohortFrames:
    """meta: 100 spent, 2 customers acquired 2024-01-01 (59 days over at AS_OF) who paid
    20 on day 0, 10 on day 5 and 30 on day 40, scored 30/60/150 each at 30/90/365 days, churn
    0.1 + 0.4. google: 50 spent, no customer."""
    return frames(
        spend(meta=(100.0, 1000, 10, 4), google=(50.0, 500, 5, 0)),
        [customers("meta", 2, 2, (60.0, 120.0, 300.0), (2, 0.5))],
        revenue=[("meta", 0, 20.0, True), ("meta", 5, 10.0, True), ("meta", 40, 30.0, True)],
        ages=[("meta", 59, 2)],
        lifetimes=[("meta", 40, False, 1), ("meta", 59, False, 1)],
    )


def test_roi_table_matches_hand_computation(two_channels):
    meta = C.roi_table(two_channels, AS_OF, CLOSED).loc["meta"]
    assert meta["cpi"] == 25.0  # 100 / 4
    assert meta["cac"] == 50.0  # 100 / 2
    assert meta["revenue"] == 60.0
    assert meta["revenue_d7"] == 30.0 and meta["d7_complete"]
    assert meta["revenue_d30"] == 30.0 and meta["d30_complete"]
    assert meta["roas"] == pytest.approx(0.6)
    assert meta["predicted_ltv"] == 150.0  # 300 / 2 scored
    assert meta["predicted_roas"] == pytest.approx(3.0)  # 150 x 2 / 100
    assert meta["ltv_cac"] == pytest.approx(3.0)
    assert meta["churn_rate"] == pytest.approx(0.25)


def test_payback_continues_the_actual_curve_with_the_predicted_one(two_channels):
    # Actual through day 58: 60. Per customer the model says 30 by day 29, 60 by day 89, 150 by
    # day 364, spread evenly (survival is 1 throughout): at day 58 it is 30 + 30 x 29/60 = 44.5.
    # Projection: 60 + 2 x (P(k) - 44.5) >= 100  <=>  P(k) >= 64.5  <=>  60 + 90 (k-89)/275 >= 64.5
    # <=>  k - 89 >= 13.75, so k = 103.
    assert C.roi_table(two_channels, AS_OF, CLOSED).loc["meta", "payback_days"] == 103


def test_a_channel_without_customers_has_no_acquisition_cost_or_payback(two_channels):
    google = C.roi_table(two_channels, AS_OF, CLOSED).loc["google"]
    assert google["customers"] == 0 and np.isnan(google["cac"])
    assert google["revenue"] == 0.0 and google["roas"] == 0.0
    assert np.isnan(google["cpi"])  # no installs
    assert np.isnan(google["predicted_roas"]) and pd.isna(google["payback_days"])


def test_totals_recompute_the_ratios_from_summed_inputs(two_channels):
    total = C.roi_table(two_channels.combined(), AS_OF, CLOSED).loc[C.TOTAL]
    assert total["spend"] == 150.0 and total["installs"] == 4
    assert total["roas"] == pytest.approx(0.4)
    assert total["predicted_roas"] == pytest.approx(2.0)
    # 60 + 2 (P(k) - 44.5) >= 150  <=>  90 (k-89)/275 >= 29.5  <=>  k - 89 >= 90.14
    assert total["payback_days"] == 180


def test_an_incomplete_cohort_has_no_d7_or_d30_revenue_never_zero():
    data = frames(
        spend(meta=(100.0, 0, 0, 0)),
        [customers("meta", 1)],
        revenue=[("meta", 0, 0.0, True)],
        ages=[("meta", 4, 1)],
    )
    # acquired through Feb 25: its 7th day, Mar 2, is not over on Mar 1
    meta = C.roi_table(data, AS_OF, dt.date(2024, 2, 25)).loc["meta"]
    assert not meta["d7_complete"] and np.isnan(meta["revenue_d7"])
    assert not meta["d30_complete"] and np.isnan(meta["revenue_d30"])
    assert meta["revenue"] == 0.0


def test_d30_is_incomplete_while_d7_is_complete():
    data = frames(spend(meta=(10.0, 0, 0, 0)), [customers("meta", 1)])
    meta = C.roi_table(data, AS_OF, dt.date(2024, 2, 10)).loc["meta"]
    assert meta["d7_complete"] and meta["revenue_d7"] == 0.0
    assert not meta["d30_complete"] and np.isnan(meta["revenue_d30"])


def test_revenue_without_an_exchange_rate_makes_revenue_unknown_not_smaller():
    data = frames(
        spend(meta=(100.0, 0, 0, 0)),
        [customers("meta", 1)],
        revenue=[("meta", 0, 20.0, True), ("meta", 3, np.nan, True)],
        ages=[("meta", 60, 1)],
    )
    meta = C.roi_table(data, AS_OF, CLOSED).loc["meta"]
    assert np.isnan(meta["revenue"]) and np.isnan(meta["roas"]) and np.isnan(meta["revenue_d7"])
    assert pd.isna(meta["payback_days"])


def test_spend_without_an_exchange_rate_is_unknown_not_zero():
    data = frames(spend(meta=(np.nan, 10, 1, 1)), [])
    meta = C.roi_table(data, AS_OF, CLOSED).loc["meta"]
    assert np.isnan(meta["spend"]) and np.isnan(meta["cpi"])
    assert np.isnan(C.roi_table(data.combined(), AS_OF, CLOSED).loc[C.TOTAL, "spend"])


def test_the_actual_curve_chains_customers_of_different_ages():
    # A is 10 days old (paid 10 on day 0, 20 on day 5); B is 3 days old (paid 6 on day 0 and 100
    # today, its day 3, which is not over). Day 0: (10 + 6) / 2 per customer; day 5: 20 / 1 (only
    # A has lived it). Cumulative for the 2 customers: 16 through day 4, 56 from day 5 to day 9.
    data = frames(
        spend(g=(0.0, 0, 0, 0)),
        [customers("g", 2)],
        revenue=[("g", 0, 16.0, True), ("g", 5, 20.0, True), ("g", 3, 100.0, False)],
        ages=[("g", 10, 1), ("g", 3, 1)],
    )
    curves = C.revenue_curves(data, ["g"])
    assert curves.last_known_day[0] == 9
    np.testing.assert_allclose(curves.actual[0, :10], [16] * 5 + [56] * 5)
    assert np.isnan(curves.actual[0, 10:]).all()
    assert C.roi_table(data, AS_OF, CLOSED).loc["g", "revenue"] == 136.0


def test_without_a_model_the_projection_carries_the_survivors_revenue_rate():
    # 2 customers, 30 days old: A paid 4 a day on days 0-9 then lapsed (lifetime 10, observed),
    # B pays 4 a day (censored at 30). KM: S = 1 before day 10, 0.5 from day 10, known to day 30.
    # Last 28 days (2-29): revenue per customer 8 x 4 + 20 x 2 = 72 over survival 8 + 20 x 0.5
    # = 18, a rate of 4. Day 30: 160 + 2 x 4 x 0.5 = 164; day 31 is unknown.
    revenue = [("g", d, 8.0 if d < 10 else 4.0, True) for d in range(30)]
    data = frames(
        spend(g=(164.0, 0, 0, 0)),
        [customers("g", 2)],
        revenue=revenue,
        ages=[("g", 30, 2)],
        lifetimes=[("g", 10, True, 1), ("g", 30, False, 1)],
    )
    curves = C.revenue_curves(data, ["g"])
    assert curves.projected[0, 29] == pytest.approx(160.0)
    assert curves.projected[0, 30] == pytest.approx(164.0)
    assert np.isnan(curves.projected[0, 31])
    assert C.roi_table(data, AS_OF, CLOSED).loc["g", "payback_days"] == 30
    more = C.CohortFrames(spend(g=(165.0, 0, 0, 0)), *list(vars(data).values())[1:])
    assert pd.isna(C.roi_table(more, AS_OF, CLOSED).loc["g", "payback_days"])


def test_survival_from_counts_equals_the_ltv_kaplan_meier():
    durations, observed = [1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1]
    removed = np.bincount(durations, minlength=8)[None, :].astype(float)
    events = np.bincount(durations, weights=observed, minlength=8)[None, :]
    reference = survival_on_grid(kaplan_meier(durations, observed), 7)
    ours = survival_matrix(events, removed)[0]
    np.testing.assert_allclose(ours[:6], reference[:6])
    assert (ours[6:] == 0).all()  # the curve reached 0: it stays 0


def test_survival_is_unknown_after_follow_up_unless_it_reached_zero():
    removed = np.array([[0, 0, 1, 0, 0]], dtype=float)
    assert np.isnan(survival_matrix(np.zeros_like(removed), removed)[0, 3:]).all()


def test_survival_shapes_the_predicted_steps_between_anchors():
    from analytics.revenue_curves import anchored_per_customer

    survival = np.ones((1, 400))
    survival[0, 15:] = 0.5  # half the customers lapse on day 15
    curve = anchored_per_customer(np.array([[30.0, 90.0, 90.0]]), survival)[0]
    # days 0-29 weigh 15 x 1 + 15 x 0.5 = 22.5: the first 15 days carry 30 x 15 / 22.5 = 20
    assert curve[14] == pytest.approx(20.0) and curve[29] == pytest.approx(30.0)
    assert curve[89] == pytest.approx(90.0) and curve[-1] == pytest.approx(90.0)
    assert curve[59] - curve[29] == pytest.approx(30.0)  # even weights inside 30-89


def test_only_keeps_the_chosen_groups(two_channels):
    assert two_channels.only(["google"]).keys() == ["google"]
