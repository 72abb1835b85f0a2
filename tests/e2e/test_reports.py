"""The reports show non-empty ROI figures, and each figure on the page is the API's own, as
formatted: the test asks the API (with the page's session) for the same range and compares."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from connectors.sandbox.generator import World
from tests.e2e import formatting

pytestmark = pytest.mark.e2e


def range_query(demo_stack) -> str:
    start, end = demo_stack.report_range
    return f"start={start.isoformat()}&end={end.isoformat()}"


def api_json(page, path: str) -> dict:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def main_table(page):
    """The page's report table (the breakdowns below it have tables of their own)."""
    return page.locator(".data-table").first


def column_index(page, title: str) -> int:
    """The position of a column of the report table, by its header text."""
    header = main_table(page).locator(".ant-table-thead")
    expect(header).to_contain_text(title)
    titles = [text.strip() for text in header.locator("th").all_inner_texts()]
    return titles.index(title)


def cell(page, row_key: str, column: str):
    row = main_table(page).locator(f'tr[data-row-key="{row_key}"]')
    return row.locator("> td").nth(column_index(page, column))


def test_channels_table_shows_the_api_figures_of_every_platform(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/channels?{query}")
    report = api_json(page, f"/api/roi?{query}&group_by=platform")
    currency = report["currency"]

    assert {row["platform"] for row in report["rows"]} == {
        a.platform for a in World().demo_accounts
    }
    for row in report["rows"]:
        assert row["spend"] and row["spend"] > 0, row
        assert row["roas"] is not None and row["predicted_roas"] is not None, row
        expect(cell(page, row["key"], "Channel")).to_have_text(row["label"])
        expect(cell(page, row["key"], "Spend")).to_have_text(
            formatting.money(row["spend"], currency)
        )
        expect(cell(page, row["key"], "Installs")).to_have_text(formatting.integer(row["installs"]))
        expect(cell(page, row["key"], "ROAS")).to_have_text(formatting.roas(row["roas"]))
        # the figure; how far to trust it is a note under it (test_prediction_trust)
        expect(cell(page, row["key"], "Predicted ROAS").locator(".num")).to_have_text(
            formatting.roas(row["predicted_roas"])
        )


def test_channels_totals_row_is_the_api_total(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("finance", f"/channels?{query}")
    totals = api_json(page, f"/api/roi?{query}&group_by=platform")
    currency = totals["currency"]

    total_row = main_table(page).locator(".table-totals")
    expect(total_row).to_contain_text("Total")
    expect(total_row.locator("td").nth(column_index(page, "Spend"))).to_have_text(
        formatting.money(totals["totals"]["spend"], currency)
    )
    predicted = total_row.locator("td").nth(column_index(page, "Predicted ROAS"))
    expect(predicted.locator(".num")).to_have_text(
        formatting.roas(totals["totals"]["predicted_roas"])
    )


def test_overview_cards_show_the_api_figures(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/overview?{query}")
    overview = api_json(page, f"/api/overview?{query}")
    current, currency = overview["current"], overview["currency"]

    assert current["spend"] > 0 and current["installs"] > 0
    assert current["predicted_roas"] is not None
    expected = {
        "Spend": formatting.money_whole(current["spend"], currency),
        "Revenue": formatting.money_whole(current["revenue"], currency),
        "ROAS": formatting.roas(current["roas"]),
        "Predicted ROAS": formatting.roas(current["prediction"]["roas"]),
        "Installs": formatting.integer(current["installs"]),
        "CPI": formatting.money(current["cpi"], currency),
    }
    for title, text in expected.items():
        expect(page.get_by_test_id(f"kpi-{title}").locator(".kpi-value")).to_have_text(text)
    expect(page.get_by_test_id("currency")).to_have_text(currency)


def test_drilling_into_a_platform_shows_its_accounts_with_the_api_figures(page_as, demo_stack):
    query = range_query(demo_stack)
    page = page_as("marketer", f"/channels?{query}")
    accounts = api_json(page, f"/api/roi?{query}&group_by=account&platform=meta")

    main_table(page).locator('tr[data-row-key="meta"]').click()

    expect(page.get_by_text(f"{len(accounts['rows'])} accounts")).to_be_visible()
    for row in accounts["rows"]:
        expect(cell(page, row["key"], "Spend")).to_have_text(
            formatting.money(row["spend"], accounts["currency"])
        )
