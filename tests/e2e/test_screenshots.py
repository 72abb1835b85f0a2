"""Screenshots of the main pages on the demo data at 1440×900, taken and checked on every run
under var/test/screenshots/; `make screenshots` writes them to docs/screenshots/ instead (they are
committed and shown in the README).

The demo seed sets this month's budgets (one on track, one heading for overspend); this module
lets the worker evaluate them, so that budgets and alerts have something to show.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, run_task

pytestmark = pytest.mark.e2e

#: A page's charts are drawn when two looks at their canvases, this far apart, agree.
CHART_SETTLED_POLL_MS = 400
CHARTS_SETTLED = """() => {
    const canvases = [...document.querySelectorAll("canvas")];
    const look = canvases.map((c) => c.toDataURL()).join("|");
    const settled = canvases.length > 0 && window.__e2eLastLook === look;
    window.__e2eLastLook = look;
    return settled;
}"""


@pytest.fixture(scope="module")
def demo_budgets(demo_stack):
    """The seeded budgets, evaluated by the worker (their alerts raised)."""
    run_task(demo_stack.app, "workers.tasks.alerts.evaluate_budgets")


def settle_charts(page) -> None:
    page.wait_for_function(CHARTS_SETTLED, polling=CHART_SETTLED_POLL_MS)


def shoot(page, name: str) -> None:
    expect(page.get_by_test_id("loading-state")).to_have_count(0)
    expect(page.locator(".ant-skeleton")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, animations="disabled", caret="hide")
    assert path.stat().st_size > 10_000


def test_screenshot_login(new_page, demo_stack):
    page = new_page()
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shoot(page, "login")


def test_screenshot_overview(page_as, demo_budgets):
    page = page_as("marketer", "/overview")
    expect(page.get_by_test_id("kpi-Predicted ROAS").locator(".kpi-value")).not_to_have_text("—")
    expect(page.get_by_text("Data freshness")).to_be_visible()
    settle_charts(page)
    shoot(page, "overview")


def test_screenshot_channels(page_as, demo_budgets):
    page = page_as("marketer", "/channels")
    for platform in ("meta", "google_ads", "apple_search_ads"):
        expect(page.locator(f'tr[data-row-key="{platform}"]')).to_be_visible()
    settle_charts(page)
    shoot(page, "channels")


def test_screenshot_cohorts(page_as, demo_budgets):
    page = page_as("marketer", "/cohorts")
    expect(page.get_by_text("Predictions in use")).to_be_visible()
    settle_charts(page)
    shoot(page, "cohorts")


def test_screenshot_traffic(page_as, demo_budgets):
    page = page_as("marketer", "/traffic")
    expect(page.get_by_test_id("traffic-summary")).to_be_visible()
    shoot(page, "traffic")


def test_screenshot_budgets(page_as, demo_budgets):
    page = page_as("finance", "/budgets")
    expect(page.locator(".budget-card")).to_have_count(len(page.request.get("/api/budgets").json()))
    shoot(page, "budgets")


def test_screenshot_alerts(page_as, demo_budgets):
    page = page_as("finance", "/alerts")
    expect(page.locator(".ant-table-tbody tr.ant-table-row").first).to_be_visible()
    shoot(page, "alerts")


def test_screenshot_admin_accounts(page_as, demo_budgets):
    page = page_as("admin", "/admin/accounts")
    accounts = page.request.get("/api/ad-accounts").json()
    expect(page.locator(".ant-table-tbody tr.ant-table-row")).to_have_count(len(accounts))
    expect(page.get_by_text("checking…")).to_have_count(0)  # the sync health has answered
    shoot(page, "admin-accounts")
