"""The Cohorts page as a marketer reads it: the charts show a chosen handful of cohorts (no
paged legend), the survival curves show the churn the table shows (never a flat 100% beside 90%
predicted churn), churn drivers come per channel and per cohort in sentences, and each predicted
figure carries how far to trust it. Every expectation is computed from the API's answer for the
same range (asked with the page's session)."""

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
    expect(page.get_by_text("Predictions in use")).to_be_visible()
    # the version's metrics are those of its backtest, and the card says so
    expect(page.get_by_text("Backtest: the same procedure fitted", exact=False)).to_be_visible()
    return page, report


def test_the_model_card_says_each_versions_backtest_in_words(cohorts_page):
    """The LTV and first-purchase versions' stored backtest errors at each cohort age, as the
    API gives them (report origins), in the card's sentences."""
    page, report = cohorts_page
    ages = page.locator(".model-card-ltv-ages li")
    expect(ages).to_have_count(len(report["model"]["by_age"]))
    for line, age in zip(ages.all(), report["model"]["by_age"], strict=True):
        expect(line).to_contain_text(
            f"Cohorts predicted at {age['age_bucket']}: {age['horizon_days']}-day revenue off by "
            f"±{formatting.integer(Decimal(str(age['error_p50'])) * 100)}%"
        )
    first_purchase = report["first_purchase_model"]
    early = page.locator(".model-card-early-ages li")
    expect(early).to_have_count(len(first_purchase["accuracy"]))
    for line, age in zip(early.all(), first_purchase["accuracy"], strict=True):
        expect(line).to_contain_text(
            f"At {age['age_bucket']}: expected payers were off by "
            f"{formatting.number(age['expected_payers_err_pct'], 1)}% (median per weekly cohort)"
        )


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


def percent(ratio: float) -> str:
    return f"{formatting.integer(Decimal(str(ratio)) * 100)}%"


def test_survival_ends_at_the_churn_the_table_shows(cohorts_page):
    page, report = cohorts_page
    with_platform = len({c["platform"] or "" for c in report["cohorts"]}) > 1
    shown = [c for c in largest(report["cohorts"], MAX_SHOWN) if len(c["survival"]) > 1]
    assert shown, "no cohort of the demo has a survival curve"
    expect(page.get_by_role("img", name="Survival curves by cohort")).to_be_visible()
    expect(page.locator(".survival-note")).to_contain_text(
        f"after {CHURN_INACTIVITY_DAYS} days without a purchase"
    )
    ends = page.locator(".survival-end")
    expect(ends).to_have_count(len(shown))
    for c in shown:
        last = c["survival"][-1]
        # the curve meets the table: still buying = 1 - predicted churn (no flat 100%), within
        # a few points: Kaplan-Meier weighs the customers of a week by how long each was followed
        assert last["p"] == pytest.approx(1 - c["churn_rate"], abs=0.03), c["cohort"]
        assert last["p"] < 1
        tag = page.locator(f'.survival-end[data-key="{c["cohort"]}|{c["platform"] or ""}"]')
        expect(tag).to_have_text(
            f"{week_name(c, with_platform)}: {percent(last['p'])} on day {last['day']}"
        )


def test_churn_drivers_of_the_cohorts_on_the_charts_are_one_sentence_each(cohorts_page):
    page, report = cohorts_page
    with_platform = len({c["platform"] or "" for c in report["cohorts"]}) > 1
    shown = largest(report["cohorts"], MAX_SHOWN)
    lines = [
        f"{week_name(c, with_platform)}: {d['sentence']}."
        for c in shown
        for d in c["churn_drivers"]
    ]
    assert lines, "no cohort on the charts has a churn driver in the demo"
    items = page.locator(".churn-drivers .cohort-churn-driver")
    expect(items).to_have_count(len(lines))
    assert [t.strip() for t in items.all_inner_texts()] == lines
    for c in shown:
        for d in c["churn_drivers"]:
            assert d["churn_ratio"] >= 1.2 and d["churn_rate_with"] > d["churn_rate_without"]


def test_payback_and_churn_say_how_far_to_trust_them(cohorts_page):
    page, report = cohorts_page
    table = main_table(page)
    churn = report["churn_accuracy"]
    assert churn and churn["auc"] is not None, "the demo's churn model has no backtest"
    checked = 0
    for c in report["cohorts"]:
        row = table.locator(f'tr[data-row-key="{c["cohort"]}|{c["platform"] or ""}"]')
        if row.count() == 0:  # on another page of the table
            continue
        churn_cell = row.locator("> td").nth(column_index(page, "Predicted churn"))
        expect(churn_cell.locator(".trust-note")).to_have_text(
            formatting.churn_note(churn, c.get("churn_accuracy"))
        )
        payback = row.locator("> td").nth(column_index(page, "Payback"))
        judged = c.get("payback_accuracy")
        if judged and c["payback_days"] is not None:
            error = formatting.integer(Decimal(str(judged["error_p50"])) * 100)
            expect(payback.locator(".trust-note")).to_have_text(f"predicted, ±{error}%")
        else:
            expect(payback.locator(".trust-note")).to_have_count(0)
        checked += 1
    assert checked
    churn_cell.locator(".trust-note").hover()
    expect(page.get_by_role("tooltip")).to_contain_text(
        f"Churn = no purchase within {churn['horizon_days']} days. Backtested AUC"
    )
    if c.get("churn_accuracy"):
        expect(page.get_by_role("tooltip")).to_contain_text(
            f"Predicted at cohort age {c['churn_accuracy']['age_bucket']}: backtested"
        )


def test_churn_accuracy_is_shown_by_cohort_age(cohorts_page):
    page, report = cohorts_page
    ages = report["churn_accuracy"]["by_age"]
    assert ages, "the demo's churn backtest judged no cohort age"
    page.get_by_text("Backtest details (technical)").click()
    table = page.locator(".churn-accuracy-by-age")
    expect(table.locator("tbody tr")).to_have_count(len(ages))
    for row, age in zip(table.locator("tbody tr").all(), ages, strict=True):
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(age["age_bucket"])
        auc = "—" if age["auc"] is None else formatting.number(age["auc"])
        expect(cells.nth(1)).to_have_text(auc)


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
        # one predicted ROAS per cohort (`prediction`): the LTV model's, or early signals'
        shown = c["prediction"]
        if shown and shown["roas"] is not None:
            expect(predicted).to_contain_text(formatting.roas(shown["roas"]))
        early = bool(shown) and shown["source"] == "early"
        interval = None if early else c.get("roas_predicted_interval")
        if interval:
            expect(predicted.locator(".roas-interval")).to_have_text(
                f"80% interval {formatting.roas(interval['low'])}"
                f"–{formatting.roas(interval['high'])}"
            )
        else:
            expect(predicted.locator(".roas-interval")).to_have_count(0)
        error = row.locator("> td").nth(column_index(page, "Backtested error"))
        accuracy = c.get("accuracy")
        if early:  # the error of the figure shown
            judged = f"±{formatting.integer(shown['error_pct'])}% at {shown['age_bucket']}"
            expect(error).to_have_text(f"{judged} (early signals)")
        elif accuracy and accuracy.get("error_p50") is not None:
            typical = (accuracy.get("sized") or {}).get("error_p50") or accuracy["error_p50"]
            percent = formatting.integer(Decimal(str(typical)) * 100)
            # the backtest's age bucket beside the cohort's age, as the label under the figure
            bucket = f" ({accuracy['age_bucket']})" if accuracy.get("age_bucket") else ""
            expect(error).to_have_text(f"±{percent}% at {days(c['age_days'])} old{bucket}")
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
