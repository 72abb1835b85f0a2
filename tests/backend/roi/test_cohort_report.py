"""Cohort curves seen on a fixed day: actual revenue while known, projected after, meeting on the
last known day; survival and churn drivers per cohort (analytics.cohort_churn) with the churn the
table shows."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.services.roi.cohorts import cohort_report
from tests.backend.roi.conftest import AS_OF, JAN1, JAN10, add_customer, pay, score


def google_month(world) -> dict:
    (google,) = cohort_report(JAN1, JAN10, "month", "google_ads", as_of=AS_OF)["cohorts"]
    return google


def test_curves_switch_from_actual_to_projected_where_the_data_ends(world):
    curve = google_month(world)["curve"]
    known = [p for p in curve if p["revenue"] is not None]
    projected = [p for p in curve if p["predicted"] is not None]
    # c3 has lived 58 days on 2024-03-01 (in the interval of days 30-59): its own revenue is
    # known through that interval, where it is the revenue to date; the projection adds its
    # predicted remainder from that interval's start on
    assert known[-1]["day"] == 60 and known[-1]["revenue"] == 100.0
    assert projected[0]["day"] == 30 and projected[0]["predicted"] == 100.0
    assert next(p for p in curve if p["day"] == 30)["revenue"] == 100.0  # the lines meet
    # day 365: the predicted 365-day revenue
    assert projected[-1]["day"] == 365 and projected[-1]["predicted"] == 400.0


def test_payback_and_ratios_of_a_cohort(world):
    google = google_month(world)
    assert google["spend"] == 220.0 and google["customers"] == 1
    # paid back where the projected curve reaches the spend, after the cohort's age
    points = [(p["day"], p["predicted"]) for p in google["curve"] if p["predicted"] is not None]
    before = max(d for d, v in points if v < 220.0)
    after = min(d for d, v in points if v >= 220.0)
    assert before < google["payback_days"] + 1 <= after
    assert google["payback_days"] > google["age_days"]
    assert google["roas_predicted"] == pytest.approx(400 / 220, abs=1e-4)
    from backend.services.roi.report import RoiRequest, roi_report

    rows = roi_report(RoiRequest(JAN1, JAN10, group_by="platform"), as_of=AS_OF)["rows"]
    channel = next(r for r in rows if r["key"] == "google_ads")
    assert channel["payback_days"] == google["payback_days"]  # same customer, same curve


def test_survival_of_a_young_cohort_ends_at_one_minus_its_predicted_churn(world):
    google = google_month(world)
    survival = google["survival"]
    # c3 bought on day 0 only and is 58 days old: not inactive for 90 days yet, so it counts
    # as churned on day 0 with its churn probability (0.5)
    assert survival[0] == {"day": 0, "p": 1.0, "observed": False}
    assert survival[1] == {"day": 1, "p": 0.5, "observed": False}
    assert survival[-1] == {"day": 58, "p": 0.5, "observed": False}  # known to its age only
    assert survival[-1]["p"] == pytest.approx(1 - google["churn_rate"])


def test_survival_of_every_cohort_meets_the_churn_of_the_table(world):
    report = cohort_report(JAN1, JAN10, "month", as_of=AS_OF)
    for cohort in report["cohorts"]:
        assert cohort["survival"][-1]["p"] == pytest.approx(1 - cohort["churn_rate"], abs=1e-4)


def test_survival_after_ninety_days_without_a_purchase_is_observed_churn(world):
    later = dt.date(2024, 6, 1)  # every customer acquired in January has been quiet 90+ days
    report = cohort_report(JAN1, JAN10, "month", "meta", as_of=later)
    (meta,) = report["cohorts"]
    survival = {p["day"]: p for p in meta["survival"]}
    # c5 never bought and c2 bought on day 0 only: churned on day 0; c1 last bought on day 18
    assert survival[1]["p"] == pytest.approx(1 / 3, abs=1e-4)
    assert survival[14]["p"] == pytest.approx(1 / 3, abs=1e-4)
    assert survival[21]["p"] == 0.0
    youngest = (later - dt.date(2024, 1, 5)).days
    assert all(p["observed"] == (p["day"] <= youngest - 90) for p in meta["survival"])


def _february_week(world, db) -> None:
    """A Meta week of 30 customers who bought on day 0 (churn 0.3) and 30 who never bought
    (churn 0.9)."""
    day = dt.date(2024, 2, 5)
    for i in range(60):
        customer = add_customer(db, f"f{i}", day, "meta", world["meta"].id, world["m1"])
        if i < 30:
            pay(db, customer, day, "5")
        score(db, world["model"], customer, ("5", "6", "7"), 0.3 if i < 30 else 0.9)
    db.session.commit()


def test_each_cohort_carries_its_churn_drivers_in_a_sentence(world, db):
    _february_week(world, db)
    report = cohort_report(dt.date(2024, 2, 5), dt.date(2024, 2, 11), "week", "meta", as_of=AS_OF)
    (week,) = report["cohorts"]
    # the customers who never bought are those without a purchase in their first week: one
    # sentence for the one group
    (driver,) = week["churn_drivers"]
    assert driver["trait"] == "no_first_week_purchase"
    assert driver["churn_ratio"] == 3.0
    assert driver["churn_rate_with"] == 0.9 and driver["churn_rate_without"] == 0.3
    assert driver["customers_with"] == 30
    assert driver["sentence"] == (
        "Customers without a purchase in their first week are predicted to churn 3.0× as often "
        "as the cohort's others (90% vs 30%)"
    )


def test_a_cohort_too_small_to_tell_has_no_churn_drivers(world):
    assert google_month(world)["churn_drivers"] == []


def test_without_a_model_the_cohort_report_has_no_model(world, db):
    world["model"].is_active = False
    db.session.commit()
    report = cohort_report(JAN1, JAN10, "day", as_of=AS_OF)
    assert report["model"] is None
    assert all(c["roas_predicted"] is None for c in report["cohorts"])
    assert {c["cohort"] for c in report["cohorts"]} == {f"2024-01-{d:02d}" for d in range(1, 11)}


BACKTEST_AT_D90 = {
    "cohort_abs_error_p50": 0.1,
    "cohort_abs_error_p80": 0.25,
    "total_error": -0.05,
    "normalized_gini": 0.6,
    "cohorts": 12,
    "customers": 300,
}


def _with_backtest(world, db) -> None:
    world["model"].metrics = {
        **world["model"].metrics,
        "backtest": {"by_age": {"365": {"D90": BACKTEST_AT_D90}}},
    }
    db.session.commit()


def test_a_predicted_roas_carries_the_backtested_error_at_the_cohorts_age(world, db):
    _with_backtest(world, db)
    google = google_month(world)
    assert google["age_days"] == 60 - 15  # 2024-03-01 is 60 days after the middle of January
    assert google["accuracy"] == {
        "horizon_days": 365,
        "age_bucket": "D90",
        "error_p50": 0.1,
        "error_p80": 0.25,
        "bias": -0.05,
        "normalized_gini": 0.6,
        "cohorts": 12,
        "customers": 300,
        "cohort_customers": None,
        "sized": None,  # a version without a size model: the backtest's own cohorts' p80
    }
    predicted = google["roas_predicted"]
    assert google["roas_predicted_interval"] == {
        "low": pytest.approx(max(predicted * 0.75, google["roas_actual"]), abs=1e-4),
        "high": pytest.approx(predicted * 1.25, abs=1e-4),
    }


def test_the_model_card_gives_the_backtest_by_age_at_its_report_origin(world, db):
    """The page's model card: the LTV version's windows and, per cohort age, the error of the
    longest horizon judged at that age with the report origin it was judged at; the selection
    origin's figures never show."""
    world["model"].training_start = dt.date(2023, 1, 1)
    world["model"].params = {"scored_as_of": "2024-02-29"}
    world["model"].metrics = {
        "backtest": {
            "horizons": {"90": {"origin": "2023-12-01"}, "365": {"origin": "2023-03-01"}},
            "selection": {"365": {"origin": "2022-03-01", "cohort_abs_error_p50": 0.01}},
            "by_age": {
                "365": {"D90": BACKTEST_AT_D90},
                "90": {"D1": {**BACKTEST_AT_D90, "cohort_abs_error_p50": 0.3}},
            },
        }
    }
    db.session.commit()
    model = cohort_report(JAN1, JAN10, "day", as_of=AS_OF)["model"]
    assert (model["training_start"], model["scored_as_of"]) == (
        dt.date(2023, 1, 1),
        dt.date(2024, 2, 29),
    )
    assert model["horizon_days"] == 365
    assert [
        (a["age_bucket"], a["horizon_days"], a["error_p50"], a["origin"]) for a in model["by_age"]
    ] == [("D1", 90, 0.3, dt.date(2023, 12, 1)), ("D90", 365, 0.1, dt.date(2023, 3, 1))]


