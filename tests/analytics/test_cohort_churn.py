"""Cohort churn as the dashboard shows it: Kaplan-Meier survival whose churn is the table's (90
days without a purchase; predicted where not yet settled), and per-cohort drivers in sentences."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from analytics.cohort_churn import (
    AGE,
    LAST_DAY,
    SETTLED,
    cohort_churn_drivers,
    cohort_survival,
    kaplan_meier,
    survival_curve,
)
from analytics.cohorts import CHURN_SCORED, CHURN_SUM, CUSTOMERS, KEY

DAYS = (0, 1, 7, 30, 90, 120, 180, 365)


def groups(*rows: tuple) -> pd.DataFrame:
    """(key, last day, age, settled, customers, scored, churn sum) per row."""
    columns = [KEY, LAST_DAY, AGE, SETTLED, CUSTOMERS, CHURN_SCORED, CHURN_SUM]
    return pd.DataFrame(list(rows), columns=columns)


def test_a_young_cohort_ends_at_one_minus_its_predicted_churn():
    # 10 days old: nobody can have been inactive 90 days; 8 never bought (p 0.9), 2 bought on
    # day 3 (p 0.2): predicted churn (8 * 0.9 + 2 * 0.2) / 10 = 0.76
    rows = groups(("w", 0, 10, False, 8, 8, 7.2), ("w", 3, 10, False, 2, 2, 0.4))
    curve = survival_curve(rows, DAYS)
    assert [p["day"] for p in curve] == [0, 1, 7, 10]
    assert curve[0]["p"] == 1.0
    assert curve[1]["p"] == pytest.approx(1 - 0.72, abs=1e-4)  # the never-bought churned on day 0
    assert curve[-1]["p"] == pytest.approx(1 - 0.76, abs=1e-4)
    assert not any(p["observed"] for p in curve)  # all of it rests on the prediction


def test_an_old_cohort_shows_observed_churn_up_to_its_age_minus_the_inactivity():
    # 200 days old: 6 stopped at day 0 and 2 at day 50 (settled, inactive >= 90 days);
    # 2 bought on day 150 (not settled, p 0.5): one is counted churned at 150, one goes on
    rows = groups(
        ("m", 0, 200, True, 6, 6, 5.0),
        ("m", 50, 200, True, 2, 2, 1.0),
        ("m", 150, 200, False, 2, 2, 1.0),
    )
    curve = {p["day"]: p for p in survival_curve(rows, DAYS)}
    assert curve[1]["p"] == pytest.approx(0.4)
    assert curve[90]["p"] == pytest.approx(0.2)
    assert curve[180]["p"] == pytest.approx(0.1)  # half of the 2 at risk churned on day 150
    assert curve[200]["p"] == pytest.approx(0.1)
    assert curve[90]["observed"] and not curve[120]["observed"]  # settled through 200 - 90


def test_survival_is_known_only_over_the_days_a_cohort_has_lived():
    rows = groups(("a", 0, 3, False, 5, 5, 2.5), ("b", 0, 40, False, 5, 5, 2.5))
    curves = cohort_survival(rows, DAYS)
    assert max(p["day"] for p in curves["a"]) == 3
    assert max(p["day"] for p in curves["b"]) == 40


def test_customers_without_a_churn_prediction_leave_the_curve_unbiased():
    # 4 scored (p 0.5) and 4 not scored, none settled: the unscored are known alive only to
    # their last purchase (day 0), so the curve is that of the scored ones
    rows = groups(("w", 0, 20, False, 8, 4, 2.0))
    assert survival_curve(rows, DAYS)[-1]["p"] == pytest.approx(0.5)


def traits(key: str, churn_with: float, churn_without: float, n: int = 50) -> list[dict]:
    return [
        {KEY: key, "no_first_week_purchase": True, "not_bought": True, CHURN_SCORED: n,
         CHURN_SUM: churn_with * n},
        {KEY: key, "no_first_week_purchase": False, "not_bought": False, CHURN_SCORED: n,
         CHURN_SUM: churn_without * n},
    ]  # fmt: skip


def test_a_cohorts_driver_says_how_much_more_its_customers_with_a_trait_churn():
    rows = pd.DataFrame(traits("2026-11-09|meta", 0.92, 0.4))
    rows.loc[2] = {KEY: "2026-11-09|meta", "no_first_week_purchase": True, "not_bought": False,
                   CHURN_SCORED: 30, CHURN_SUM: 0.5 * 30}  # fmt: skip
    order = {"2026-11-09|meta": ["not_bought", "no_first_week_purchase"]}
    (first, second) = cohort_churn_drivers(rows, order)["2026-11-09|meta"]
    assert first["trait"] == "not_bought"  # the channel's most important first
    assert second["trait"] == "no_first_week_purchase"
    first = cohort_churn_drivers(rows.iloc[:2])["2026-11-09|meta"][0]
    assert first["churn_ratio"] == 2.3
    assert first["sentence"] == (
        "Customers without a purchase in their first week are predicted to churn 2.3× as often "
        "as the cohort's others (92% vs 40%)"
    )


def test_two_traits_of_the_same_customers_make_one_sentence():
    rows = pd.DataFrame(traits("w", 0.9, 0.3))
    (only,) = cohort_churn_drivers(rows)["w"]
    assert only["trait"] == "no_first_week_purchase"


def test_no_sentence_for_a_small_group_or_a_trait_that_changes_little():
    small = pd.DataFrame(traits("a", 0.9, 0.3, n=10))
    flat = pd.DataFrame(traits("b", 0.5, 0.45))
    drivers = cohort_churn_drivers(pd.concat([small, flat]))
    assert drivers == {"a": [], "b": []}


@pytest.mark.parametrize("seed", range(20))
def test_the_product_limit_estimate_is_lifelines_own(seed):
    """kaplan_meier equals lifelines' weighted KaplanMeierFitter: ties of deaths and
    censorings at the same time, half-day durations, fractional and tiny weights, times before
    the first duration and after the last. The last lifetime goes on (censored, as a cohort's
    oldest customers still buying are): where all those at risk end at once, lifelines' log of
    a difference that rounding made negative keeps the earlier value (see the next test)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    durations = rng.integers(0, 60, n).astype(float) - rng.choice([0.0, 0.5], n)
    durations = np.append(np.maximum(durations, 0.0), 70.0)
    observed = np.append(rng.random(n) < rng.random(), False)
    weights = np.append(rng.random(n) * rng.choice([1e-6, 1.0, 50.0], n), 1.0)
    at = np.asarray([0.0, 0.25, 0.5, 3.5, 17.0, 29.5, 59.5, 80.0])
    fitter = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # weights that are not integers
        fitter.fit(durations, observed, weights=weights)
    expected = fitter.survival_function_at_times(at).to_numpy(dtype=float)
    np.testing.assert_allclose(kaplan_meier(durations, observed, weights, at), expected,
                               rtol=1e-12, atol=1e-12)  # fmt: skip


