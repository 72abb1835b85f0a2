"""An admin reads an account's syncs: a failing account looks failing and its full error is one
click away; Sync now and a backfill show up in the account's syncs, the backfill with its live
progress (days done of total), rows and duration."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from connectors.sandbox.meta import world as meta_sandbox
from tests.e2e.conftest import csrf_headers
from tests.e2e.review import review_shot

pytestmark = pytest.mark.e2e

#: A Meta account id the sandbox token does not read: every sync of it fails.
UNREADABLE_ID = "act_1998"
FAILING_NAME = "E2E Meta unreadable"
#: The seeded account whose syncs these tests start (Meta, Asia/Tokyo).
SYNCED_NAME = "Acme Apps JP"
SYNCED_ID = "act_1003"


@pytest.fixture
def failing_account(page_as):
    """An account added with an id its credentials do not read, its first sync failed."""
    page = page_as("admin", "/admin/accounts")
    headers = csrf_headers(page)
    created = page.request.post(
        "/api/ad-accounts",
        headers=headers,
        data={
            "platform": "meta",
            "external_id": UNREADABLE_ID,
            "name": FAILING_NAME,
            "currency": "USD",
            "timezone": "UTC",
            "credentials": meta_sandbox.config(),
        },
    )
    assert created.status == 201, created.text()
    account = created.json()
    assert page.request.post(f"/api/ad-accounts/{account['id']}/sync", headers=headers).ok
    # every chunk finished: the last error no longer changes under the test
    health = wait_for_health(
        page, account["id"], lambda h: h["last_status"] == "failed" and h["pending_runs"] == 0
    )
    yield page, account, health
    page.request.delete(f"/api/ad-accounts/{account['id']}", headers=csrf_headers(page))


def wait_for_health(page, account_id: int, done, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = next(
            h for h in page.request.get("/api/sync-health").json() if h["account_id"] == account_id
        )
        if done(health):
            return health
        time.sleep(0.5)
    raise AssertionError(f"account {account_id}: sync health never reached the state: {health}")


def account_row(page, name: str):
    return page.locator(".ant-table-tbody tr.ant-table-row").filter(has_text=name)


def test_a_failing_account_looks_failing_and_its_full_error_is_one_click_away(failing_account):
    page, account, health = failing_account
    error = health["last_error"]
    assert error and UNREADABLE_ID in error
    page.reload()

    row = account_row(page, FAILING_NAME)
    status = row.get_by_role("button", name=f"Status of {FAILING_NAME}: sync failing")
    expect(status).to_be_visible()
    expect(row).not_to_contain_text("active")
    attention = page.get_by_role("alert").filter(has_text=re.compile(r"needs? attention"))
    expect(attention).to_contain_text(f"{FAILING_NAME}: its last sync failed")
    review_shot(page, "accounts-failing")

    status.click()  # the one click

    drawer = page.locator(".ant-drawer-content").filter(has_text=FAILING_NAME)
    expect(drawer.get_by_test_id("account-error")).to_contain_text(error)
    runs = drawer.get_by_test_id("sync-requests")
    first = runs.locator("tr.ant-table-row").first
    expect(first).to_contain_text("Sync now")
    expect(first).to_contain_text("failed")
    expect(drawer.get_by_test_id("sync-errors").first).to_contain_text(UNREADABLE_ID)
    review_shot(page, "account-drawer-failing")


@pytest.fixture
def slow_account(sandbox):
    """The synced account's platform answers slowly (0.3 s a request) during the test."""
    sandbox.world.set_faults(SYNCED_ID, {"slow"})
    yield SYNCED_ID
    sandbox.world.faults.pop(SYNCED_ID, None)


def test_sync_now_and_a_backfill_show_in_the_accounts_syncs_with_live_progress(
    page_as, slow_account
):
    page = page_as("admin", "/admin/accounts")
    page.get_by_role("button", name=f"Details of {SYNCED_NAME}").click()
    drawer = page.locator(".ant-drawer-content").filter(has_text="Syncs and backfills")
    expect(drawer).to_be_visible()
    runs = drawer.get_by_test_id("sync-requests").locator("tr.ant-table-row")

    drawer.get_by_role("button", name="Sync now").click()
    expect(runs.first).to_contain_text("Sync now")
    expect(runs.first).to_contain_text("succeeded", timeout=90_000)
    all_days = re.compile(r"^(\d+) of \1 days$")
    expect(runs.first.get_by_test_id("sync-progress")).to_have_text(all_days)

    drawer.get_by_role("button", name="Backfill…").click()
    modal = page.locator(".ant-modal-content").filter(has_text=f"Backfill {SYNCED_NAME}")
    modal.get_by_role("button", name="Start backfill").click()  # the last 90 days: 3 chunks

    backfill = runs.first
    expect(backfill).to_contain_text("Backfill")
    progress = backfill.get_by_test_id("sync-progress")
    # Live: part of the days done while the rest still runs, then all of them.
    expect(progress).to_have_text(re.compile(r"^(30|60) of 90 days$"), timeout=90_000)
    expect(backfill.locator(".ant-progress")).to_be_visible()
    review_shot(page, "account-drawer-backfill-running")
    expect(progress).to_have_text("90 of 90 days", timeout=120_000)
    expect(backfill).to_contain_text("succeeded")
    expect(backfill).to_contain_text("3 of 3 chunks done")
    expect(backfill.locator(".ant-progress")).to_have_count(0)
    cells = backfill.locator("td")
    rows_stored = int(cells.nth(3).inner_text().replace(",", ""))
    assert rows_stored > 0
    expect(cells.nth(4)).to_have_text(re.compile(r"^\d+( ms| s| min \d+ s)$"))
    review_shot(page, "account-drawer-backfill-done")
