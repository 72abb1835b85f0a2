"""The Cohorts page as a marketer reads it: the charts show a chosen handful of cohorts (no
paged legend), the survival card never claims 100% survival it cannot know, and each predicted
ROAS carries its backtested error and likely range when the API reports them. Every expectation
is computed from the API's answer for the same range (asked with the page's session)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from connectors import platform_label
from tests.e2e import formatting
from tests.e2e.test_reports import api_json, column_index, main_table, range_query

pytestmark = pytest.mark.e2e

#: The charts' default: the largest cohorts by customers (frontend/src/pages/cohorts/trust.ts).
MAX_SHOWN = 8
#: Days without a purchase after which a customer has churned (analytics.cohorts).
CHURN_INACTIVITY_DAYS = 90


def week_name(row: dict, with_platform: bool) -> str:
    day = dt.date.fromisoformat(row["cohort"])
    name = f"Week of {day.strftime('%b')} {day.day}"
    return (
        f"{name} · {platform_label(row['platform'])}" if with_platform and row["platform"] else name
    )


def largest(cohorts: list[dict], limit: int) -> list[dict]:
    return sorted(cohorts, key=lambda c: (-float(c["customers"]), _desc(c["cohort"])))[:limit]


def _desc(day: str) -> int:
    return -dt.date.fromisoformat(day).toordinal()


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@pytest.fixture
def cohorts_page(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/cohorts?{query}")
    report = api_json(page, f"/api/cohorts?{query}&cohort=week")
    assert report["cohorts"], "the demo has no cohorts in the default range"
    expect(page.get_by_text("Prediction model in use")).to_be_visible()
    return page, report


def test_charts_show_the_largest_cohorts_picked_in_a_selector_not_a_paged_legend(cohorts_page):
    page, report = cohorts_page
    with_platform = len({c["platform"] or "" for c in report["cohorts"]}) > 1
    expected = [week_name(c, with_platform) for c in largest(report["cohorts"], MAX_SHOWN)]

    tags = page.locator(".cohort-picker .cohort-tag")
    expect(tags).to_have_count(len(expected))
    assert sorted(t.strip() for t in tags.all_inner_texts()) == sorted(expected)
    # removing a cohort takes it off the charts; the largest ones come back on request
    tags.first.locator(".ant-tag-close-icon").click()
    expect(tags).to_have_count(len(expected) - 1)
    # close the selector's list by clicking outside it
    page.get_by_text("Cohorts on the charts", exact=True).click()
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)
    page.get_by_role("button", name=f"Show the largest {MAX_SHOWN}").click()
    expect(tags).to_have_count(len(expected))


def test_survival_card_shows_churn_or_says_why_it_cannot(cohorts_page):
    page, report = cohorts_page
    shown = largest(report["cohorts"], MAX_SHOWN)
    churned = [c for c in shown if any(p["p"] is not None and p["p"] < 1 for p in c["survival"])]
    note = page.locator(".survival-note")
    if churned:
        expect(page.get_by_role("img", name="Survival curves by cohort")).to_be_visible()
        expect(note).to_contain_text(f"after {CHURN_INACTIVITY_DAYS} days without a purchase")
    else:
        # no flat 100% line: the card says why no churn can be seen yet
        expect(page.get_by_role("img", name="Survival curves by cohort")).to_have_count(0)
        oldest = max((p["day"] for c in shown for p in c["survival"]), default=0)
        expect(note).to_contain_text("No churn can be observed yet")
        expect(note).to_contain_text(f"followed for {days(oldest)}")


def test_predicted_roas_carries_its_backtested_error_and_range(cohorts_page):
    page, report = cohorts_page
    table = main_table(page)
    judged_by_api = any("accuracy" in c for c in report["cohorts"])
    header = table.locator(".ant-table-thead")
    expect(header).to_contain_text("Predicted ROAS")
    if not judged_by_api:
        # an API without backtested accuracy: the page claims none
        expect(header).not_to_contain_text("Backtested error")
        expect(table.locator(".roas-interval")).to_have_count(0)
        return
    checked = 0
    for c in report["cohorts"]:
        row = table.locator(f'tr[data-row-key="{c["cohort"]}|{c["platform"] or ""}"]')
        if row.count() == 0:  # on another page of the table
            continue
        predicted = row.locator("> td").nth(column_index(page, "Predicted ROAS"))
        if c["roas_predicted"] is not None:
            expect(predicted).to_contain_text(formatting.roas(c["roas_predicted"]))
        interval = c.get("roas_predicted_interval")
        if interval:
            expect(predicted.locator(".roas-interval")).to_have_text(
                f"likely {formatting.roas(interval['low'])}–{formatting.roas(interval['high'])}"
            )
        else:
            expect(predicted.locator(".roas-interval")).to_have_count(0)
        error = row.locator("> td").nth(column_index(page, "Backtested error"))
        accuracy = c.get("accuracy")
        if accuracy and accuracy.get("error_p50") is not None:
            percent = formatting.integer(Decimal(str(accuracy["error_p50"])) * 100)
            expect(error).to_have_text(f"±{percent}% at {days(c['age_days'])} old")
        else:
            expect(error).to_have_text("not backtested at this age")
        checked += 1
    assert checked, "no cohort of the API is on the table's first page"


def test_churn_drivers_are_one_sentence_each(cohorts_page):
    page, report = cohorts_page
    drivers = report.get("churn_drivers")
    if drivers is None:
        drivers = (report.get("churn_accuracy") or {}).get("drivers")
    card = page.locator(".churn-drivers")
    if drivers is None:
        expect(card).to_have_count(0)
        return
    sentences = [d["sentence"] for items in drivers.values() for d in items]
    expect(card.locator(".churn-driver")).to_have_count(len(sentences))
    for platform, items in drivers.items():
        for d in items:
            text = d["sentence"].replace(f"from {platform} ", f"from {platform_label(platform)} ")
            expect(card).to_contain_text(text.replace("x as often", "× as often"))