def test_the_api_answers_the_model_card(world, db, marketer, monkeypatch):
    from backend.services.roi import report

    monkeypatch.setattr(report, "today", lambda: AS_OF)
    world["model"].training_start = dt.date(2023, 1, 1)
    world["model"].params = {"scored_as_of": "2024-02-29"}
    world["model"].metrics = {
        "backtest": {
            "horizons": {"365": {"origin": "2023-03-01"}},
            "by_age": {"365": {"D90": BACKTEST_AT_D90}},
        }
    }
    db.session.commit()
    answer = marketer.get("/api/cohorts", query_string={"start": JAN1, "end": JAN10})
    assert answer.status_code == 200, answer.json
    model = answer.json["model"]
    assert (model["training_start"], model["scored_as_of"]) == ("2023-01-01", "2024-02-29")
    assert model["horizon_days"] == 365
    (d90,) = model["by_age"]
    assert (d90["age_bucket"], d90["error_p50"], d90["error_p80"], d90["origin"]) == (
        "D90",
        0.1,
        0.25,
        "2023-03-01",
    )


SIZE_MODEL = {
    "center": 0.9,
    "between": 0.0,
    "within": 4.0,
    "center_var": 0.001,
    "cohorts": 12,
    "ladder": [
        {"customers": 10, "low": 0.2, "high": 2.0, "error_p50": 0.6, "error_p80": 1.5},
        {"customers": 30, "low": 0.5, "high": 1.5, "error_p50": 0.3, "error_p80": 0.6},
        {"customers": 100, "low": 0.7, "high": 1.2, "error_p50": 0.15, "error_p80": 0.3},
        {"customers": 300, "low": 0.8, "high": 1.1, "error_p50": 0.1, "error_p80": 0.2},
        {"customers": 1000, "low": 0.85, "high": 1.0, "error_p50": 0.1, "error_p80": 0.15},
    ],
}


