"""An admin loads customer data and manages model versions in the dashboard: an upload shows its
progress, then what it loaded or its problems line by line in file order (line 2 before line
10); model versions show their metrics, a new one is trained, and an activation goes from
requested to active."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.review import review_shot

pytestmark = pytest.mark.e2e

#: Bad lines of the rejected file: line 2, then lines 10 to 19 (text order would put 10-19 first).
BAD_LINES = [2, *range(10, 20)]
#: Upload speed while the large file is sent (bytes/s), so its progress can be seen.
THROTTLED_UPLOAD = 200_000


def customers_csv(lines: int, bad: list[int]) -> str:
    """A customers file of `lines` lines (header included) whose `bad` lines lack an id."""
    out = ["customer_id,acquired_at,platform,country"]
    for number in range(2, lines + 1):
        customer = "" if number in bad else f"e2e-upload-{number:07d}"
        out.append(f"{customer},2015-01-01T10:00:00Z,organic,US")
    return "\n".join(out) + "\n"


def summary(page) -> dict:
    return page.request.get("/api/customers/summary").json()


@pytest.fixture
def data_page(page_as):
    page = page_as("admin", "/admin/data")
    expect(page.get_by_test_id("customer-summary")).to_be_visible()
    return page


def test_a_rejected_upload_shows_its_progress_then_its_problems_in_line_order(data_page, tmp_path):
    page = data_page
    before = summary(page)
    expect(page.get_by_test_id("customer-summary")).to_contain_text(f"{before['customers']:,}")
    big = tmp_path / "customers-big.csv"
    big.write_text(customers_csv(40_000, BAD_LINES))  # about 1.8 MB
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1,
         "uploadThroughput": THROTTLED_UPLOAD},
    )  # fmt: skip

    card = page.get_by_test_id("upload-customers")
    card.locator("input[type=file]").set_input_files(big)

    expect(card).to_contain_text(re.compile(r"Sending customers-big\.csv: \d+ KB of 1\.\d MB"))
    expect(card.locator(".ant-progress")).to_be_visible()
    review_shot(page, "data-upload-progress")
    expect(card.get_by_test_id("upload-result")).to_contain_text(
        "customers-big.csv was not loaded", timeout=60_000
    )
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
             "downloadThroughput": -1, "uploadThroughput": -1})  # fmt: skip
    expect(card.get_by_test_id("upload-result")).to_contain_text("nothing was loaded")
    problems = card.get_by_test_id("upload-problems").locator("tr.ant-table-row")
    expect(problems).to_have_count(len(BAD_LINES))
    where = [text.strip() for text in problems.locator("td:first-child").all_inner_texts()]
    assert where == [f"line {n}" for n in BAD_LINES]
    expect(problems.first).to_contain_text("customer_id")
    review_shot(page, "data-upload-rejected")
    assert summary(page)["customers"] == before["customers"]


def test_an_accepted_upload_says_what_it_loaded_and_updates_the_summary(data_page, tmp_path):
    page = data_page
    before = summary(page)
    small = tmp_path / "customers-one.csv"
    small.write_text(
        "customer_id,acquired_at,platform,country\ne2e-one-customer,2015-01-01T10:00:00Z,organic,US\n"
    )
    card = page.get_by_test_id("upload-customers")

    card.locator("input[type=file]").set_input_files(small)

    result = card.get_by_test_id("upload-result")
    expect(result).to_contain_text("customers-one.csv loaded")
    expect(result).to_contain_text("1 row: 1 new, 0 updated, 0 unchanged")
    assert summary(page)["customers"] == before["customers"] + 1
    expect(page.get_by_test_id("customer-summary")).to_contain_text(f"{before['customers'] + 1:,}")

    card.locator("input[type=file]").set_input_files(small)  # again: nothing changes
    expect(result).to_contain_text("1 row: 0 new, 0 updated, 1 unchanged")


def test_a_bad_exchange_rate_file_names_its_line_and_column(data_page, tmp_path):
    page = data_page
    bad = tmp_path / "rates.csv"
    bad.write_text("Date,USD\n2026-10-01,abc\n")
    card = page.get_by_test_id("upload-fx")

    card.locator("input[type=file]").set_input_files(bad)

    expect(card.get_by_test_id("upload-result")).to_contain_text("rates.csv was not loaded")
    expect(card.get_by_test_id("upload-result")).to_contain_text("line 2")
    expect(card.get_by_test_id("upload-problems")).to_contain_text("USD")


def humanized(key: str) -> str:
    return key.replace("_", " ").lower()


def version_row(page, version_id: int):
    return page.get_by_test_id("model-versions").locator(f"tr[data-row-key='{version_id}']")


def test_metrics_by_cohort_age_read_in_age_order_within_the_page(page_as, demo_stack):
    page = page_as("admin", "/admin/models")
    version = demo_stack.model_version
    if version is None:
        pytest.fail("the demo stack has no active LTV model version")
    by_age = next(v for v in page.request.get("/api/models").json() if v["id"] == version)
    assert by_age["metrics"]["backtest"]["by_age"], "the version measured no cohort age"
    version_row(page, version).locator(".ant-table-row-expand-icon").click()
    details = page.get_by_test_id(f"version-metrics-{version}")
    by_age_heading = page.locator(".metrics-heading", has_text=re.compile(r"^By age$"))
    # the innermost section with that heading (those around it contain it too)
    section = details.locator(".metrics-section").filter(has=by_age_heading).last
    expect(section).to_be_visible()
    tables = section.locator("table")
    expect(tables.first).to_be_visible()
    for index in range(tables.count()):
        labels = tables.nth(index).locator("tbody tr td:first-child").all_inner_texts()
        ages = [int(re.sub(r"\D", "", label)) for label in labels if re.search(r"\d", label)]
        assert ages == sorted(ages) and len(ages) > 1, labels  # D3 before D14, not as text
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    review_shot(page, "models-metrics-by-age")


def test_an_admin_reads_metrics_trains_a_version_and_activates_another(page_as, demo_stack):
    page = page_as("admin", "/admin/models")
    original = demo_stack.model_version
    if original is None:
        pytest.fail("the demo stack has no active LTV model version")
    versions = page.request.get("/api/models").json()
    shown = next(v for v in versions if v["id"] == original)
    row = version_row(page, original)
    expect(row.get_by_test_id(f"version-state-{original}")).to_have_text("active")

    row.locator(".ant-table-row-expand-icon").click()
    details = page.locator(".ant-table-expanded-row").first
    text = details.inner_text().lower()
    for key in shown["metrics"]:
        assert humanized(key) in text, f"metric {key!r} is not shown"
    assert "[object object]" not in text
    review_shot(page, "models-metrics")

    page.get_by_role("button", name="Train new version").click()
    holdout = shown["metrics"].get("holdout_days") or 20  # the demo's history is short
    page.get_by_label("Holdout days").fill(str(holdout))
    with page.expect_response(re.compile(r"/api/models/train$")) as answer:
        page.get_by_role("button", name="Start training").click()
    assert answer.value.status == 202
    trained = answer.value.json()["id"]
    state = version_row(page, trained).get_by_test_id(f"version-state-{trained}")
    expect(state).to_have_text(re.compile("training…|active"))
    expect(state).to_have_text("active", timeout=300_000)
    expect(version_row(page, original).get_by_test_id(f"version-state-{original}")).to_have_text(
        "ready"
    )

    with page.expect_response(re.compile(rf"/api/models/{original}/activate$")) as answer:
        page.get_by_role("button", name=f"Activate version {original}").click()
    assert answer.value.status == 202
    requested = answer.value.json()
    assert requested["is_active"] is False and requested["activation_requested_at"]
    expect(version_row(page, original).get_by_test_id(f"version-state-{original}")).to_have_text(
        "active", timeout=120_000
    )
    expect(state).to_have_text("ready")
    review_shot(page, "models-activated")