def test_nobody_survives_once_all_at_risk_have_ended():
    weights = np.asarray([0.3, 0.7, 0.1, 0.2])
    at = np.asarray([0.5, 1.0, 2.0, 5.0])
    survival = kaplan_meier(np.asarray([1.0, 1.0, 2.0, 2.0]), np.ones(4, bool), weights, at)
    np.testing.assert_allclose(survival, [1.0, 1 - 1.0 / 1.3, 0.0, 0.0], rtol=1e-12)


def test_every_cohorts_survival_is_exactly_that_cohort_alone():
    """cohort_survival counts all cohorts at once: each curve is survival_curve's to the bit."""
    rng = np.random.default_rng(7)
    n = 3000
    age = rng.integers(0, 400, n)
    last = np.minimum(rng.integers(0, 400, n), age)
    scored = rng.integers(0, 6, n)
    rows = pd.DataFrame(
        {
            KEY: rng.choice([f"2024-{w:02d}|meta" for w in range(1, 60)], n),
            LAST_DAY: last,
            AGE: age,
            SETTLED: age - last >= 90,
            CUSTOMERS: scored + rng.integers(0, 3, n),
            CHURN_SCORED: scored,
            CHURN_SUM: np.where(scored > 0, scored * rng.random(n), np.nan),
        }
    )
    together = cohort_survival(rows, DAYS)
    alone = {key: survival_curve(rows[rows[KEY] == key], DAYS) for key in rows[KEY].unique()}
    assert together == alone
    assert sum(len(curve) for curve in together.values()) > 59 * 5
