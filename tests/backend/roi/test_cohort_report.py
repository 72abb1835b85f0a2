"""Cohort curves seen on a fixed day: actual revenue while known, projected after, meeting on the
last known day; survival per cohort from analytics.ltv."""

from __future__ import annotations

import pytest

from backend.services.cohort_report import cohort_report
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
