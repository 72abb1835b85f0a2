"""CAC and ROAS excluding suspect traffic on the campaign drill-down, said exactly in the header's
tooltip, and a customer list downloaded from its button: on the demo, whose sandbox campaigns
include some that buy fake installs. The figures are the API's own (asked with the page's
session), as formatted."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from analytics.early.traffic import REASON_LABELS
from tests.e2e import formatting
from tests.e2e.test_reports import api_json, cell, column_index, main_table, range_query

pytestmark = pytest.mark.e2e


@pytest.fixture
def campaign_page(page_as, demo_stack):
    """The campaigns of the account holding the campaign with the most suspect customers."""
    query = range_query(demo_stack)
    page = page_as("marketer")
    campaigns = api_json(page, f"/api/roi?{query}&group_by=campaign")["rows"]
    row = max(campaigns, key=lambda r: r["suspects"] or 0)
    assert row["suspects"], "the demo has no suspect customer in the range"
    scope = f"level=campaign&platform={row['platform']}&account_id={row['account_id']}"
    page.goto(f"/channels?{query}&{scope}")
    report = api_json(page, f"/api/roi?{query}&group_by=campaign&{scope}")
    return page, report, next(r for r in report["rows"] if r["key"] == row["key"])


def test_a_campaign_with_suspects_shows_cac_and_roas_without_them(campaign_page):
    page, report, row = campaign_page
    currency = report["currency"]
    assert row["cac_excluding_suspects"] > row["cac"]
    for shown in report["rows"]:
        if shown["cac_excluding_suspects"] is not None:
            expect(cell(page, shown["key"], "CAC excl. suspect")).to_have_text(
                formatting.money(shown["cac_excluding_suspects"], currency)
            )
        if shown["roas_excluding_suspects"] is not None:
            expect(cell(page, shown["key"], "ROAS excl. suspect")).to_have_text(
                formatting.roas(shown["roas_excluding_suspects"])
            )
    header = main_table(page).locator(".ant-table-thead th", has_text="CAC excl. suspect")
    header.locator("span").first.hover()
    tooltip = page.get_by_role("tooltip").filter(has_text="CAC excluding suspect traffic")
    expect(tooltip).to_contain_text("the whole spend ÷ the customers who are not suspect")
    expect(tooltip).to_contain_text("the spend is not reduced, since the money was spent")


def test_the_suspected_list_of_the_chosen_campaign_downloads_with_reasons_in_words(
    campaign_page,
):
    page, _, row = campaign_page
    main_table(page).locator(f'tr[data-row-key="{row["key"]}"]').click()
    button = page.get_by_test_id("action-lists")
    expect(button).to_contain_text("This campaign's customer lists")
    button.click()
    link = page.get_by_test_id("action-list-suspected")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, encoding="utf-8") as file:
        listed = list(csv.DictReader(io.StringIO(file.read())))
    assert len(listed) == row["suspects"]
    words = set(REASON_LABELS.values())
    for entry in listed:
        assert set(entry["reasons"].split("; ")) <= words


def test_cohorts_show_the_suspect_share_beside_the_customers(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer")
    report = api_json(page, f"/api/cohorts?{query}&cohort=week")
    assert any(c["suspects"] for c in report["cohorts"]), "no cohort has suspect customers"
    page.goto(f"/cohorts?{query}")
    share = column_index(page, "Suspect share")
    checked = 0
    for c in report["cohorts"]:
        row = main_table(page).locator(f'tr[data-row-key="{c["cohort"]}|{c["platform"] or ""}"]')
        if row.count() == 0 or c["suspect_share"] is None:  # another page; no customer
            continue
        expect(row.locator("> td").nth(share)).to_have_text(
            formatting.ratio_percent(c["suspect_share"])
        )
        checked += 1
    assert checked
