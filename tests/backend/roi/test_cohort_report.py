"""Cohort curves seen on a fixed day: actual revenue while known, projected after, meeting on the
last known day; survival per cohort from analytics.ltv."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.services.roi.cohorts import cohort_report
from tests.backend.roi.conftest import AS_OF, JAN1, JAN10


def google_month(world) -> dict:
    (google,) = cohort_report(JAN1, JAN10, "month", "google_ads", as_of=AS_OF)["cohorts"]
    return google


def test_curves_switch_from_actual_to_projected_where_the_data_ends(world):
    curve = google_month(world)["curve"]
    known = [p for p in curve if p["revenue"] is not None]
    projected = [p for p in curve if p["predicted"] is not None]
    # c3 has lived 58 days on 2024-03-01: known through the 30-day checkpoint, projected after
    assert known[-1]["day"] == projected[0]["day"] == 30
    assert known[-1]["revenue"] == projected[0]["predicted"] == 100.0
    # 100 + P(364) - P(29) = 100 + 400 - 100
    assert projected[-1]["day"] == 365 and projected[-1]["predicted"] == 400.0


def test_payback_and_ratios_of_a_cohort(world):
    google = google_month(world)
    assert google["spend"] == 220.0 and google["customers"] == 1
    assert google["payback_days"] == 117  # as in the ROI report: same cohort, same curve
    assert google["roas_predicted"] == pytest.approx(400 / 220, abs=1e-4)


def test_survival_of_an_active_customer_stays_one_while_followed(world):
    survival = google_month(world)["survival"]
    assert survival[0] == {"day": 0, "p": 1.0}
    assert all(point["p"] == 1.0 for point in survival)
    assert survival[-1]["day"] <= 58  # unknown after the follow-up: left out


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
    }
    predicted = google["roas_predicted"]
    assert google["roas_predicted_interval"] == {
        "low": pytest.approx(max(predicted * 0.75, google["roas_actual"]), abs=1e-4),
        "high": pytest.approx(predicted * 1.25, abs=1e-4),
    }


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
                "drivers": {"google_ads": [driver], "meta": []},
            },
            source="spendlens",
        )
    )
    db.session.commit()
    report = cohort_report(JAN1, JAN10, "month", "google_ads", as_of=AS_OF)
    assert report["churn_accuracy"] == {
        "horizon_days": 90,
        "auc": 0.81,
        "pr_auc": 0.9,
        "brier": 0.15,
        "model": "hgb",
    }
    assert report["churn_drivers"] == {"google_ads": [driver]}
    everyone = cohort_report(JAN1, JAN10, "month", as_of=AS_OF)
    assert set(everyone["churn_drivers"]) == {"google_ads", "meta"}
