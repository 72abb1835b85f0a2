"""Cohort ROI on hand-computed examples: the ROI table, incomplete cohorts, unconverted revenue,
revenue curves of customers of different ages, survival, projections and payback.

Checkpoint intervals (day indices): 1 → [0], 3 → [1, 2], 7 → [3, 6], 14 → [7, 13],
30 → [14, 29], 60 → [30, 59], 90 → [60, 89], ...
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from analytics import cohorts, metrics
from analytics.revenue_curves import (
    CHECKPOINTS,
    FIRST_DAYS,
    anchored_per_customer,
    daily,
    payback_days,
    survival_matrix,
)

AS_OF = dt.date(2024, 3, 1)
CLOSED = dt.date(2024, 1, 1)


def spend(**groups) -> pd.DataFrame:
    """spend(meta=(spend, impressions, clicks, installs), ...)"""
    rows = [(k, *v) for k, v in groups.items()]
    return pd.DataFrame(rows, columns=[cohorts.KEY, *cohorts.SPEND_COLUMNS])


def customers(key, n, revenue=0.0, d7=0.0, d30=0.0, *, matured=None, gains=None, at_risk=None,
              ended=None, scored=0, ltv=(np.nan,) * 3, churn=(0, np.nan),
              suspects=(0, 0.0), to_age=None, ages=None) -> dict:  # fmt: skip
    """One group's row; checkpoint figures by checkpoint day (absent ones are 0); `suspects`:
    (suspect customers, their revenue). `to_age` and `ages` (Σ ages of the customers in each
    checkpoint's interval) default to those of customers all of one age, the first day of the
    interval where `matured` falls below `n`: the gains while all have lived, then `revenue`."""
    row = {cohorts.KEY: key, cohorts.CUSTOMERS: n, cohorts.REVENUE: revenue, cohorts.REVENUE_D7: d7}
    row |= {cohorts.REVENUE_D30: d30, cohorts.SCORED: scored, cohorts.CHURN_SCORED: churn[0]}
    row |= {
        cohorts.CHURN_SUM: churn[1],
        cohorts.SUSPECTS: suspects[0],
        cohorts.SUSPECT_REVENUE: suspects[1],
    }
    row |= {cohorts.ltv_column(h): v for h, v in zip((30, 90, 365), ltv, strict=True)}
    for column, values in (
        (cohorts.matured_column, matured),
        (cohorts.gain_column, gains),
        (cohorts.at_risk_column, at_risk),
        (cohorts.ended_column, ended),
    ):
        row |= {column(n): (values or {}).get(n, 0.0) for n in CHECKPOINTS}
    if to_age is None or ages is None:
        everyone = [(matured or {}).get(c, 0) >= n for c in CHECKPOINTS]
        young = everyone.index(False) if False in everyone and n else None
        gained = np.cumsum([(gains or {}).get(c, 0.0) for c in CHECKPOINTS])
        default = {c: gained[i] if everyone[i] else revenue for i, c in enumerate(CHECKPOINTS)}
        to_age = default if to_age is None else to_age
        if ages is None:
            ages = {} if young is None else {CHECKPOINTS[young]: n * FIRST_DAYS[young]}
    row |= {cohorts.to_age_column(c): to_age.get(c, 0.0) for c in CHECKPOINTS}
    row |= {cohorts.age_sum_column(c): ages.get(c, 0.0) for c in CHECKPOINTS}
    return row


def frames(spend_frame, customer_rows) -> cohorts.CohortFrames:
    return cohorts.CohortFrames(
        spend_frame, pd.DataFrame(customer_rows, columns=[cohorts.KEY, *cohorts.CUSTOMER_COLUMNS])
    )


@pytest.fixture
def two_channels() -> cohorts.CohortFrames:
    """meta: 100 spent, 2 customers acquired 2024-01-01 (60 days lived on AS_OF) who paid 20 on
    day 0, 10 on day 5 and 30 on day 40, both still active; scored 30/60/150 each; churn 0.1 +
    0.4. google: 50 spent, no customer."""
    meta = customers(
        "meta", 2, 60.0, 30.0, 30.0,
        matured={n: 2 for n in (1, 3, 7, 14, 30, 60)},
        gains={1: 20.0, 7: 10.0, 60: 30.0},
        at_risk={n: 2 for n in (1, 3, 7, 14, 30, 60, 90)},
        scored=2, ltv=(60.0, 120.0, 300.0), churn=(2, 0.5),
    )  # fmt: skip
    return frames(spend(meta=(100.0, 1000, 10, 4), google=(50.0, 500, 5, 0)), [meta])


def test_roi_table_matches_hand_computation(two_channels):
    meta = cohorts.roi_table(two_channels, AS_OF, CLOSED).loc["meta"]
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
    # Actual through day 59: 60. Per customer the model says 30 by day 29, 60 by day 89, 150 by
    # day 364, spread evenly (survival is 1 throughout): at day 59 it is 30 + 30 x 30/60 = 45.
    # Each customer (60 days old) adds P(k) - 45, 105 by day 364, scaled so that the cohort's
    # day 364 is its predicted 2 x 150: by (300 - 60) / 210 = 8/7.
    # 60 + 8/7 x 2 x (P(k) - 45) >= 100  <=>  P(k) >= 62.5  <=>  60 + 90 (k-89)/275 >= 62.5
    # <=>  k - 89 >= 7.64, so k = 97.
    assert cohorts.roi_table(two_channels, AS_OF, CLOSED).loc["meta", "payback_days"] == 97
    curve = cohorts.revenue_curves(two_channels, ["meta"]).projected_daily(0)
    assert curve[364] == pytest.approx(300.0)  # the predicted 365-day revenue


def test_a_channel_without_customers_has_no_acquisition_cost_or_payback(two_channels):
    google = cohorts.roi_table(two_channels, AS_OF, CLOSED).loc["google"]
    assert google["customers"] == 0 and np.isnan(google["cac"])
    assert google["revenue"] == 0.0 and google["roas"] == 0.0
    assert np.isnan(google["cpi"])  # no installs
    assert np.isnan(google["predicted_roas"]) and pd.isna(google["payback_days"])


def test_a_group_no_platform_reported_has_unknown_counts_not_zero(two_channels):
    tiktok = customers("tiktok", 3, 12.0)
    both = frames(two_channels.spend, [*two_channels.customers.to_dict("records"), tiktok])
    table = cohorts.roi_table(both, AS_OF, CLOSED)
    assert table.loc["tiktok", "spend"] == 0.0 and table.loc["tiktok", "customers"] == 3
    for count in ("installs", "impressions", "clicks"):
        assert np.isnan(table.loc["tiktok", count])
    assert table.loc["google", "installs"] == 0  # reported, and none


def test_totals_recompute_the_ratios_from_summed_inputs(two_channels):
    total = cohorts.roi_table(two_channels.combined(), AS_OF, CLOSED).loc[cohorts.TOTAL]
    assert total["spend"] == 150.0 and total["installs"] == 4
    assert total["roas"] == pytest.approx(0.4)
    assert total["predicted_roas"] == pytest.approx(2.0)
    # 60 + 16/7 (P(k) - 45) >= 150  <=>  90 (k-89)/275 >= 24.375  <=>  k - 89 >= 74.48
    assert total["payback_days"] == 164


def test_an_incomplete_cohort_has_no_d7_or_d30_revenue_never_zero():
    data = frames(spend(meta=(100.0, 0, 0, 0)), [customers("meta", 1, 5.0, 5.0, 5.0)])
    # acquired through Feb 25: its 7th day, Mar 2, is not over on Mar 1
    meta = cohorts.roi_table(data, AS_OF, dt.date(2024, 2, 25)).loc["meta"]
    assert not meta["d7_complete"] and np.isnan(meta["revenue_d7"])
    assert not meta["d30_complete"] and np.isnan(meta["revenue_d30"])
    assert meta["revenue"] == 5.0


def test_d30_is_incomplete_while_d7_is_complete():
    data = frames(spend(meta=(10.0, 0, 0, 0)), [customers("meta", 1)])
    meta = cohorts.roi_table(data, AS_OF, dt.date(2024, 2, 10)).loc["meta"]
    assert meta["d7_complete"] and meta["revenue_d7"] == 0.0
    assert not meta["d30_complete"] and np.isnan(meta["revenue_d30"])


def test_revenue_without_an_exchange_rate_makes_revenue_unknown_not_smaller():
    row = customers(
        "meta", 1, np.nan, np.nan, np.nan, matured={1: 1, 3: 1, 7: 1}, gains={1: 20.0, 7: np.nan}
    )
    meta = cohorts.roi_table(frames(spend(meta=(30.0, 0, 0, 0)), [row]), AS_OF, CLOSED).loc["meta"]
    assert np.isnan(meta["revenue"]) and np.isnan(meta["roas"]) and np.isnan(meta["revenue_d7"])
    assert pd.isna(meta["payback_days"])  # 20 < 30 through day 2, unknown after
    assert cohorts.revenue_curves(frames(spend(), [row]), ["meta"]).last_known_day[0] == 2


def test_spend_without_an_exchange_rate_is_unknown_not_zero():
    data = frames(spend(meta=(np.nan, 10, 1, 1)), [])
    meta = cohorts.roi_table(data, AS_OF, CLOSED).loc["meta"]
    assert np.isnan(meta["spend"]) and np.isnan(meta["cpi"])
    assert np.isnan(cohorts.roi_table(data.combined(), AS_OF, CLOSED).loc[cohorts.TOTAL, "spend"])


def test_the_actual_curve_adds_each_customers_own_revenue_up_to_its_own_age():
    # A has lived 10 days (paid 10 on day 0, 20 on day 5); B 3 days (paid 6 on day 0, 100 on
    # day 3). Own revenue of the first n days: 16 for n = 1 and 3, 136 from n = 7 on (B's day 3
    # counts, A's day 5 too): the curve ends on the revenue to date in A's interval (days 7-13)
    row = customers(
        "g", 2, 136.0, matured={1: 2, 3: 2, 7: 1}, gains={1: 16.0, 7: 20.0},
        to_age={1: 16.0, 3: 16.0, **{n: 136.0 for n in CHECKPOINTS[2:]}}, ages={7: 3, 14: 10},
    )  # fmt: skip
    curves = cohorts.revenue_curves(frames(spend(), [row]), ["g"])
    assert curves.last_known_day[0] == 13
    actual = curves.actual_daily(0)
    np.testing.assert_allclose(actual[:7], [16, 16, 16, 46, 76, 106, 136])
    assert actual[13] == 136.0 and np.isnan(actual[14:]).all()
    # the projection adds B's expected revenue from its age (3 days) on: the chained curve per
    # customer, 8 on day 0, then A's 20 over days 3-6 (B adds 28 - 8 by day 6)
    assert curves.first_projected_day[0] == 2
    projected = curves.projected_daily(0)
    np.testing.assert_allclose(projected[:3], actual[:3])
    assert projected[6] == pytest.approx(136.0 + 20.0)


def test_a_projection_anchored_at_another_horizon_ends_on_its_figure_there():
    # the customers of the test above, scored by the LTV model (its 365-day total: 2 x 150);
    # another model predicts 200 for their first 30 days, the figure a page shows for them
    row = customers(
        "g", 2, 136.0, matured={1: 2, 3: 2, 7: 1}, gains={1: 16.0, 7: 20.0},
        to_age={1: 16.0, 3: 16.0, **{n: 136.0 for n in CHECKPOINTS[2:]}}, ages={7: 3, 14: 10},
        scored=2, ltv=(100.0, 150.0, 300.0),
    )  # fmt: skip
    data = frames(spend(), [row])
    assert cohorts.revenue_curves(data, ["g"]).projected_daily(0)[364] == pytest.approx(300.0)
    curves = cohorts.revenue_curves(data, ["g"], anchored={"g": (30, 200.0)})
    projected = curves.projected_daily(0)
    np.testing.assert_allclose(projected[:3], curves.actual_daily(0)[:3])
    assert projected[29] == pytest.approx(200.0)
    assert np.all(np.diff(projected[:30]) >= 0)
    assert np.isnan(projected[30:]).all()  # a 30-day figure says nothing of day 31 on
    # below the revenue already earned, nothing is added and nothing taken back
    low = cohorts.revenue_curves(data, ["g"], anchored={"g": (30, 100.0)}).projected_daily(0)
    assert low[29] == pytest.approx(136.0)
    with pytest.raises(ValueError):
        cohorts.revenue_curves(data, ["g"], anchored={"g": (31, 200.0)})


def test_without_a_model_the_projection_carries_the_survivors_revenue_rate():
    # 2 customers who lived 30 days: A paid 4 a day on days 0-9 and its lifetime ended on day 9,
    # B pays 4 a day. Per customer: 4 a day through day 6, 40/2/7 on days 7-13, 64/2/16 on
    # 14-29; survival 1 through day 6, then 0.5 (known until day 59). Last 28 days (2-29):
    # revenue 4 + 16 + 20 + 32 = 72 over survival 1 + 4 + 3.5 + 8 = 16.5: a rate of 72/16.5.
    row = customers(
        "g", 2, 160.0,
        matured={n: 2 for n in (1, 3, 7, 14, 30)},
        gains={1: 8.0, 3: 16.0, 7: 32.0, 14: 40.0, 30: 64.0},
        at_risk={1: 2, 3: 2, 7: 2, 14: 2, 30: 1, 60: 1},
        ended={14: 1},
    )  # fmt: skip
    data = frames(spend(g=(164.0, 0, 0, 0)), [row])
    projected = cohorts.revenue_curves(data, ["g"]).projected_daily(0)
    rate = 72 / 16.5
    assert projected[29] == pytest.approx(160.0)
    assert projected[30] == pytest.approx(160 + 2 * rate * 0.5)
    assert projected[59] == pytest.approx(160 + 2 * 30 * rate * 0.5)
    assert np.isnan(projected[60])
    assert cohorts.roi_table(data, AS_OF, CLOSED).loc["g", "payback_days"] == 30
    more = frames(spend(g=(300.0, 0, 0, 0)), [row])
    assert pd.isna(cohorts.roi_table(more, AS_OF, CLOSED).loc["g", "payback_days"])


def _life_table(durations, observed) -> tuple[np.ndarray, np.ndarray]:
    """(at_risk, ended) per checkpoint interval of individual lifetimes, as the database counts
    them: lasting at least to the interval's first day; observed to end within it."""
    starts = (0, *CHECKPOINTS[:-1])
    at_risk = np.array([[sum(d >= s for d in durations) for s in starts]], dtype=float)
    intervals = list(zip(starts, CHECKPOINTS, strict=True))
    pairs = list(zip(durations, observed, strict=True))
    ended = np.array([[sum(o and s <= d < n for d, o in pairs) for s, n in intervals]], float)
    return at_risk, ended


def _lifelines_at(durations, observed, days) -> np.ndarray:
    """lifelines' Kaplan-Meier S(day) (the library the cohort survival curves use)."""
    fitter = KaplanMeierFitter().fit(durations, observed)
    return fitter.survival_function_at_times(days).to_numpy(dtype=float)


def test_survival_per_interval_equals_lifelines_kaplan_meier_at_the_checkpoints():
    durations, observed = [0, 2, 5, 20], [1, 1, 1, 1]
    reference = _lifelines_at(durations, observed, [n - 1 for n in CHECKPOINTS[:6]])
    ours = survival_matrix(*_life_table(durations, observed))[0]
    np.testing.assert_allclose(ours[:4], reference[:4])  # days 0, 2, 6, 13
    assert ours[4] == reference[4] == 0.0  # the last lifetime ended on day 20, in days 14-29
    assert ours[5] == 0.0  # the curve reached 0: it stays 0


def test_survival_with_censoring_at_interval_ends_equals_lifelines_kaplan_meier():
    # censored on an interval's last day, after that interval's endings: a life table and
    # Kaplan-Meier agree exactly there
    durations = [0, 0, 1, 2, 4, 6, 6, 9, 13, 13, 20, 29, 45, 59, 59, 75]
    observed = [1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1]
    checkpoints = [n for n in CHECKPOINTS if n <= 90]
    reference = _lifelines_at(durations, observed, [n - 1 for n in checkpoints])
    ours = survival_matrix(*_life_table(durations, observed))[0][: len(checkpoints)]
    np.testing.assert_allclose(ours, reference)
    assert 0.0 < ours[-2] < ours[0] < 1.0


def test_survival_is_unknown_after_follow_up_unless_it_reached_zero():
    at_risk = np.zeros((1, len(CHECKPOINTS)))
    at_risk[0, :3] = 1  # followed into the third interval (days 3-6), censored there
    survival = survival_matrix(at_risk, np.zeros_like(at_risk))[0]
    assert (survival[:3] == 1.0).all() and np.isnan(survival[3:]).all()


def test_survival_shapes_the_predicted_steps_between_anchors():
    survival = np.ones((1, len(CHECKPOINTS)))
    survival[0, 4:] = 0.5  # half the customers lapse in days 14-29
    ends = anchored_per_customer(np.array([[30.0, 90.0, 90.0]]), survival)[0]
    # days 0-29 weigh 14 x 1 + 16 x 0.5 = 22: the first 14 days carry 30 x 14 / 22
    assert ends[3] == pytest.approx(30 * 14 / 22) and ends[4] == pytest.approx(30.0)
    assert ends[5] == pytest.approx(60.0)  # even weights on days 30-89: half the step by day 59
    assert ends[6] == pytest.approx(90.0) and ends[-1] == pytest.approx(90.0)


def test_daily_curves_are_linear_between_checkpoints():
    ends = np.full(len(CHECKPOINTS), np.nan)
    ends[:3] = [10.0, 10.0, 30.0]  # days 0 / 1-2 / 3-6
    curve = daily(ends)
    np.testing.assert_allclose(curve[:7], [10, 10, 10, 15, 20, 25, 30])
    assert np.isnan(curve[7:]).all()


def test_only_keeps_the_chosen_groups(two_channels):
    assert two_channels.only(["google"]).keys() == ["google"]


def test_payback_on_the_intervals_is_the_payback_of_the_daily_curves():
    rng = np.random.default_rng(3)
    gains = rng.gamma(0.6, 20.0, size=(4000, len(CHECKPOINTS)))
    gains[rng.random(gains.shape) < 0.1] *= -0.5  # refunds: curves that fall for a while
    ends = np.cumsum(gains, axis=1)
    ends[rng.random(len(ends)) < 0.2, rng.integers(0, len(CHECKPOINTS))] = np.nan
    spend = rng.uniform(-5, 400, size=len(ends))
    spend[::97] = np.nan
    # exact ties: spends equal to a value the daily curve takes on some day
    tied = rng.integers(0, len(ends), 300)
    spend[tied] = daily(ends[tied])[np.arange(300), rng.integers(0, CHECKPOINTS[-1], 300)]
    for margin in (1.0, 0.35):
        expected = metrics.payback_day(daily(ends), spend, margin)
        assert payback_days(ends, spend, margin) == expected
        assert sum(day is not None for day in expected) > 300  # many curves pay back


def test_figures_excluding_suspects_drop_their_customers_and_revenue_but_keep_the_spend():
    # meta: 3 customers, one suspect who paid 10 of the 70; 90 spent
    meta = customers("meta", 3, 70.0, suspects=(1, 10.0))
    table = cohorts.roi_table(frames(spend(meta=(90.0, 0, 0, 3)), [meta]), AS_OF, CLOSED).loc[
        "meta"
    ]
    assert (table["suspects"], table["suspect_share"]) == (1, pytest.approx(1 / 3))
    assert table["cac"] == 30.0 and table["cac_excluding_suspects"] == 45.0  # 90 / 2
    assert table["roas_excluding_suspects"] == pytest.approx(60.0 / 90.0)


def test_suspect_revenue_without_an_exchange_rate_leaves_the_excluded_roas_unknown():
    meta = customers("meta", 3, 70.0, suspects=(1, np.nan))
    total = cohorts.roi_table(
        frames(spend(meta=(90.0, 0, 0, 3)), [meta]).combined(), AS_OF, CLOSED
    ).loc[cohorts.TOTAL]
    assert total["suspects"] == 1 and np.isnan(total["roas_excluding_suspects"])


def _inflated_curve(ltv_365: float) -> cohorts.CohortFrames:
    """10 customers, 100 spent, 60 of revenue to date; only one of them has lived 14 days (14
    days old) and it paid 50 in days 7-13, the nine others are 10 days old; so the chained
    actual curve reaches 10 + 10 x 50 = 510 by day 13 while the revenue to date is 60. The 10
    scored customers are predicted `ltv_365` in all."""
    row = customers(
        "meta", 10, 60.0, 10.0,
        matured={1: 10, 3: 10, 7: 10, 14: 1},
        gains={1: 10.0, 14: 50.0},
        scored=10, ltv=(ltv_365 / 3, ltv_365 / 2, ltv_365),
        ages={14: 9 * 10, 30: 14},
    )  # fmt: skip
    return frames(spend(meta=(100.0, 1000, 10, 10)), [row])


#: The cohort's age as the cohorts page shows it (from the middle of its acquisitions).
SHOWN_AGE = 11


@pytest.mark.parametrize("margin_rate", [1.0, 0.5])
@pytest.mark.parametrize("ltv_365", [180.0, 400.0, np.nan])
def test_a_payback_within_the_cohorts_age_needs_the_revenue_to_date_to_cover_the_spend(
    margin_rate, ltv_365
):
    # the chained curve alone paid back on days 7-13 beside a ROAS to date of 60%
    table = cohorts.roi_table(
        _inflated_curve(ltv_365), AS_OF, CLOSED, margin_rate=margin_rate,
        age_days=lambda key: SHOWN_AGE,
    )  # fmt: skip
    meta = table.loc["meta"]
    assert meta["roas"] * margin_rate < 1
    assert np.isnan(meta["payback_days"]) or meta["payback_days"] > SHOWN_AGE


def test_the_projected_curve_is_each_customers_own_revenue_then_the_predicted_remainder():
    curves = cohorts.revenue_curves(_inflated_curve(180.0), ["meta"])
    projected, actual = curves.projected_daily(0), curves.actual_daily(0)
    # through the youngest customer's age (10 days: the interval from day 7) only actual revenue
    assert curves.first_projected_day[0] == 6
    np.testing.assert_allclose(projected[:7], [10.0] * 7)
    # the actual curve ends on the revenue to date, in the oldest customer's interval
    assert curves.last_known_day[0] == 29 and actual[29] == 60.0
    # day 364 is the predicted 365-day revenue, not 10 x the one old customer's curve
    assert projected[364] == pytest.approx(180.0)
    assert (np.diff(projected[:365]) >= -1e-9).all()
    # the nine 10-day-old customers add, by day 13, a share of their remainder the model's total
    # allows: (180 - 60) of the chained remainders (9 x (66.2 - 22.43) + (66.2 - 51))
    chained_by_13 = 9 * (51.0 - (1.0 + 50.0 * 3 / 7))
    remainders = 9 * (66.2 - (1.0 + 50.0 * 3 / 7)) + (66.2 - 51.0)
    assert projected[13] == pytest.approx(60.0 + 120.0 / remainders * chained_by_13, rel=1e-6)


def test_a_prediction_below_the_revenue_to_date_adds_nothing_and_never_falls():
    curves = cohorts.revenue_curves(_inflated_curve(30.0), ["meta"])
    projected = curves.projected_daily(0)
    np.testing.assert_allclose(projected[13:365], 60.0)


def test_a_prediction_below_the_spend_leaves_no_payback_however_the_curve_runs():
    meta = cohorts.roi_table(_inflated_curve(80.0), AS_OF, CLOSED).loc["meta"]
    assert meta["predicted_roas"] == pytest.approx(0.8)
    assert np.isnan(meta["payback_days"])
    # the same frames without a model: the curve alone decides, after the cohort's age
    no_model = cohorts.roi_table(
        _inflated_curve(np.nan), AS_OF, CLOSED, age_days=lambda key: SHOWN_AGE
    ).loc["meta", "payback_days"]
    assert SHOWN_AGE < no_model <= 13


def test_payback_not_before_a_day_on_the_intervals_is_that_of_the_daily_curves():
    rng = np.random.default_rng(5)
    ends = np.cumsum(rng.gamma(0.6, 20.0, size=(2000, len(CHECKPOINTS))), axis=1)
    spend = rng.uniform(1, 300, size=len(ends))
    not_before = rng.integers(0, 120, size=len(ends))
    expected = metrics.payback_day(daily(ends), spend, 0.7, not_before)
    assert payback_days(ends, spend, 0.7, not_before) == expected
    assert sum(d is not None and d == b for d, b in zip(expected, not_before, strict=True)) > 10
