"""Screenshots of the main pages on the demo data at 1440×900, taken and checked on every run
under var/test/screenshots/; `make screenshots` writes them to docs/screenshots/ instead (they are
committed and shown in the README).

The demo seed has no budgets, so this module sets a month's budgets the way finance would (as
the API's own pacing suggests: one channel overpacing, the others with room) and lets the
worker evaluate them, so that budgets and alerts have something to show.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, csrf_headers, run_task

pytestmark = pytest.mark.e2e

#: Budget as a share of the month's spend projected from the month so far, per platform.
BUDGET_SHARES = {"meta": Decimal("0.85"), "google_ads": Decimal("1.15"), "apple_search_ads": 1}
#: A page's charts are drawn when two looks at their canvases, this far apart, agree.
CHART_SETTLED_POLL_MS = 400
CHARTS_SETTLED = """() => {
    const canvases = [...document.querySelectorAll("canvas")];
    const look = canvases.map((c) => c.toDataURL()).join("|");
    const settled = canvases.length > 0 && window.__e2eLastLook === look;
    window.__e2eLastLook = look;
    return settled;
}"""


def month_so_far() -> tuple[dt.date, dt.date, int]:
    """First and last complete day of the month of yesterday, and the month's length."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    first = yesterday.replace(day=1)
    return first, yesterday, calendar.monthrange(first.year, first.month)[1]


def nice(amount: Decimal) -> Decimal:
    step = Decimal(1000) if amount >= 10_000 else Decimal(100)
    return max(step, (amount / step).quantize(Decimal(1)) * step)


@pytest.fixture(scope="module")
def demo_budgets(browser, demo_stack):
    """This month's budgets per platform, set by finance through the API, then evaluated."""
    context = browser.new_context(base_url=demo_stack.url)
    page = context.new_page()
    finance = demo_stack.user("finance")
    login = {"email": finance.email, "password": finance.password}
    assert page.request.post("/api/auth/login", data=login).ok
    headers = csrf_headers(page)
    first, last, month_days = month_so_far()
    report = page.request.get(f"/api/roi?start={first}&end={last}&group_by=platform").json()
    month = first.strftime("%B %Y")
    for row in report["rows"]:
        projected = Decimal(str(row["spend"])) / last.day * month_days
        budget = {
            "name": f"{row['label']} — {month}",
            "scope": {"type": "platform", "platform": row["platform"]},
            "period": "month",
            "period_start": first.isoformat(),
            "amount": str(nice(projected * BUDGET_SHARES[row["platform"]])),
            "recipients": [finance.email],
        }
        response = page.request.post("/api/budgets", data=budget, headers=headers)
        assert response.status == 201, response.text()
    run_task(demo_stack.app, "workers.tasks.alerts.evaluate_budgets")
    context.close()


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
    expect(page.get_by_text("Prediction model in use")).to_be_visible()
    settle_charts(page)
    shoot(page, "cohorts")


def test_screenshot_budgets(page_as, demo_budgets):
    page = page_as("finance", "/budgets")
    expect(page.locator(".budget-card")).to_have_count(3)
    shoot(page, "budgets")


def test_screenshot_alerts(page_as, demo_budgets):
    page = page_as("finance", "/alerts")
    expect(page.locator(".ant-table-tbody tr.ant-table-row").first).to_be_visible()
    shoot(page, "alerts")


def test_screenshot_admin_accounts(page_as, demo_budgets):
    page = page_as("admin", "/admin/accounts")
    expect(page.locator(".ant-table-tbody tr.ant-table-row")).to_have_count(8)
    shoot(page, "admin-accounts")
