"""A campaign launched days ago in the sandbox World (Acme Apps US's newest, 4 days before
today) shows, in the API answers the dashboard reads, the early predicted ROAS with its backtested
error: on the Channels page by campaign and on the Cohorts page by day. Everything goes through
the product's own path, as `make demo` does: the World's spend written by the demo's history
loader, its customers, purchases, in-app events and fake installs by the real loaders, the LTV
and first-purchase versions trained and activated, and the shown figure chosen by their stored
report-origin backtests compared median against median (backend.services.predictions.shown_roas).
"""

from __future__ import annotations

import datetime as dt
import io
import math

import pytest
from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import Campaign, Role
from backend.services import users
from backend.services.ingestion.fx import load_fx_csv
from backend.services.predictions.first_purchase import train_first_purchase
from backend.services.predictions.training import train_and_score
from connectors.sandbox.generator import World
from connectors.sandbox.in_app import fraudulent_campaigns
from devstack.demo import synthetic_ecb_csv
from devstack.demo_customers import load_demo_customers
from devstack.demo_world import load_spend_history
from tests.conftest import PASSWORD, TEST_HASH_METHOD, login, truncate_all

from ..customers.conftest import add_account

TODAY = dt.date(2025, 6, 30)
AS_OF = TODAY - dt.timedelta(days=1)
UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
DAYS = 100
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def launched(app):
    """The World's campaign launched in the last days, its spend, customers and both model
    versions trained through the product's path; yields (its campaign id, the World's one)."""
    with app.app_context():
        world = World(seed=7, today=TODAY)
        load_fx_csv(
            io.StringIO(synthetic_ecb_csv(TODAY - dt.timedelta(days=DAYS + 60), TODAY)),
            current_app.config["REPORTING_CURRENCY"],
            source="test (synthetic ECB format)",
        )
        for account in world.demo_accounts:
            stored = add_account(db, account.platform, account.external_id, account.currency)
            load_spend_history(stored, world, TODAY - dt.timedelta(days=DAYS), AS_OF)
        load_demo_customers(DAYS, world=world, until=UNTIL, train=False)
        train_and_score(as_of=AS_OF)
        train_first_purchase(as_of=AS_OF)
        (young,) = [
            campaign
            for account in world.demo_accounts
            for campaign in world.campaigns(account)
            if (TODAY - campaign.start).days <= 7
        ]
        fraud = fraudulent_campaigns(world, world.demo_accounts)
        internal = db.session.scalar(
            select(Campaign.id).where(Campaign.external_id == young.campaign_id)
        )
        db.session.commit()  # no transaction left open across the tests (the teardown truncates)
        yield internal, young, fraud
        db.session.remove()
    truncate_all(app)


@pytest.fixture(scope="module")
def marketer(app, launched):
    """A marketer's client for the module (the `db` fixture's users would empty the tables
    after each test)."""
    hashing = app.config.get("PASSWORD_HASH_METHOD")
    app.config["PASSWORD_HASH_METHOD"] = TEST_HASH_METHOD
    with app.app_context():
        user = users.create_user(
            None, email="young-campaign@example.com", role=Role.MARKETER, password=PASSWORD
        )
        client = app.test_client()
        login(client, user.email)
        db.session.remove()
    if hashing is None:
        del app.config["PASSWORD_HASH_METHOD"]
    else:
        app.config["PASSWORD_HASH_METHOD"] = hashing
    return client


@pytest.fixture
def seen_today(monkeypatch):
    from backend.services.roi import report

    monkeypatch.setattr(report, "today", lambda: TODAY)


def test_the_world_launched_a_clean_campaign_days_ago(launched):
    _, young, fraud = launched
    assert 1 <= (TODAY - young.start).days <= 7
    assert young.campaign_id not in fraud


def test_its_channels_row_shows_the_early_roas_with_its_backtested_error(
    launched, marketer, seen_today
):
    internal, young, _ = launched
    query = {"start": TODAY - dt.timedelta(days=29), "end": TODAY, "group_by": "campaign"}
    answer = marketer.get("/api/roi", query_string=query)
    assert answer.status_code == 200, answer.json
    (row,) = [r for r in answer.json["rows"] if r["key"] == str(internal)]
    assert row["customers"] and row["early"]["customers"] == row["customers"]
    shown = row["prediction"]
    assert (shown["source"], shown["horizon_days"]) == ("early", 30), shown
    assert shown["roas"] == row["early"]["predicted_roas"] is not None
    assert math.isfinite(shown["error_pct"])
    compared = shown["compared"]
    assert compared["early_error_pct"] == shown["error_pct"]
    assert compared["ltv_error_pct"] is None or compared["ltv_error_pct"] > shown["error_pct"]


def test_its_days_on_the_cohorts_page_show_the_early_roas_with_its_backtested_error(
    launched, marketer, seen_today
):
    _, young, _ = launched
    query = {"start": young.start, "end": TODAY, "cohort": "day"}
    answer = marketer.get("/api/cohorts", query_string=query)
    assert answer.status_code == 200, answer.json
    days = [
        c
        for c in answer.json["cohorts"]
        if c["platform"] == young.account.platform and c["early"] is not None
    ]
    assert {c["cohort"] for c in days} >= {
        (young.start + dt.timedelta(days=n)).isoformat() for n in range((AS_OF - young.start).days)
    }
    for cohort in days:
        shown = cohort["prediction"]
        assert (shown["source"], shown["horizon_days"]) == ("early", 30), cohort["cohort"]
        assert shown["roas"] == cohort["early"]["predicted_roas"]
        assert math.isfinite(shown["error_pct"])
