"""Early predicted ROAS on the pages, as a marketer reads it (issue 20's done check): the demo's
campaign launched a few days ago has no revenue history, and its cohorts show expected payers
and one predicted ROAS — the LTV model's 365-day figure or early signals' 30-day one, whichever
the stored backtests found the closer at that age — labelled with its horizon, source and
backtested error, on the Cohorts page (day cohorts) and on the Channels page (by campaign).
Every expectation comes from the API's answer for the same range (asked with the page's
session)."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from connectors.sandbox.generator import World
from tests.e2e import formatting
from tests.e2e.test_reports import api_json, cell, column_index, range_query

pytestmark = pytest.mark.e2e


def launched_campaign() -> str:
    """The name of the sandbox's campaign launched a few days ago."""
    world = World()
    for account in world.demo_accounts:
        if account.launched_days_ago is not None:
            return world.campaigns(account)[-1].name
    raise AssertionError("the demo world launched no campaign in the last days")


def _first_purchase_versions(stack) -> list[tuple]:
    from sqlalchemy import text

    from backend.extensions import db

    with stack.app.app_context():
        rows = db.session.execute(
            text(
                "SELECT id, status, is_active, params->>'scored_as_of' FROM model_versions "
                "WHERE kind = 'first_purchase' ORDER BY id"
            )
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _wait_for_first_purchase_trainings(stack, timeout: float = 300) -> None:
    """Other e2e tests train LTV versions, after which the worker trains a first-purchase
    version: wait until none is in training before the page is opened, so that the page and
    the API's answer read the same active version (a CI run saw the page's 48.0% beside the
    API's 52.2% when one was activated in between)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(status == "training" for _, status, *_ in _first_purchase_versions(stack)):
            return
        time.sleep(1)


def _active_first_purchase(stack) -> tuple | None:
    return next((row for row in _first_purchase_versions(stack) if row[2]), None)


def settled(stack, load):
    """`load()` (open the page, read the API's answer) while the active first-purchase version
    stays the same from before to after: a version the worker activated in between (other e2e
    tests train models, and a first-purchase training follows each LTV one) makes it load
    again, so the page and the answer it is compared with read one version."""
    for _ in range(5):
        _wait_for_first_purchase_trainings(stack)
        before = _active_first_purchase(stack)
        answer = load()
        if _active_first_purchase(stack) == before:
            return answer
    raise AssertionError(f"the active first-purchase version kept changing: {before}")


def percent(value: float) -> Decimal:
    """A whole percent rounded half away from zero, as the page's Intl formatting rounds
    (Python's round() halves to even: an error of 52.5% read 52 beside the page's 53)."""
    return Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)


def prediction_note(prediction: dict) -> str:
    """The note under the one predicted ROAS (frontend/src/lib/prediction.ts)."""
    source = "early signals" if prediction["source"] == "early" else "LTV model"
    at = f" at {prediction['age_bucket']}" if prediction["age_bucket"] else ""
    error = prediction["error_pct"]
    judged = (
        ", not backtested at this age"
        if error is None
        else f" · typical error ±{percent(error)}% (median, backtested{at})"
    )
    return f"{prediction['horizon_days']}d · {source}{judged}"


def check_the_choice(prediction: dict, ltv_roas: float | None, early: dict) -> None:
    """The figure is the chosen model's, chosen by the smaller stored backtest error on 30-day
    revenue at that age (the LTV one unknown: early signals)."""
    compared = prediction["compared"]
    assert compared and compared["horizon_days"] == 30, prediction
    early_error, ltv_error = compared["early_error_pct"], compared["ltv_error_pct"]
    if prediction["source"] == "early":
        assert prediction["roas"] == early["predicted_roas"] and prediction["horizon_days"] == 30
        assert early_error is not None and (ltv_error is None or early_error < ltv_error)
    else:
        assert prediction["roas"] == ltv_roas and prediction["horizon_days"] == 365
        assert early_error is None or (ltv_error is not None and ltv_error <= early_error)


def payers_note(early: dict) -> str:
    """Expected payers' note: of how many customers, and their own error at that age."""
    accuracy = early["accuracy"]
    error = f"{accuracy['age_bucket']} ±{percent(accuracy['expected_payers_err_pct'])}% backtested"
    return f"of {formatting.integer(early['customers'])} · {error}"


def test_young_day_cohorts_show_an_early_predicted_roas_with_its_backtested_error(
    page_as, demo_stack
):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/cohorts?{query}")

    def load():
        page.goto(f"/cohorts?{query}&cohort=day")
        page.locator(".data-table").first.wait_for()
        return api_json(page, f"/api/cohorts?{query}&cohort=day")

    report = settled(demo_stack, load)
    early = [c for c in report["cohorts"] if c["early"] and c["early"]["predicted_roas"]]
    young = [
        (c["cohort"], c["platform"], c["customers"], c["early"])
        for c in report["cohorts"]
        if c["age_days"] < 7
    ]
    assert early, (
        "no young cohort has an early predicted ROAS; young cohorts: "
        f"{young}; model: {report['first_purchase_model']}; "
        f"first-purchase versions: {_first_purchase_versions(demo_stack)}"
    )
    assert report["first_purchase_model"]["horizon_days"] == 30
    for cohort in early[-3:]:
        key = f"{cohort['cohort']}|{cohort['platform']}"
        prediction = cohort["prediction"]
        check_the_choice(prediction, cohort["roas_predicted"], cohort["early"])
        figure = cell(page, key, "Predicted ROAS")
        expect(figure.locator(".num")).to_have_text(formatting.roas(prediction["roas"]))
        expect(figure.locator(".trust-note")).to_have_text(prediction_note(prediction))
        payers = cell(page, key, "Expected payers").locator(".trust-note")
        expect(payers).to_have_text(payers_note(cohort["early"]))
    # one predicted ROAS per cohort: no second, early one beside it
    header = page.locator(".data-table").first.locator(".ant-table-thead")
    expect(header).not_to_contain_text("Early ROAS")
    # cohorts with revenue history keep the LTV prediction alone
    old = next(c for c in report["cohorts"] if c["age_days"] > 10 and c["customers"])
    assert old["early"] is None
    assert old["prediction"]["source"] == "ltv" and old["prediction"]["compared"] is None


def test_the_launched_campaign_shows_its_early_predicted_roas_on_channels(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/channels?{query}")
    report = api_json(page, f"/api/roi?{query}&group_by=campaign")
    (row,) = [r for r in report["rows"] if r["label"] == launched_campaign()]
    scope = f"platform={row['platform']}&account_id={row['account_id']}"

    def load():
        page.goto(f"/channels?{query}&level=campaign&{scope}")
        page.locator(".data-table").first.wait_for()
        # the answer of the page's own request (its range, level and filters)
        return api_json(page, f"/api/roi?{query}&group_by=campaign&{scope}")

    scoped = settled(demo_stack, load)
    (row,) = [r for r in scoped["rows"] if r["label"] == launched_campaign()]
    early = row["early"]
    assert early["customers"] > 0 and early["predicted_roas"] is not None, early
    assert row["revenue"] is not None
    # the campaign's customers are all young: both models predict it, one is shown
    assert early["customers"] == row["customers"], (early, row["customers"])
    prediction = row["prediction"]
    check_the_choice(prediction, row["predicted_roas"], early)
    figure = cell(page, row["key"], "Predicted ROAS")
    expect(figure.locator(".num")).to_have_text(formatting.roas(prediction["roas"]))
    expect(figure.locator(".trust-note")).to_have_text(prediction_note(prediction))
    expect(cell(page, row["key"], "Expected payers").locator(".trust-note")).to_have_text(
        payers_note(early)
    )
    # the totals row: the account's one predicted ROAS, as the API's totals give it
    total_row = page.locator(".data-table").first.locator(".table-totals")
    total = total_row.locator("td").nth(column_index(page, "Predicted ROAS"))
    shown = scoped["totals"]["prediction"]
    expect(total.locator(".num")).to_have_text(formatting.roas(shown["roas"]))


def test_the_model_versions_page_lists_the_first_purchase_version_with_its_backtest(
    page_as, demo_stack
):
    page = page_as("admin", "/admin/models")
    versions = page.request.get("/api/models?kind=first_purchase").json()
    (active,) = [v for v in versions if v["is_active"]]
    row = page.get_by_test_id("model-versions").locator(f"tr[data-row-key='{active['id']}']")
    expect(row).to_contain_text("FIRST PURCHASE")
    expect(row.get_by_test_id(f"version-state-{active['id']}")).to_have_text("active")
    headline = row.get_by_test_id(f"version-headline-{active['id']}")
    for age in ("D1", "D3"):
        judged = active["metrics"]["by_age"][age]
        expect(headline).to_contain_text(f"{age}: AUC {judged['auc_30']:.2f}")
        payers = judged["expected_payers_err_p50_pct_30"]
        expect(headline).to_contain_text(f"payers ±{payers:.1f}% (median)")
