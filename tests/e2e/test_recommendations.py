"""The Reallocation page on the demo: the seed's first run (carried out by the worker once the
first LTV model is active) shows each channel's response curve, at least one channel to raise
and one to cut with their reasons, a what-if on the total budget; finance applies it as next
month's budgets and undoes that; marketers see it read-only. A 1440×900 screenshot is written
under var/test/screenshots/."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_screenshots import settle_charts

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "var" / "test" / "screenshots"


@pytest.fixture(scope="module")
def ready_run(demo_stack) -> int:
    """The id of the seed's run once the worker has carried it out."""
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import RecommendationRun

    deadline = time.monotonic() + 600
    with demo_stack.app.app_context():
        while time.monotonic() < deadline:
            run = db.session.scalar(select(RecommendationRun).order_by(RecommendationRun.id))
            if run is not None and run.status in ("ready", "failed"):
                assert run.status == "ready", run.error
                return run.id
            db.session.remove()
            time.sleep(2)
    raise AssertionError("the seed's recommendation run did not finish")


def test_the_page_shows_curves_and_a_channel_to_raise_and_one_to_cut(page_as, ready_run):
    page = page_as("marketer", "/recommendations")
    expect(page.get_by_text(f"Run {ready_run}")).to_be_visible()
    charts = page.get_by_role("img", name="Response curve of")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    table = page.locator(".ant-table-tbody")
    expect(table.locator(".ant-tag", has_text="raise").first).to_be_visible()
    expect(table.locator(".ant-tag", has_text="cut").first).to_be_visible()
    expect(table.get_by_text("is saturated: its last").first).to_be_visible()
    expect(table.get_by_text("has room to grow: its last").first).to_be_visible()
    expect(page.get_by_test_id("backtest")).to_contain_text("Backtest: fitted without the 28 days")
    # read-only for marketers
    expect(page.get_by_role("button", name="Apply as next month's budgets")).to_have_count(0)
    expect(page.get_by_role("button", name="Run now")).to_have_count(0)
    settle_charts(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "recommendations.png"), full_page=False)


def test_the_what_if_moves_the_expected_revenue_with_its_interval(page_as, ready_run):
    page = page_as("finance", "/recommendations")
    interval = page.get_by_test_id("expected-interval")
    expect(interval).to_contain_text("80%")
    before = interval.inner_text()
    amount = page.get_by_label("Total daily budget amount")
    current = float(amount.input_value().replace(",", ""))
    amount.fill(str(round(current * 1.3)))
    amount.press("Tab")
    expect(page.get_by_text("What-if allocation")).to_be_visible()
    expect(interval).not_to_have_text(before)
    page.get_by_role("button", name="Back to").click()
    expect(page.get_by_text("Recommended allocation")).to_be_visible()


def test_finance_applies_it_as_next_months_budgets_and_undoes_it(page_as, ready_run):
    page = page_as("finance", "/recommendations")
    page.get_by_role("button", name="Apply as next month's budgets").click()
    expect(page.get_by_text("Next month's budgets are written")).to_be_visible()
    budgets = page.request.get("/api/budgets").json()
    recommended = [b for b in budgets if b["name"].endswith("(recommended)")]
    assert len(recommended) >= 3
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("The budgets are back as they were")).to_be_visible()
    after = page.request.get("/api/budgets").json()
    assert not [b for b in after if b["name"].endswith("(recommended)")]
    expect(page.get_by_role("button", name="Apply as next month's budgets")).to_be_visible()


def test_the_csv_export_lists_every_item_with_its_reason(page_as, ready_run):
    page = page_as("marketer", "/recommendations")
    answer = page.request.get(f"/api/recommendations/{ready_run}/export.csv")
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    lines = answer.text().strip().splitlines()
    assert lines[0].startswith("Item,") and lines[0].endswith("Reason")
    assert len(lines) >= 4
