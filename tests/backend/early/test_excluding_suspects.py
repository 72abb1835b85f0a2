"""The ROI figures that exclude suspect traffic and the action lists, on the sandbox's known truth:
sandbox customers, purchases, in-app events and the fake installs of the fraudulent campaigns
loaded by the real loaders, spend written through the sync's write path, traffic quality stored
by the product's own refresh (`backend.services.early.suspicion`), read back through the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import text

from analytics.early.first_purchase import HORIZONS
from analytics.early.traffic import REASON_LABELS
from backend.extensions import db
from backend.models import Role
from backend.services import users
from backend.services.customers import action_lists as lists
from backend.services.early.suspicion import refresh_suspicion
from backend.services.predictions.first_purchase import train_first_purchase
from connectors import SpendRow
from connectors.sandbox.customers import sandbox_customers
from connectors.sandbox.generator import World
from connectors.sandbox.in_app import fraudulent_campaigns
from devstack.demo_customers import load_demo_customers
from tests.conftest import PASSWORD, TEST_HASH_METHOD, login, truncate_all

from ..customers.conftest import add_account
from ..roi.conftest import write_slice

TODAY = dt.date(2025, 6, 30)
UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
DAYS = 75
#: The report's range: the last 30 days of acquisitions.
START, END = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1)
RANGE = {"start": START.isoformat(), "end": END.isoformat(), "group_by": "campaign"}
DAILY_SPEND = Decimal("50")
FAKE = re.compile(r"-f\d+$")
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def loaded(app):
    """The sandbox world's USD accounts (the test app reports in USD): spend of 50 a day per
    campaign, then the customers, their purchases and events, and the fake installs."""
    with app.app_context():
        world = World(seed=7, today=TODAY)
        accounts = [a for a in world.accounts if a.currency == "USD"]
        first = TODAY - dt.timedelta(days=DAYS)
        days = [first + dt.timedelta(days=n) for n in range(DAYS)]
        for account in accounts:
            stored = add_account(db, account.platform, account.external_id, "USD")
            rows = [
                SpendRow(
                    platform=account.platform,
                    account_id=account.external_id,
                    date=day,
                    currency="USD",
                    campaign_id=campaign.campaign_id,
                    campaign_name=campaign.name,
                    spend=DAILY_SPEND,
                )
                for campaign in world.campaigns(account)
                for day in days
            ]
            write_slice(db, stored, rows, first, days[-1])
        summary = load_demo_customers(DAYS, world=world, until=UNTIL, train=False)
        yield world, accounts, summary
        db.session.remove()
    truncate_all(app)


@pytest.fixture(scope="module")
def marketer(app, loaded):
    """A marketer's client on the loaded world (the `db` fixture would empty it after a test)."""
    method = app.config.get("PASSWORD_HASH_METHOD")
    app.config["PASSWORD_HASH_METHOD"] = TEST_HASH_METHOD
    try:
        with app.app_context():
            users.create_user(
                None, email="lists@example.com", role=Role.MARKETER, password=PASSWORD
            )
    finally:
        app.config["PASSWORD_HASH_METHOD"] = method
    client = app.test_client()
    login(client, "lists@example.com")
    return client


def truth_by_campaign() -> dict[int, dict]:
    """Per stored campaign, of the customers acquired in the range: all, the known fakes, the
    genuine customers' revenue, and the suspects the product stored with their revenue."""
    rows = db.session.execute(
        text(
            """SELECT r.campaign_id, cu.external_id, r.revenue, r.suspect
               FROM roi_customers r JOIN customers cu ON cu.id = r.customer_id
               WHERE r.acquisition_date BETWEEN :start AND :end"""
        ),
        {"start": START, "end": END},
    ).all()
    out: dict[int, dict] = {}
    for campaign_id, external_id, revenue, suspect in rows:
        entry = out.setdefault(
            campaign_id, {"customers": 0, "fakes": 0, "genuine_revenue": 0.0, "suspects": 0}
        )
        entry["customers"] += 1
        entry["suspects"] += bool(suspect)
        if FAKE.search(external_id):
            entry["fakes"] += 1
        else:
            entry["genuine_revenue"] += revenue
    return out


def test_the_refresh_judges_the_known_fakes_with_precision_0_9_and_recall_0_8(loaded):
    rows = db.session.execute(
        text(
            """SELECT cu.external_id, s.suspect FROM customer_suspicion s
               JOIN customers cu ON cu.id = s.customer_id
               WHERE cu.acquisition_date BETWEEN :start AND :end"""
        ),
        {"start": START, "end": END},
    ).all()
    fake = [bool(FAKE.search(external_id)) for external_id, _ in rows]
    flagged = [suspect for _, suspect in rows]
    caught = sum(f and s for f, s in zip(fake, flagged, strict=True))
    assert sum(fake) >= 50
    assert caught / sum(flagged) >= 0.9
    assert caught / sum(fake) >= 0.8
    assert loaded[2]["traffic_quality"]["suspects"] >= caught


