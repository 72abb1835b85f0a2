"""An admin adds an ad account with credentials through the form generated from the connector's
schema: the connection test passes, the secrets come back masked and never reach the page; a
bad credential shows the platform's own error message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from connectors.sandbox import credentials as sandbox
from tests.e2e.conftest import csrf_headers

pytestmark = pytest.mark.e2e

#: The sandbox's Meta account the demo seed leaves for an admin to add (the sandbox token reads it).
NEW_EXTERNAL_ID = "act_1004"
NEW_NAME = "E2E Meta extra"
SECRETS = (sandbox.META_GOOD_TOKEN, sandbox.meta_config()["app_secret"])


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
    drawer.get_by_label("Platform", exact=True).click()
    page.locator(".ant-select-item-option").filter(has_text="Meta").click()
    expect(drawer.get_by_label("Access token (long-lived)", exact=True)).to_be_visible()
    return drawer


def fill_meta_credentials(drawer, access_token: str) -> None:
    config = sandbox.meta_config(access_token)
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
    fill_meta_credentials(drawer, sandbox.META_GOOD_TOKEN)

    drawer.get_by_role("button", name="Test connection").click()
    expect(drawer.get_by_test_id("connection-result")).to_contain_text("Connection works")
    drawer.get_by_role("button", name="Add account").click()

    expect(page.get_by_text("Account added")).to_be_visible()
    expect(page.locator(".ant-drawer-content")).to_have_count(0)  # closed: the typed values gone
    row = page.locator(".ant-table-tbody tr.ant-table-row").filter(has_text=NEW_NAME)
    expect(row).to_contain_text(f"{NEW_EXTERNAL_ID} · CAD · America/Toronto")
    assert_no_secret_in_html(page)

    page.get_by_role("button", name=f"Edit {NEW_NAME}").click()
    editor = page.locator(".ant-drawer-content").filter(has_text=f"Edit {NEW_NAME}")
    for label in ("Access token (long-lived)", "App secret"):
        secret_input = editor.get_by_label(label, exact=True)
        expect(secret_input).to_have_value("")
        expect(secret_input).to_have_attribute("placeholder", re.compile(r"^Saved: •{4}"))
    expect(editor.get_by_label("App ID", exact=True)).to_have_value(sandbox.meta_config()["app_id"])
    assert_no_secret_in_html(page)
    stored = next(a for a in page.request.get("/api/ad-accounts").json() if a["name"] == NEW_NAME)
    assert stored["credentials"]["access_token"].startswith("••••")
    assert stored["credentials"]["app_secret"].startswith("••••")


def test_testing_a_saved_accounts_connection_succeeds(admin_page):
    page = admin_page
    name = "Acme Search US"  # a seeded Google Ads account (OAuth refresh token, developer token)

    page.get_by_role("button", name=f"More actions for {name}").click()
    page.get_by_role("menuitem", name="Test connection").click()

    expect(page.locator(".ant-notification")).to_contain_text(f"{name}: connection works")


def test_a_bad_credential_shows_the_platforms_own_message(admin_page):
    drawer = open_new_account_form(admin_page)
    fill_meta_credentials(drawer, sandbox.META_EXPIRED_TOKEN)

    drawer.get_by_role("button", name="Test connection").click()

    result = drawer.get_by_test_id("connection-result")
    expect(result).to_contain_text("Connection failed")
    expect(result).to_contain_text("Error validating access token: Session has expired")
