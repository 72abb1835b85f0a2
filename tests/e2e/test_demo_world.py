"""The demo is a business that makes sense, read through the product's own API on the seeded
stack: Apple Search Ads pays back within 90 days, Google Ads about breaks even within a year,
Meta loses money; campaigns of a channel differ; customers are the sandbox's stated share of the
installs the platforms report; this month's seeded budgets are one on track, one heading for
overspend (with its alert); and the worker synced every platform's demo accounts, TikTok Ads
included."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from connectors.sandbox.customers import CHANNELS
from connectors.sandbox.generator import World
from connectors.sandbox.in_app import fake_customers
from devstack.demo import HISTORY_DAYS
from tests.e2e.conftest import run_task

pytestmark = pytest.mark.e2e

#: Every platform the demo syncs (each registered platform's sandbox accounts).
PLATFORMS = tuple(dict.fromkeys(a.platform for a in World().demo_accounts))
#: Cohorts old enough that every customer has lived 90 days (and a margin for time zones).
MATURE_DAYS = 100


@pytest.fixture(scope="module")
def api(demo_stack):
    """A test client signed in as the marketer."""
    client = demo_stack.app.test_client()
    user = demo_stack.user("marketer")
    response = client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    assert response.status_code == 200
    return client


def get(api, path: str):
    response = api.get(path)
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    return response.json


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def mature_range() -> tuple[dt.date, dt.date]:
    """Acquisition days from the start of the history (after a few days of margin for the
    accounts' time zones) to the last day whose cohorts are 90 days old."""
    return today() - dt.timedelta(days=HISTORY_DAYS - 5), today() - dt.timedelta(MATURE_DAYS)


def roas_d90(api) -> dict[str, float]:
    """Per platform: revenue of each monthly cohort's first 90 days ÷ its spend."""
    start, end = mature_range()
    report = get(api, f"/api/cohorts?start={start}&end={end}&cohort=month")
    revenue, spend = defaultdict(float), defaultdict(float)
    for cohort in report["cohorts"]:
        day90 = next(point for point in cohort["curve"] if point["day"] == 90)
        assert day90["revenue"] is not None, cohort["cohort"]  # mature: actual, not projected
        revenue[cohort["platform"]] += day90["revenue"]
        spend[cohort["platform"]] += cohort["spend"]
    return {platform: revenue[platform] / spend[platform] for platform in PLATFORMS}


def roi_by(api, start: dt.date, end: dt.date, group_by: str, platform: str | None = None):
    query = f"/api/roi?start={start}&end={end}&group_by={group_by}"
    return get(api, query + (f"&platform={platform}" if platform else ""))["rows"]


def test_apple_search_ads_pays_back_within_90_days_and_meta_does_not(api):
    roas = roas_d90(api)
    assert roas["apple_search_ads"] > 1.0, roas
    assert roas["meta"] < 0.6, roas
    assert roas["meta"] < roas["google_ads"] < roas["apple_search_ads"], roas


def test_after_about_a_year_google_ads_breaks_even_and_meta_loses_money(api):
    """The oldest cohorts (300 days and more of revenue): ROAS to date per platform."""
    start = today() - dt.timedelta(days=HISTORY_DAYS - 5)
    end = today() - dt.timedelta(days=300)
    rows = {r["platform"]: r for r in roi_by(api, start, end, "platform")}
    assert 0.75 < rows["google_ads"]["roas"] < 1.3, rows["google_ads"]
    assert rows["meta"]["roas"] < 0.7, rows["meta"]
    assert rows["apple_search_ads"]["roas"] > 1.4, rows["apple_search_ads"]
    assert rows["apple_search_ads"]["payback_days"] is not None
    assert rows["apple_search_ads"]["payback_days"] <= 120, rows["apple_search_ads"]


def test_campaigns_of_a_channel_differ(api):
    start, end = mature_range()
    for platform in PLATFORMS:
        rows = roi_by(api, start, end, "campaign", platform)
        roas = [r["roas"] for r in rows if r["spend"] and r["customers"] >= 100]
        assert len(roas) >= 3, (platform, rows)
        assert max(roas) > 1.5 * min(roas), (platform, roas)


def test_customers_are_the_stated_share_of_the_installs(api):
    """Genuine customers are the stated share; the fake installs the sandbox injects into some
    campaigns (the traffic-quality truth, connectors/sandbox/in_app.py) come on top of them."""
    start, _ = mature_range()
    end = today() - dt.timedelta(days=2)
    world = World()
    fakes = Counter(
        fake.customer.platform
        for fake in fake_customers(
            world, world.demo_accounts, start, end, until=dt.datetime.now(dt.UTC)
        )
    )
    for row in roi_by(api, start, end, "platform"):
        share = CHANNELS[row["platform"]].customer_share
        genuine = row["customers"] - fakes[row["platform"]]
        assert row["installs"] > 2_000, row
        assert genuine / row["installs"] == pytest.approx(share, abs=0.03), (row, fakes)


def test_the_seeded_budgets_are_one_on_track_and_one_heading_for_overspend(api, demo_stack):
    run_task(demo_stack.app, "workers.tasks.alerts.evaluate_budgets")
    seeded = [b for b in get(api, "/api/budgets") if b["name"].startswith(("Meta", "Google"))]
    projected = {b["id"]: float(b["pacing"]["projected"]) / float(b["amount"]) for b in seeded}
    assert min(projected.values()) < 1.0 < max(projected.values()), projected
    on_track = next(b for b in seeded if b["id"] == min(projected, key=projected.get))
    assert 90 <= on_track["pacing"]["pace_pct"] <= 110, on_track["pacing"]  # the dashboard's band
    over = max(projected, key=projected.get)
    alerts = get(api, "/api/alerts?state=unresolved")
    assert any(a["budget_id"] == over and a["rule"] == "projected_overspend" for a in alerts)


def test_every_platform_syncs_its_demo_accounts_through_the_worker(demo_stack):
    """Each demo account of every platform, TikTok Ads included, had its recent days backfilled
    by the Celery worker: a succeeded run with a task id, a start and rows."""
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import AdAccount, SyncRun

    with demo_stack.app.app_context():
        runs = db.session.execute(
            select(AdAccount.platform, AdAccount.external_id, SyncRun)
            .join(SyncRun, SyncRun.ad_account_id == AdAccount.id)
            .where(SyncRun.kind == "backfill", SyncRun.status == "succeeded")
        ).all()
        db.session.remove()
    synced = {
        (platform, external_id)
        for platform, external_id, run in runs
        if run.task_id and run.started_at and run.rows > 0
    }
    expected = {(a.platform, a.external_id) for a in World().demo_accounts}
    assert expected <= synced, sorted(expected - synced)
    assert {platform for platform, _ in expected} == set(PLATFORMS) and "tiktok_ads" in PLATFORMS
