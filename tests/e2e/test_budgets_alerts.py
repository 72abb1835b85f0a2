"""Finance sets a budget through the form; the backfilled spend crosses it, the worker's
evaluation raises alerts, and finance sees them on the Alerts page (mailed or not: open until
resolved)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import csrf_headers, run_task

pytestmark = pytest.mark.e2e

EVALUATE = "workers.tasks.alerts.evaluate_budgets"


def budget_month() -> dt.date:
    """The month of the last complete days: early in a month, the one before (it has spend)."""
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)).replace(day=1)


@pytest.fixture
def budget_name(page_as) -> Iterator[str]:
    """A unique budget name; the budget is deleted after the test (its alerts are resolved)."""
    name = f"E2E tiny budget {uuid.uuid4().hex[:6]}"
    yield name
    page = page_as("finance")
    for budget in page.request.get("/api/budgets").json():
        if budget["name"] == name:
            page.request.delete(f"/api/budgets/{budget['id']}", headers=csrf_headers(page))


def fill_budget_form(page, name: str, month: dt.date, amount: str) -> None:
    form = page.locator(".ant-drawer-content").filter(has_text="New budget")
    form.get_by_label("Name").fill(name)
    expect(form.get_by_label("All channels")).to_be_checked()
    month_input = form.locator(".ant-picker input")
    month_input.click()
    month_input.fill(month.strftime("%Y-%m"))
    month_input.press("Enter")
    expect(month_input).to_have_value(month.strftime("%Y-%m"))
    form.get_by_label("Amount").fill(amount)
    form.get_by_role("button", name="Create budget").click()


def mark_mailed(app, budget_id: int) -> None:
    """The budget's alerts as once their mail went out (the e2e stack catches no mail)."""
    import sqlalchemy as sa

    from backend.extensions import db
    from backend.models import Alert, AlertState

    with app.app_context():
        db.session.execute(
            sa.update(Alert)
            .where(Alert.budget_id == budget_id, Alert.state == AlertState.OPEN)
            .values(state=AlertState.NOTIFIED)
        )
        db.session.commit()


def test_finance_creates_a_budget_and_sees_its_alert(page_as, demo_stack, budget_name):
    page = page_as("finance", "/budgets")
    month = budget_month()

    page.get_by_role("button", name="New budget").first.click()
    fill_budget_form(page, budget_name, month, "100")

    expect(page.get_by_text("Budget created")).to_be_visible()
    card = page.locator(".budget-card").filter(has_text=budget_name)
    expect(card).to_be_visible()
    created = next(b for b in page.request.get("/api/budgets").json() if b["name"] == budget_name)
    assert created["scope"]["type"] == "all" and created["period_start"] == month.isoformat()
    assert float(created["amount"]) == 100 and created["currency"] == demo_stack.currency

    run_task(demo_stack.app, EVALUATE)
    mark_mailed(demo_stack.app, created["id"])
    page.goto("/alerts")  # its Active view: alerts not resolved, mailed or not

    rows = page.locator(".ant-table-tbody tr.ant-table-row").filter(has_text=budget_name)
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_text="Threshold crossed").first).to_be_visible()
    alerts = page.request.get("/api/alerts?state=unresolved").json()
    ours = [a for a in alerts if a["budget_id"] == created["id"]]
    assert ours and any(a["rule"] == "threshold" for a in ours)
    expect(rows).to_have_count(len(ours))


def test_with_no_budget_the_alerts_page_never_says_budgets_are_on_track(page_as):
    # The shared stack has budgets and an open alert; the answers of a deployment with neither
    # are served to the page (the rest of it is the real stack).
    page = page_as("finance")
    empty = {"status": 200, "content_type": "application/json", "body": "[]"}
    page.route("**/api/budgets", lambda route: route.fulfill(**empty))
    page.route("**/api/alerts?*", lambda route: route.fulfill(**empty))
    page.goto("/alerts")
    expect(page.get_by_text("no budget is set yet, so there is nothing to watch")).to_be_visible()
    expect(page.get_by_text("on track")).to_have_count(0)
