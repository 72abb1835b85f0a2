"""The dashboard works under its Content-Security-Policy: every page of every role renders in
Chromium without a violation (the `new_page` fixture fails a test on any), and the policy is on
the dashboard's own answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PAGES = {
    "admin": [
        "/overview", "/channels", "/cohorts", "/budgets", "/alerts",
        "/admin/accounts", "/admin/users", "/admin/audit",
    ],
    "finance": ["/overview", "/budgets", "/alerts"],
    "marketer": ["/channels", "/cohorts", "/traffic"],
}  # fmt: skip


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_renders_without_a_csp_violation(page_as, role):
    page = page_as(role)
    page.context.add_init_script(RECORD_VIOLATIONS)
    for path in PAGES[role]:
        response = page.goto(path)
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        expect(page.get_by_role("button", name="User menu")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path


def test_the_login_page_cannot_be_framed_by_another_site(new_page, demo_stack):
    page = new_page()
    response = page.goto("/login")
    assert response is not None
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
