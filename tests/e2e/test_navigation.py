"""Each role logs in through the form and sees its own navigation; the admin pages stay closed
to the others even when typed into the address bar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

REPORTS = [
    "Overview",
    "Channels & campaigns",
    "Cohorts & LTV",
    "Traffic quality",
    "Budgets & pacing",
    "Reallocation",
    "Alerts",
]
ADMINISTRATION = ["Ad accounts", "Data uploads", "Model versions", "Users & roles", "Audit log"]
ROLE_LABELS = {"admin": "Admin", "finance": "Finance", "marketer": "Marketer"}


def main_navigation(page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("role", ["admin", "finance", "marketer"])
def test_each_role_logs_in_and_sees_its_navigation(page_as, role):
    page = page_as(role)

    expect(page).to_have_url(re.compile(r"/overview(\?|$)"))
    expect(page.get_by_role("button", name="User menu")).to_contain_text(ROLE_LABELS[role])
    nav = main_navigation(page)
    for label in REPORTS:
        expect(nav.get_by_role("menuitem", name=label)).to_be_visible()
    for label in ADMINISTRATION:
        item = nav.get_by_role("menuitem", name=label)
        if role == "admin":
            expect(item).to_be_visible()
        else:
            expect(item).to_have_count(0)
    if role != "admin":
        expect(nav).not_to_contain_text("Administration")


@pytest.mark.parametrize("role", ["finance", "marketer"])
def test_admin_pages_typed_in_show_not_allowed(page_as, role):
    page = page_as(role)

    for path in ("/admin/accounts", "/admin/data", "/admin/models", "/admin/users", "/admin/audit"):
        page.goto(path)
        expect(page.get_by_test_id("forbidden-state")).to_contain_text("Not allowed")
        expect(page.get_by_role("table")).to_have_count(0)


def test_the_api_refuses_admin_data_to_a_marketer(page_as):
    page = page_as("marketer")

    assert page.request.get("/api/users").status == 403
    assert page.request.get("/api/audit").status == 403


def test_a_marketer_reads_budgets_without_editing_them(page_as):
    page = page_as("marketer", "/budgets")

    expect(page.get_by_role("heading", name="Budgets & pacing")).to_be_visible()
    expect(page.get_by_test_id("loading-state")).to_have_count(0)
    expect(page.get_by_role("button", name="New budget")).to_have_count(0)


def test_a_wrong_password_is_refused_on_the_login_page(new_page, demo_stack):
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(demo_stack.user("finance").email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("login-error")).to_contain_text("Invalid email or password")
    expect(page).to_have_url(re.compile(r"/login"))