def test_roi_excludes_suspect_customers_and_their_revenue_but_keeps_the_spend(loaded, marketer):
    world, accounts, _ = loaded
    answer = marketer.get("/api/roi", query_string=RANGE)
    assert answer.status_code == 200, answer.json
    truth = truth_by_campaign()
    fraudulent = set(fraudulent_campaigns(world, accounts))
    external = dict(
        db.session.execute(text("SELECT id, external_id FROM campaigns")).tuples().all()
    )
    judged = 0
    for row in answer.json["rows"]:
        campaign = truth.get(row.get("campaign_id"))
        if campaign is None or not row["customers"]:
            continue
        assert row["suspects"] == campaign["suspects"]
        kept = row["customers"] - row["suspects"]
        # the definitions (analytics.metrics): the whole spend over what is left
        assert row["cac_excluding_suspects"] == pytest.approx(row["spend"] / kept, abs=1e-3)
        assert row["suspect_share"] == pytest.approx(row["suspects"] / row["customers"], abs=1e-4)
        genuine = row["customers"] - campaign["fakes"]
        if external[row["campaign_id"]] in fraudulent:
            judged += 1
            assert campaign["fakes"] > 0
            # against the truth: what is left are the genuine customers and their revenue
            assert kept == pytest.approx(genuine, rel=0.1, abs=2)
            assert row["cac_excluding_suspects"] > row["cac"]
            roas_genuine = campaign["genuine_revenue"] / row["spend"]
            assert row["roas_excluding_suspects"] == pytest.approx(roas_genuine, rel=0.05, abs=1e-3)
        else:
            assert campaign["fakes"] == 0
            assert row["suspect_share"] <= 0.1
    assert judged == sum(1 for c in truth.values() if c["fakes"]) >= 3
    totals = answer.json["totals"]
    assert totals["suspects"] == sum(c["suspects"] for c in truth.values())
    assert totals["spend"] == pytest.approx(sum(r["spend"] for r in answer.json["rows"]))


def test_the_cohorts_and_the_overview_carry_the_suspect_figures(loaded, marketer):
    query = {"start": START.isoformat(), "end": END.isoformat()}
    cohorts = marketer.get("/api/cohorts", query_string=query).json["cohorts"]
    assert sum(c["suspects"] for c in cohorts) == sum(
        c["suspects"] for c in truth_by_campaign().values()
    )
    for cohort in cohorts:
        assert cohort["suspect_share"] == pytest.approx(
            cohort["suspects"] / cohort["customers"], abs=1e-4
        )
    current = marketer.get("/api/overview", query_string=query).json["current"]
    roi = marketer.get("/api/roi", query_string=query).json["totals"]
    for name in ("suspects", "suspect_share", "cac_excluding_suspects", "roas_excluding_suspects"):
        assert current[name] == roi[name]


def fraudulent_campaign_row(loaded, marketer) -> dict:
    world, accounts, _ = loaded
    fraudulent = set(fraudulent_campaigns(world, accounts))
    rows = marketer.get("/api/roi", query_string=RANGE).json["rows"]
    external = dict(
        db.session.execute(text("SELECT id, external_id FROM campaigns")).tuples().all()
    )
    return max(
        (r for r in rows if external.get(r.get("campaign_id")) in fraudulent),
        key=lambda r: r["suspects"],
    )


def test_the_suspected_list_of_a_campaign_gives_reasons_in_words(loaded, marketer):
    row = fraudulent_campaign_row(loaded, marketer)
    query = {"start": START.isoformat(), "end": END.isoformat(), "campaign_id": row["campaign_id"]}
    answer = marketer.get("/api/action-lists/suspected", query_string=query)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.is_streamed
    listed = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(listed) == row["suspects"] > 0
    assert sum(bool(FAKE.search(r["customer_id"])) for r in listed) / len(listed) >= 0.9
    words = set(REASON_LABELS.values())
    for entry in listed:
        assert set(entry["reasons"].split("; ")) <= words
        assert set(entry["reason_codes"].split()) <= set(REASON_LABELS)
        assert float(entry["suspicion"]) >= 0.6
    as_json = marketer.get("/api/action-lists/suspected", query_string={**query, "format": "json"})
    assert [r["customer_id"] for r in as_json.json] == [r["customer_id"] for r in listed]


def test_the_likely_to_pay_list_holds_the_customers_who_go_on_to_pay(loaded):
    """Through a first-purchase version trained, stored and activated by the product's own path
    on the data through the day before UNTIL."""
    world, accounts, _ = loaded
    version = train_first_purchase(as_of=UNTIL.date() - dt.timedelta(days=1))
    assert version.is_active
    request = lists.ListRequest("likely_to_pay", START, END, min_probability=0.3)
    rows = list(lists.stream_rows(lists.prepare(request)))
    assert rows, "some unpaid customers are likely to pay"
    assert {row[-2:] for row in rows} == {(version.id, version.params["scored_as_of"])}
    later = UNTIL + dt.timedelta(days=max(HORIZONS))
    paid_later = {
        c.external_id
        for c in sandbox_customers(world, accounts, START, TODAY, until=later)
        if any(UNTIL <= p.occurred_at < c.acquired_at + dt.timedelta(days=30) for p in c.purchases)
    }
    listed = {row[0] for row in rows}
    unpaid = {
        external_id
        for (external_id,) in db.session.execute(
            text(
                "SELECT cu.external_id FROM roi_customers r JOIN customers cu "
                "ON cu.id = r.customer_id WHERE r.events = 0 "
                "AND r.acquisition_date BETWEEN :start AND :end"
            ),
            {"start": START, "end": END},
        )
    }
    assert listed <= unpaid
    rest = unpaid - listed
    listed_rate = len(listed & paid_later) / len(listed)
    rest_rate = len(rest & paid_later) / max(len(rest), 1)
    assert listed_rate >= 2 * rest_rate, (listed_rate, rest_rate)
    assert all(p30 >= 0.3 and p30 >= p7 for *_, p7, p30, _, _ in rows)


def test_a_second_refresh_changes_nothing_it_has_judged(loaded):
    assert refresh_suspicion(UNTIL)["changed"] == 0