def test_a_predicted_roas_interval_is_that_of_a_cohort_of_its_size(world, db):
    """The band of actual ÷ predicted the backtest measured for cohorts of the row's customers
    (the smallest size's below it), not the day cohorts' error applied to any cohort."""
    world["model"].metrics = {
        "backtest": {"by_age": {"365": {"D90": {**BACKTEST_AT_D90, "size_model": SIZE_MODEL}}}}
    }
    db.session.commit()
    google = google_month(world)
    assert google["customers"] < 10
    assert google["accuracy"]["sized"] == {
        "customers": google["customers"],
        "error_p50": 0.6,
        "error_p80": 1.5,
        "low_ratio": 0.2,
        "high_ratio": 2.0,
    }
    predicted = google["roas_predicted"]
    assert google["roas_predicted_interval"] == {
        "low": pytest.approx(max(predicted * 0.2, google["roas_actual"]), abs=1e-4),
        "high": pytest.approx(predicted * 2.0, abs=1e-4),
    }
    from backend.services.predictions.accuracy import accuracy_at

    # a week of 100 customers, and 173 (between 100 and 300: linear in log(size))
    metrics = world["model"].metrics
    assert accuracy_at(metrics, 365, 45, customers=100)["sized"]["high_ratio"] == 1.2
    between = accuracy_at(metrics, 365, 45, customers=173)["sized"]["high_ratio"]
    assert between == pytest.approx(1.15, abs=0.002)


def test_a_horizon_the_history_could_not_judge_takes_the_longest_shorter_one(world, db):
    world["model"].metrics = {"backtest": {"by_age": {"90": {"D90": BACKTEST_AT_D90}}}}
    db.session.commit()
    google = google_month(world)
    assert google["accuracy"]["horizon_days"] == 90
    assert google["accuracy"]["error_p80"] == 0.25


def test_a_cohort_of_an_age_the_backtest_did_not_judge_has_no_accuracy(world, db):
    _with_backtest(world, db)
    seen_early = dt.date(2024, 1, 20)  # the January cohort is then 4 days old: D7, not judged
    (google,) = cohort_report(JAN1, JAN10, "month", "google_ads", as_of=seen_early)["cohorts"]
    assert google["age_days"] == 4
    assert google["accuracy"] is None and google["roas_predicted_interval"] is None


