"""How far to trust a prediction, beside it, where a marketer reads it: on Channels every
predicted figure (predicted ROAS with its 80% interval, predicted LTV, LTV:CAC, a payback resting
on predicted revenue, churn) and on the Overview the predicted ROAS carry the stored backtest of
the active model versions, as the API reports it for the same range."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e import formatting
from tests.e2e.test_early_roas import payers_note, prediction_note
from tests.e2e.test_reports import api_json, cell, main_table, range_query

pytestmark = pytest.mark.e2e


def error(accuracy: dict) -> str:
    return f"±{formatting.integer(Decimal(str(accuracy['error_p50'])) * 100)}%"


def interval_note(interval: dict) -> str:
    return f"80% interval {formatting.roas(interval['low'])}–{formatting.roas(interval['high'])}"


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@pytest.fixture
def channels(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/channels?{query}")
    report = api_json(page, f"/api/roi?{query}&group_by=platform")
    expect(main_table(page)).to_be_visible()
    return page, report


def note(page, row_key: str, column: str):
    return cell(page, row_key, column).locator(".trust-note")


def test_every_predicted_figure_of_a_channel_says_how_far_to_trust_it(channels):
    page, report = channels
    judged = [r for r in report["rows"] if r["accuracy"]]
    assert judged, "the demo's model has no backtest at the range's age"
    churn = report["churn_accuracy"]
    assert churn and churn["auc"] is not None
    for row in report["rows"]:
        key = row["key"]
        if row["predicted_roas_interval"]:
            expect(note(page, key, "Predicted ROAS")).to_have_text(
                interval_note(row["predicted_roas_interval"])
            )
        if row["accuracy"] and row["predicted_ltv"] is not None:
            expect(note(page, key, "Predicted LTV")).to_have_text(
                f"{error(row['accuracy'])} backtested"
            )
        if row["payback_accuracy"] and row["payback_days"] is not None:
            expect(note(page, key, "Payback")).to_have_text(
                f"predicted, {error(row['payback_accuracy'])}"
            )
        else:
            expect(note(page, key, "Payback")).to_have_count(0)
        if row["churn_rate"] is not None:
            expect(note(page, key, "Churn")).to_have_text(
                formatting.churn_note(churn, churn.get("at_age"))
            )
    totals = main_table(page).locator(".table-totals")
    if report["totals"]["predicted_roas_interval"]:
        predicted = totals.locator("td").nth(
            [t.strip() for t in main_table(page).locator("th").all_inner_texts()].index(
                "Predicted ROAS"
            )
        )
        expect(predicted.locator(".trust-note")).to_have_text(
            interval_note(report["totals"]["predicted_roas_interval"])
        )


def test_the_backtest_sentence_names_the_horizon_and_the_customers_age(channels):
    page, report = channels
    row = next(r for r in report["rows"] if r["accuracy"] and r["predicted_roas_interval"])
    accuracy = row["accuracy"]
    note(page, row["key"], "Predicted ROAS").hover()
    expect(page.get_by_role("tooltip")).to_contain_text(
        f"D{accuracy['horizon_days']} ROAS predicted at age {days(report['age_days'])}: "
        f"backtested error {error(accuracy)}"
    )


def test_the_figures_of_trust_are_the_active_versions_stored_backtest(channels, demo_stack):
    """Nothing invented: the accuracy is the active LTV version's stored backtest at the range's
    age bucket, and the churn figures are the active churn version's."""
    from sqlalchemy import text

    from backend.extensions import db

    _, report = channels
    with demo_stack.app.app_context():
        active = "SELECT kind, metrics FROM model_versions WHERE is_active AND status = 'ready'"
        versions = dict(db.session.execute(text(active)).all())
        db.session.remove()
    for row in report["rows"]:
        accuracy = row["accuracy"]
        if not accuracy:
            continue
        stored = versions["ltv"]["backtest"]["by_age"][str(accuracy["horizon_days"])]
        judged = stored[accuracy["age_bucket"]]
        assert accuracy["error_p50"] == pytest.approx(judged["cohort_abs_error_p50"], abs=1e-4)
        assert accuracy["error_p80"] == pytest.approx(judged["cohort_abs_error_p80"], abs=1e-4)
    assert report["churn_accuracy"]["auc"] == pytest.approx(versions["churn"]["auc"], abs=1e-4)


def test_the_overviews_one_predicted_roas_carries_its_horizon_source_and_error(page_as, demo_stack):
    """The Overview shows the one predicted ROAS of /api/overview (the ROI report's totals'
    `prediction`), labelled as on Cohorts; the LTV model's with its 80% interval, and the
    range's young customers' expected payers, never an early ROAS card beside it."""
    query = range_query(demo_stack)
    page = page_as("marketer", f"/?{query}")
    current = api_json(page, f"/api/overview?{query}")["current"]
    shown = current["prediction"]
    card = page.get_by_test_id("kpi-Predicted ROAS")
    expect(card.locator(".kpi-value")).to_have_text(formatting.roas(shown["roas"]))
    notes = card.locator(".trust-note")
    expect(notes.first).to_have_text(prediction_note(shown))
    if shown["source"] == "ltv":
        assert shown["interval"] and current["accuracy"], "the demo's model has no backtest there"
        expect(notes.nth(1)).to_have_text(interval_note(shown["interval"]))
        if shown["age_bucket"] == current["accuracy"]["age_bucket"]:
            notes.nth(1).hover()
            expect(page.get_by_role("tooltip")).to_contain_text(
                f"ROAS predicted at age {days(current['age_days'])}: "
                f"backtested error {error(current['accuracy'])}"
            )
    expect(page.get_by_test_id("kpi-Early ROAS")).to_have_count(0)
    payers = page.get_by_test_id("kpi-Expected payers")
    if current["early"] and current["early"]["expected_payers_30"] is not None:
        expect(payers.locator(".trust-note")).to_have_text(payers_note(current["early"]))
    else:
        expect(payers).to_have_count(0)
