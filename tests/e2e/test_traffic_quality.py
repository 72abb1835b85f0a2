"""The Traffic quality page on the demo: the sandbox campaigns that buy fake installs are listed
as flagged with the signs that raised suspicion, in plain words; the clean ones are not flagged.
The truth is the sandbox World's own list of fraudulent campaigns; the rows are the API's answer
for the page's window (asked with the page's session)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from analytics.early.traffic import DEFAULT_WINDOW_DAYS, REASON_LABELS
from connectors.sandbox.generator import World
from connectors.sandbox.in_app import fraudulent_campaigns
from tests.e2e.test_reports import api_json

pytestmark = pytest.mark.e2e

#: Share of the fraudulent campaigns the page must flag (the model's tested recall).
MIN_RECALL = 0.8


def fraudulent_before(day: dt.date) -> set[str]:
    """The external ids of the demo campaigns that bought fake installs before `day`."""
    world = World()
    return {
        cid
        for cid, start in fraudulent_campaigns(world, world.demo_accounts).items()
        if start < day
    }


@pytest.fixture
def traffic_page(page_as):
    page = page_as("marketer", "/traffic")
    rows = api_json(page, f"/api/traffic-quality?days={DEFAULT_WINDOW_DAYS}")
    window_end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    fraudulent = fraudulent_before(window_end - dt.timedelta(days=1))
    expect(page.get_by_test_id("traffic-summary")).to_be_visible()
    return page, rows, fraudulent


def row_of(page, row: dict):
    return page.locator(f'tr[data-row-key="{row["campaign"]}"]')


def test_campaigns_with_injected_fraud_are_flagged_with_reasons(traffic_page):
    page, rows, fraudulent = traffic_page
    faked = [r for r in rows if r["campaign_external_id"] in fraudulent]
    assert faked, "the demo has no fraudulent campaign with customers in the window"

    flagged = []
    for row in faked:
        tr = row_of(page, row)
        expect(tr).to_be_visible()
        if tr.get_by_test_id("flagged").count():
            flagged.append(row)
            reasons = tr.get_by_test_id("reasons")
            for key, count in row["reasons"].items():
                if count:
                    expect(reasons).to_contain_text(REASON_LABELS[key])
            expect(reasons).not_to_contain_text("_")
    assert len(flagged) >= MIN_RECALL * len(faked), (len(flagged), len(faked))
    expect(page.get_by_test_id("traffic-summary")).to_contain_text(f"{len(flagged)} of {len(rows)}")


def test_clean_campaigns_are_not_flagged(traffic_page):
    page, rows, fraudulent = traffic_page
    clean = [r for r in rows if r["campaign_external_id"] not in fraudulent]
    assert clean, "the demo has no clean campaign with customers in the window"

    for row in clean:
        tr = row_of(page, row)
        expect(tr).to_be_visible()
        expect(tr.get_by_test_id("flagged")).to_have_count(0)
        # a campaign with too few new customers is not judged (the API says so), else "OK"
        if row["judged"]:
            expect(tr).to_contain_text("OK")
        else:
            expect(tr.get_by_test_id("not-judged")).to_have_text("too few installs to judge")


def test_the_suspects_csv_is_offered_for_the_same_window(traffic_page):
    page, _, _ = traffic_page
    link = page.get_by_role("link", name="Download suspects (CSV)")
    href = link.get_attribute("href")
    assert href and href.startswith("/api/traffic-quality/suspects.csv?days=7")
    answer = page.request.get(href)
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    assert answer.text().splitlines()[0].startswith("customer_id,")