def test_the_roi_report_carries_the_accuracy_at_the_ranges_age(world, db):
    from backend.services.roi.report import RoiRequest, roi_report

    _with_backtest(world, db)
    report = roi_report(RoiRequest(JAN1, JAN10, horizon=365), as_of=AS_OF)
    for row in [*report["rows"], report["totals"]]:
        assert row["accuracy"]["age_bucket"] == "D90"
        if row["predicted_roas"] is not None:
            assert row["predicted_roas_interval"]["high"] == pytest.approx(
                row["predicted_roas"] * 1.25, abs=1e-4
            )
    report = roi_report(RoiRequest(JAN1, JAN10, horizon=30), as_of=AS_OF)
    assert report["totals"]["accuracy"] is None  # no backtest at 30 days in this version
    # LTV:CAC is on its own (365-day) horizon: judged even when the table's horizon is not
    assert report["totals"]["ltv_cac_accuracy"]["error_p50"] == 0.1


def test_a_predicted_payback_carries_the_accuracy_of_the_revenue_it_rests_on(world, db):
    from backend.services.roi.report import RoiRequest, roi_report

    world["model"].metrics = {
        "backtest": {"by_age": {"90": {"D90": BACKTEST_AT_D90}, "365": {"D90": {
            **BACKTEST_AT_D90, "cohort_abs_error_p50": 0.3, "cohort_abs_error_p80": 0.5}}}}
    }  # fmt: skip
    db.session.commit()
    rows = roi_report(RoiRequest(JAN1, JAN10, group_by="platform"), as_of=AS_OF)["rows"]
    google = next(r for r in rows if r["key"] == "google_ads")
    # paid back after day 90, later than its customers' age (55 days): predicted revenue
    # through the payback day, judged at the longest horizon up to it (90 days)
    assert 90 < google["payback_days"] < 365
    assert google["payback_accuracy"]["horizon_days"] == 90
    assert google["payback_accuracy"]["error_p50"] == 0.1
    assert google["accuracy"]["error_p50"] == 0.3  # the 365-day figures: their own backtest
    cohort = google_month(world)
    assert cohort["payback_accuracy"]["horizon_days"] == 90


def test_a_payback_already_reached_needs_no_accuracy(world, db):
    from backend.services.predictions.accuracy import payback_accuracy

    metrics = {"backtest": {"by_age": {"365": {"D90": BACKTEST_AT_D90}}}}
    assert payback_accuracy(metrics, 20, 365, 45) is None
    assert payback_accuracy(metrics, None, 365, 45)["horizon_days"] == 365  # not within 365


def test_the_overview_carries_the_accuracy_of_its_predicted_roas(world, db):
    from backend.services.roi.overview import overview

    _with_backtest(world, db)
    current = overview(JAN1, JAN10, as_of=AS_OF)["current"]
    assert current["age_days"] == 56  # 2024-03-01 - 2024-01-05, the middle of the range
    assert current["accuracy"]["error_p50"] == 0.1
    assert current["predicted_roas_interval"]["high"] == pytest.approx(
        current["predicted_roas"] * 1.25, abs=1e-4
    )


CHURN_AT_D90 = {"auc": 0.77, "pr_auc": 0.8, "brier": 0.18, "churn_rate": 0.6,
                "predicted_rate": 0.63, "customers": 250}  # fmt: skip
CHURN_AT_D7 = {"auc": None, "pr_auc": None, "brier": 0.2, "churn_rate": 1.0,
               "predicted_rate": 0.9, "customers": 30}  # fmt: skip


def _churn_figures(bucket: str, stored: dict) -> dict:
    """What the API shows of a stored churn backtest at one cohort age."""
    return {
        "age_bucket": bucket,
        "auc": stored["auc"],
        "pr_auc": stored["pr_auc"],
        "brier": stored["brier"],
        "predicted_rate": stored["predicted_rate"],
        "observed_rate": stored["churn_rate"],
        "customers": stored["customers"],
    }


