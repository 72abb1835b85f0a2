"""An admin adds an ad account with credentials through the form generated from the connector's
schema: the secrets come back masked and never reach the page; a connection test checks the
credentials and that they read the account id, and each failure sits at the field it is about
(a bad credential under the credentials with the platform's own message, an id the credentials
do not read under the account id, never under the optional currency)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from connectors.sandbox.meta import world as meta_sandbox
from tests.e2e.conftest import csrf_headers
from tests.e2e.formatting import date

pytestmark = pytest.mark.e2e

#: The sandbox's Meta account the demo seed leaves for an admin to add (the sandbox token reads it).
NEW_EXTERNAL_ID = "act_1004"
#: A Meta ad account id the seed did not add, and the sandbox token does not read.
UNREADABLE_ID = "act_1999"
NEW_NAME = "E2E Meta extra"
SECRETS = (meta_sandbox.GOOD_TOKEN, meta_sandbox.config()["app_secret"])


@pytest.fixture
def admin_page(page_as):
    """The admin on the accounts page; any account this test adds is deleted afterwards."""
    page = page_as("admin", "/admin/accounts")
    expect(page.get_by_role("button", name="Add account")).to_be_visible()
    yield page
    for account in page.request.get("/api/ad-accounts").json():
        if account["external_id"] == NEW_EXTERNAL_ID:
            headers = csrf_headers(page)
            page.request.delete(f"/api/ad-accounts/{account['id']}", headers=headers)


def open_new_account_form(page):
    page.get_by_role("button", name="Add account").first.click()
    drawer = page.locator(".ant-drawer-content").filter(has_text="Add an ad account")
    expect(drawer).to_be_visible()
    token = drawer.get_by_label("Access token (long-lived)", exact=True)
    # the options come from /api/platforms; a click while the dropdown is still opening (or its
    # list is replaced by the answer) can leave it open with nothing chosen: choose again
    meta = page.locator(".ant-select-item-option").filter(has_text="Meta")
    for _ in range(3):
        if not meta.is_visible():  # the dropdown is closed: open it
            drawer.get_by_label("Platform", exact=True).click()
        meta.click()
        try:
            expect(token).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            continue
    expect(token).to_be_visible()
    return drawer


def fill_meta_credentials(drawer, access_token: str) -> None:
    config = meta_sandbox.config(access_token)
    drawer.get_by_label("Access token (long-lived)", exact=True).fill(config["access_token"])
    drawer.get_by_label("App ID", exact=True).fill(config["app_id"])
    drawer.get_by_label("App secret", exact=True).fill(config["app_secret"])


def assert_no_secret_in_html(page) -> None:
    html = page.content()
    for secret in SECRETS:
        assert secret not in html


def test_admin_adds_an_account_and_its_secrets_come_back_masked(admin_page):
    page = admin_page
    drawer = open_new_account_form(page)
    drawer.get_by_label("Name", exact=True).fill(NEW_NAME)
    drawer.get_by_label("Account ID on the platform", exact=True).fill(NEW_EXTERNAL_ID)
    drawer.get_by_label(re.compile(r"^Currency")).fill("cad")
    drawer.get_by_label(re.compile(r"^Time zone")).fill("America/Toronto")
    page.locator(".ant-select-item-option[title='America/Toronto']").click()
    fill_meta_credentials(drawer, meta_sandbox.GOOD_TOKEN)

    drawer.get_by_role("button", name="Test connection").click()
    expect(drawer.get_by_test_id("connection-result")).to_contain_text("Connection works")
    drawer.get_by_role("button", name="Add account").click()

    expect(page.get_by_text("Account added")).to_be_visible()
    expect(page.locator(".ant-drawer-content")).to_have_count(0)  # closed: the typed values gone
    row = page.locator(".ant-table-tbody tr.ant-table-row").filter(has_text=NEW_NAME)
    expect(row).to_contain_text(f"{NEW_EXTERNAL_ID} · CAD · America/Toronto")
    assert_no_secret_in_html(page)
    added = next(a for a in page.request.get("/api/ad-accounts").json() if a["name"] == NEW_NAME)
    assert added["credentials_expire_at"], "the expiry the test reported is stored with the account"
    expiry = row.locator("td").nth(expiry_column(page))
    expect(expiry).to_have_text(date(added["credentials_expire_at"][:10]))

    page.get_by_role("button", name=f"Edit {NEW_NAME}").click()
    editor = page.locator(".ant-drawer-content").filter(has_text=f"Edit {NEW_NAME}")
    for label in ("Access token (long-lived)", "App secret"):
        secret_input = editor.get_by_label(label, exact=True)
        expect(secret_input).to_have_value("")
        expect(secret_input).to_have_attribute("placeholder", re.compile(r"^Saved: •{4}"))
    expect(editor.get_by_label("App ID", exact=True)).to_have_value(meta_sandbox.config()["app_id"])
    assert_no_secret_in_html(page)
    stored = next(a for a in page.request.get("/api/ad-accounts").json() if a["name"] == NEW_NAME)
    assert stored["credentials"]["access_token"].startswith("••••")
    assert stored["credentials"]["app_secret"].startswith("••••")


def form_item(drawer, label: str):
    """The form item (label, input and its messages) of a field."""
    return drawer.locator(".ant-form-item").filter(has=drawer.page.get_by_label(label, exact=True))


def test_an_account_id_the_credentials_do_not_read_is_reported_at_that_field(admin_page):
    page = admin_page
    drawer = open_new_account_form(page)
    drawer.get_by_label("Name", exact=True).fill(NEW_NAME)
    drawer.get_by_label("Account ID on the platform", exact=True).fill(UNREADABLE_ID)
    fill_meta_credentials(drawer, meta_sandbox.GOOD_TOKEN)
    account_id = form_item(drawer, "Account ID on the platform")
    currency = form_item(drawer, "Currency")

    drawer.get_by_role("button", name="Test connection").click()
    result = drawer.get_by_test_id("connection-result")
    expect(result).to_contain_text("The credentials work, but not for this account ID")
    explain = account_id.locator(".ant-form-item-explain")
    expect(explain).to_contain_text(f"do not read account {UNREADABLE_ID}; they read")
    expect(explain).to_contain_text("act_1001")
    expect(currency.locator(".ant-form-item-explain")).to_have_count(0)

    drawer.get_by_role("button", name="Add account").click()  # currency left to the platform
    expect(account_id.locator(".ant-form-item-explain")).to_contain_text(
        f"do not read account {UNREADABLE_ID}"
    )
    expect(currency.locator(".ant-form-item-explain")).to_have_count(0)
    expect(drawer).to_be_visible()  # not added
    ids = [a["external_id"] for a in page.request.get("/api/ad-accounts").json()]
    assert UNREADABLE_ID not in ids


def test_a_readable_account_id_passes_the_test_and_is_described(admin_page):
    page = admin_page
    name = "Acme Apps US"  # the seeded Meta account act_1001
    page.get_by_role("button", name=f"Edit {name}").click()
    editor = page.locator(".ant-drawer-content").filter(has_text=f"Edit {name}")
    fill_meta_credentials(editor, meta_sandbox.GOOD_TOKEN)  # typed: tested before saving

    editor.get_by_role("button", name="Test connection").click()

    result = editor.get_by_test_id("connection-result")
    expect(result).to_contain_text("Connection works")
    expect(result).to_contain_text("act_1001 is “Acme Apps US”: USD, America/Los_Angeles")
    account_id = form_item(editor, "Account ID on the platform")
    expect(account_id.locator(".ant-form-item-explain")).to_have_count(0)


def test_testing_a_saved_accounts_connection_succeeds(admin_page):
    page = admin_page
    name = "Acme Search US"  # a seeded Google Ads account (OAuth refresh token, developer token)

    page.get_by_role("button", name=f"More actions for {name}").click()
    page.get_by_role("menuitem", name="Test connection").click()

    expect(page.locator(".ant-notification")).to_contain_text(f"{name}: connection works")


def expiry_column(page) -> int:
    headers = page.locator(".ant-table-thead th").all_inner_texts()
    return next(i for i, text in enumerate(headers) if text.strip() == "Credentials expire")


def test_a_saved_accounts_test_shows_the_expiry_it_reported_in_its_row(admin_page):
    page = admin_page
    name = "Acme Apps US"  # a seeded Meta account: Meta tells when its token expires
    page.get_by_role("button", name=f"More actions for {name}").click()
    page.get_by_role("menuitem", name="Test connection").click()

    notice = page.locator(".ant-notification")
    expect(notice).to_contain_text(f"{name}: connection works")
    expect(notice).to_contain_text("Credentials expire")
    stored = next(a for a in page.request.get("/api/ad-accounts").json() if a["name"] == name)
    row = page.locator(".ant-table-tbody tr.ant-table-row").filter(has_text=name)
    expiry = row.locator("td").nth(expiry_column(page))
    expect(expiry).to_have_text(date(stored["credentials_expire_at"][:10]))


def test_a_bad_credential_shows_the_platforms_own_message(admin_page):
    drawer = open_new_account_form(admin_page)
    fill_meta_credentials(drawer, meta_sandbox.EXPIRED_TOKEN)

    drawer.get_by_role("button", name="Test connection").click()

    result = drawer.get_by_test_id("connection-result")
    expect(result).to_contain_text("Connection failed")
    expect(result).to_contain_text("Error validating access token: Session has expired")
    # it sits under the credentials it is about, below the last credential field
    secret = drawer.get_by_label("App secret", exact=True).bounding_box()
    assert result.bounding_box()["y"] > secret["y"]