def test_the_cohorts_carry_the_churn_models_backtest_and_drivers(world, db):
    from backend.models import ModelVersion

    driver = {
        "trait": "no_first_week_purchase",
        "feature": "first_purchase_age",
        "importance": 0.04,
        "churn_ratio": 2.3,
        "churn_rate_with": 0.69,
        "churn_rate_without": 0.3,
        "customers_with": 400,
        "sentence": "Customers from google_ads without a purchase in their first week churn "
        "2.3x as often as the others",
    }
    db.session.add(
        ModelVersion(
            kind="churn",
            algorithm="hgb",
            status="ready",
            is_active=True,
            params={},
            metrics={
                "horizon_days": 90,
                "auc": 0.81,
                "pr_auc": 0.9,
                "brier": 0.15,
                "chosen": "hgb",
                "drivers": {"google_ads": [driver, {**driver, "churn_ratio": 1.04}], "meta": []},
                "reliability": [
                    {"low": 0.1, "high": 0.2, "customers": 100, "predicted": 0.15, "observed": 0.2},
                    {"low": 0.8, "high": 0.9, "customers": 300, "predicted": 0.85, "observed": 0.8},
                ],
                "by_age": {"D90": CHURN_AT_D90, "D7": CHURN_AT_D7},
            },
            source="spendlens",
        )
    )
    db.session.commit()
    report = cohort_report(JAN1, JAN10, "month", "google_ads", as_of=AS_OF)
    at_d7, at_d90 = _churn_figures("D7", CHURN_AT_D7), _churn_figures("D90", CHURN_AT_D90)
    assert report["churn_accuracy"] == {
        "horizon_days": 90,
        "auc": 0.81,
        "pr_auc": 0.9,
        "brier": 0.15,
        "model": "hgb",
        # calibration in total: (100 x 0.15 + 300 x 0.85) / 400 predicted, 0.65 churned
        "predicted_rate": 0.675,
        "observed_rate": 0.65,
        "customers": 400,
        "by_age": [at_d7, at_d90],  # youngest first
        "at_age": None,
    }
    # the January cohort is 45 days old on 2024-03-01 (from the middle of its month): D90
    assert [c["churn_accuracy"] for c in report["cohorts"]] == [at_d90]
    assert report["churn_drivers"] == {"google_ads": [driver]}  # "1.0x as often" is no driver
    from backend.services.roi.report import RoiRequest, roi_report

    channels = roi_report(RoiRequest(JAN1, JAN10), as_of=AS_OF)["churn_accuracy"]
    # the channels' customers are 56 days old (the middle of the range): D90 too
    assert channels == {**report["churn_accuracy"], "at_age": at_d90}
    everyone = cohort_report(JAN1, JAN10, "month", as_of=AS_OF)
    assert set(everyone["churn_drivers"]) == {"google_ads", "meta"}


def _february_month_of_mixed_ages(world, db, ltv_365: str) -> None:
    """Meta's February (29 spent, 1 a day): f0 acquired Feb 1 (29 days old on AS_OF) paid 1 on
    day 0 and 15 on day 10; nine acquired Feb 24 (6 days old) paid 0.50 each on day 0. Revenue
    to date 20.50: ROAS 71%. Only f0 has lived 7 days, so chaining its days 7-13 to the ten
    customers reached the spend by day 13 (the page showed a payback in the cohort's age beside
    a ROAS to date under 100%)."""
    old = add_customer(db, "f0", dt.date(2024, 2, 1), "meta", world["meta"].id, world["m1"])
    pay(db, old, dt.date(2024, 2, 1), "1")
    pay(db, old, dt.date(2024, 2, 11), "15")
    young = [
        add_customer(db, f"y{i}", dt.date(2024, 2, 24), "meta", world["meta"].id, world["m1"])
        for i in range(9)
    ]
    for customer in young:
        pay(db, customer, dt.date(2024, 2, 24), "0.50")
    for customer in [old, *young]:
        score(db, world["model"], customer, ("1", "2", ltv_365), 0.5)
    db.session.commit()


@pytest.mark.parametrize("ltv_365", ["5", "2"])
def test_a_payback_within_the_cohorts_age_is_one_its_revenue_to_date_reached(world, db, ltv_365):
    _february_month_of_mixed_ages(world, db, ltv_365)
    feb = dt.date(2024, 2, 1)
    (cohort,) = cohort_report(feb, dt.date(2024, 2, 29), "month", "meta", as_of=AS_OF)["cohorts"]
    spend, revenue = cohort["spend"], cohort["roas_actual"] * cohort["spend"]
    assert revenue < spend  # not paid back yet
    assert cohort["payback_days"] is None or cohort["payback_days"] > cohort["age_days"]
    curve = {p["day"]: p for p in cohort["curve"]}
    # the actual line ends on the revenue to date (in the interval of f0's age: days 14-29)
    last_actual = max(d for d, p in curve.items() if p["revenue"] is not None)
    assert curve[last_actual]["revenue"] == pytest.approx(revenue, abs=0.01)
    # day 365: the predicted 365-day revenue (never below the revenue to date)
    expected = max(cohort["roas_predicted"] * spend, revenue)
    assert curve[365]["predicted"] == pytest.approx(expected, abs=0.01)
