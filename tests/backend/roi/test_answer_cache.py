"""The ROI, overview and cohort answers are kept in Redis per data version: a repeated request is
answered from the cache, and after every kind of change to their inputs (a sync's slice, a
customer load, a revenue load, a model activation, an FX upload, a campaign's new name, a margin
setting, a traffic-quality refresh that judges a customer anew) the next answer is the freshly
computed one, never the stale one."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from backend.models import Customer, CustomerEvent, ModelVersion
from backend.services.customers import load_customers_batch, load_revenue_batch
from backend.services.early.suspicion import refresh_suspicion
from backend.services.ingestion.fx import load_fx_csv
from backend.services.predictions import versions
from backend.services.roi import cache as roi_cache
from tests.backend.roi.conftest import JAN1, JAN10, days, score, spend_row, write_slice

RANGE = {"start": "2024-01-01", "end": "2024-01-10"}
#: Keys of this run's own (the test Redis is shared by runs).
RUN = secrets.token_hex(4)
REQUESTS = {
    "roi_platform": ("/api/roi", {**RANGE, "group_by": "platform"}),
    "roi_campaign": ("/api/roi", {**RANGE, "group_by": "campaign"}),
    "overview": ("/api/overview", RANGE),
    "cohorts": ("/api/cohorts", {**RANGE, "cohort": "day"}),
}


def ask(client) -> dict[str, tuple[str, str]]:
    """(body, X-Spendlens-Cache) of every report."""
    out = {}
    for name, (url, query) in REQUESTS.items():
        response = client.get(url, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        out[name] = (response.get_data(as_text=True), response.headers["X-Spendlens-Cache"])
    return out


def computed(app, client) -> dict[str, str]:
    """Every report computed now, the cache off."""
    app.config["ROI_CACHE"] = False
    try:
        return {name: body for name, (body, _) in ask(client).items()}
    finally:
        app.config["ROI_CACHE"] = True


def bodies(answers: dict) -> dict[str, str]:
    return {name: body for name, (body, _) in answers.items()}


@pytest.fixture
def warm(app, marketer, world):
    """Every report asked twice: the second time from the cache."""
    first = ask(marketer)
    assert {how for _, how in first.values()} == {"miss"}
    second = ask(marketer)
    assert {how for _, how in second.values()} == {"hit"}
    assert bodies(second) == bodies(first) == computed(app, marketer)
    return bodies(first)


def assert_fresh(app, client, before: dict[str, str], changed: set[str]) -> None:
    """The next answers are computed anew, equal what the data says now, and the reports in
    `changed` differ from before."""
    after = ask(client)
    assert {how for _, how in after.values()} == {"miss"}
    assert bodies(after) == computed(app, client)
    assert {name for name in before if before[name] != after[name][0]} >= changed


def test_the_code_fingerprint_covers_the_code_that_computes_answers():
    """A new release never serves an old release's answer: the key's fingerprint digests the
    source of backend, analytics and connectors (it digested no file at all, so an answer kept
    before a change of the cohort curves was served after it)."""
    import analytics.revenue_curves
    import backend.services.roi.cohorts
    import connectors

    files = set(roi_cache.code_files())
    for module in (backend.services.roi.cohorts, analytics.revenue_curves, connectors):
        assert Path(module.__file__).resolve() in files
    assert roi_cache.code_fingerprint() != hashlib.sha256().hexdigest()[:16]


def test_a_repeated_request_is_answered_from_the_cache(app, marketer, warm):
    assert ask(marketer) == {name: (body, "hit") for name, body in warm.items()}


def test_a_sync_slice_changes_the_answers(app, db, marketer, world, warm):
    rows = [spend_row(world["meta"], d, "M2", "7", installs=2) for d in days(JAN1, JAN10)]
    rows += [spend_row(world["meta"], d, "M1", "10", installs=5, impressions=1000, clicks=20)
             for d in days(JAN1, JAN10)]  # fmt: skip
    rows += [spend_row(world["meta"], d, "M1", "1")
             for d in days(dt.date(2024, 1, 11), dt.date(2024, 2, 29))]  # fmt: skip
    write_slice(db, world["meta"], rows, JAN1, dt.date(2024, 2, 29))
    assert_fresh(app, marketer, warm, set(REQUESTS))


def test_a_sync_re_delivering_the_same_figures_keeps_the_answers(app, db, marketer, world, warm):
    """The slice is replaced by identical rows (a restatement window that did not restate):
    no rollup row changes, so no data version moves."""
    before = roi_cache.data_version()
    rows = [spend_row(world["meta"], d, "M1", "10", installs=5, impressions=1000, clicks=20)
            for d in days(JAN1, JAN10)]  # fmt: skip
    rows += [spend_row(world["meta"], d, "M2", "5", installs=1) for d in days(JAN1, JAN10)]
    rows += [spend_row(world["meta"], d, "M1", "1")
             for d in days(dt.date(2024, 1, 11), dt.date(2024, 2, 29))]  # fmt: skip
    write_slice(db, world["meta"], rows, JAN1, dt.date(2024, 2, 29))
    assert roi_cache.data_version() == before
    assert ask(marketer) == {name: (body, "hit") for name, body in warm.items()}
    rows[0] = spend_row(world["meta"], JAN1, "M1", "10.01", installs=5, impressions=1000,
                        clicks=20)  # fmt: skip
    write_slice(db, world["meta"], rows, JAN1, dt.date(2024, 2, 29))  # one figure restated
    assert_fresh(app, marketer, warm, {"roi_platform", "roi_campaign", "overview"})


def test_a_customer_load_changes_the_answers(app, db, marketer, world, warm):
    load_customers_batch(
        [{"customer_id": "new", "acquired_at": "2024-01-06T09:00:00Z", "platform": "meta"}]
    )
    assert_fresh(app, marketer, warm, set(REQUESTS))


def test_a_revenue_load_changes_the_answers(app, db, marketer, world, warm):
    load_revenue_batch(
        [
            {
                "event_id": "late",
                "customer_id": "c3",
                "occurred_at": "2024-01-04T12:00:00Z",
                "amount": "40",
                "currency": "USD",
            }
        ]  # fmt: skip
    )
    assert_fresh(app, marketer, warm, set(REQUESTS))


def test_a_model_activation_changes_the_answers(app, db, marketer, world, warm):
    other = ModelVersion(
        kind="ltv", algorithm="hgb", status="ready", is_active=False,
        trained_at=dt.datetime(2024, 2, 2, tzinfo=dt.UTC), params={}, metrics={},
        source="spendlens",
    )  # fmt: skip
    db.session.add(other)
    db.session.flush()
    for customer in db.session.scalars(select(Customer).where(Customer.platform != "organic")):
        score(db, other, customer, ("1", "2", "3"), 0.9)
    db.session.commit()
    warm_again = bodies(ask(marketer))  # outputs of an inactive version change nothing shown
    assert warm_again == warm
    versions.activate_pair(other)
    db.session.commit()
    assert_fresh(app, marketer, warm, {"roi_platform", "roi_campaign", "cohorts"})


def test_outputs_changed_under_the_active_version_change_the_answers(
    app, db, marketer, world, warm
):
    """The active prediction set follows the active versions' outputs (a delta, no new set)
    and the change is recorded for the cache."""
    db.session.execute(
        text(
            "UPDATE model_outputs SET predicted_ltv_365 = predicted_ltv_365 + 50 "
            "WHERE model_version_id IN (SELECT id FROM model_versions WHERE is_active)"
        )
    )
    db.session.commit()
    assert_fresh(app, marketer, warm, {"roi_platform", "roi_campaign", "cohorts"})


def test_an_fx_upload_changes_the_answers(app, db, marketer, world, warm):
    load_fx_csv("Date,USD\n2024-01-05,1.2\n", "USD")
    assert_fresh(app, marketer, warm, {"roi_platform", "roi_campaign", "overview"})


def test_a_campaigns_new_name_changes_the_answers(app, db, marketer, world, warm):
    db.session.execute(text("UPDATE campaigns SET name = 'Spring' WHERE id = :c"),
                       {"c": world["m1"]})  # fmt: skip
    db.session.commit()
    assert_fresh(app, marketer, warm, {"roi_campaign"})


def test_a_new_margin_setting_changes_the_answers(app, marketer, world, warm):
    app.config["ROI_MARGIN_RATE"] = "0.5"
    try:
        assert_fresh(app, marketer, warm, {"roi_platform", "roi_campaign"})
    finally:
        app.config["ROI_MARGIN_RATE"] = "1.0"


def test_a_sync_status_update_keeps_the_answers(app, db, marketer, world, warm):
    db.session.execute(text("UPDATE ad_accounts SET last_error = 'boom' WHERE id = :a"),
                       {"a": world["meta"].id})  # fmt: skip
    db.session.commit()
    assert {how for _, how in ask(marketer).values()} == {"hit"}


def test_the_data_version_counts_committed_changes_only(app, db, world):
    before = roi_cache.data_version()
    db.session.execute(text("UPDATE campaigns SET name = name || '!'"))
    db.session.rollback()
    assert roi_cache.data_version() == before
    db.session.execute(text("UPDATE campaigns SET name = name || '!'"))
    db.session.execute(text("UPDATE campaigns SET name = name || '?'"))
    db.session.commit()
    after = roi_cache.data_version()
    assert int(after.split(".")[0]) == int(before.split(".")[0]) + 1  # one per transaction


def test_folding_the_change_rows_keeps_the_version(app, db, world):
    for _ in range(3):
        db.session.execute(text("UPDATE campaigns SET name = name || '!'"))
        db.session.commit()
    before = roi_cache.data_version()
    roi_cache._fold()
    assert db.session.execute(text("SELECT count(*) FROM roi_data_changes")).scalar_one() == 1
    assert roi_cache.data_version() == before


def test_answers_are_computed_when_redis_is_unreachable(app, marketer, world):
    client = app.extensions.pop("spendlens_roi_cache", None)
    url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        answers = ask(marketer)
        assert {how for _, how in answers.values()} == {"miss"}
        assert bodies(answers) == computed(app, marketer)
    finally:
        app.config["REDIS_URL"] = url
        app.extensions.pop("spendlens_roi_cache", None)
        if client is not None:
            app.extensions["spendlens_roi_cache"] = client


def test_the_money_of_a_cached_answer_is_the_reports(app, marketer, world, warm):
    """The cache keeps the body, not a rounded copy."""
    body = marketer.get("/api/roi", query_string=REQUESTS["roi_platform"][1]).json
    assert Decimal(str(body["totals"]["spend"])) == Decimal("370.0")


def test_spend_of_other_days_keeps_the_answers_about_a_range(app, db, marketer, world, warm):
    """A backfill of March leaves the answers about January 1-10 (and the ten days before,
    which the overview compares with) in the cache."""
    march = days(dt.date(2024, 3, 1), dt.date(2024, 3, 10))
    rows = [spend_row(world["meta"], d, "M3", "9", installs=3) for d in march]
    write_slice(db, world["meta"], rows, march[0], march[-1])
    assert {how for _, how in ask(marketer).values()} == {"hit"}


def test_a_customer_moved_out_of_the_range_changes_the_answers(app, db, marketer, world, warm):
    db.session.execute(
        text("UPDATE customers SET acquisition_date = '2024-03-04' WHERE external_id = 'c1'")
    )
    db.session.commit()
    assert_fresh(app, marketer, warm, set(REQUESTS))


def test_the_version_of_a_range_counts_the_changes_of_its_days(app, db, world):
    january = (JAN1, JAN10)
    march = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    before = roi_cache.data_version(january), roi_cache.data_version(march)
    write_slice(db, world["meta"], [spend_row(world["meta"], march[0], "M3", "9")],
                march[0], march[0])  # fmt: skip
    assert roi_cache.data_version(january) == before[0]
    assert roi_cache.data_version(march) != before[1]


def test_a_missing_answer_is_computed_once_for_everyone_asking(app, db, world):
    """Requests asking at once for an answer not in the cache wait for the one computing it."""
    calls = []

    def compute() -> str:
        calls.append(1)
        time.sleep(0.5)
        return '{"answer": 42}'

    def ask_once(out: list) -> None:
        with app.app_context():
            out.append(roi_cache.cached_json("test", {"n": RUN}, compute))

    answers: list = []
    threads = [threading.Thread(target=ask_once, args=(answers,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert sorted(cached for _, cached in answers) == [False, True, True, True]
    assert {body for body, _ in answers} == {b'{"answer": 42}'}


def test_a_failed_computation_lets_the_next_request_compute(app, db, world):
    def fail() -> str:
        raise ValueError("no")

    with pytest.raises(ValueError):
        roi_cache.cached_json("test-fail", {"n": RUN}, fail)
    key = roi_cache.answer_key("test-fail", {"n": RUN}, roi_cache.data_version())
    assert app.extensions["spendlens_roi_cache"].exists(key + ":computing") == 0
    assert roi_cache.cached_json("test-fail", {"n": RUN}, lambda: "{}") == (b"{}", False)


def _instant_install(db, external_id: str) -> None:
    """The customer's one in-app event a second after the install, none later: a fake install
    by traffic quality's rules (no activity after the first day, an instant first event)."""
    customer = db.session.scalars(select(Customer).where(Customer.external_id == external_id)).one()
    db.session.add(
        CustomerEvent(
            event_id=f"{external_id}-open",
            customer_id=customer.id,
            occurred_at=customer.acquired_at + dt.timedelta(seconds=1),
            name="session_start",
        )
    )
    db.session.commit()


def test_a_suspicion_refresh_that_judges_a_customer_anew_changes_the_answers(
    app, db, marketer, world, warm
):
    _instant_install(db, "c2")
    assert {how for _, how in ask(marketer).values()} == {"hit"}  # events alone show nowhere
    refreshed = refresh_suspicion(until=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    assert refreshed["suspects"] == refreshed["changed"] == 1
    assert_fresh(app, marketer, warm, set(REQUESTS))


def test_a_suspicion_refresh_that_changes_no_judgement_keeps_the_answers(app, db, marketer, world):
    _instant_install(db, "c2")
    refresh_suspicion(until=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    first = ask(marketer)
    assert refresh_suspicion(until=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))["changed"] == 0
    assert ask(marketer) == {name: (body, "hit") for name, (body, _) in first.items()}


def test_a_copy_the_caller_holds_is_confirmed_until_the_data_changes(app, db, marketer, world,
                                                                     warm):  # fmt: skip
    """Every answer has an ETag: asked again with it (If-None-Match), the answer is 304 without
    a body while the data version is the same; after a change, the fresh answer (200) with a
    new tag."""
    tags = {}
    for name, (url, query) in REQUESTS.items():
        response = marketer.get(url, query_string=query)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-cache"
        tags[name] = response.headers["ETag"]
        again = marketer.get(url, query_string=query, headers={"If-None-Match": tags[name]})
        confirmed = (again.status_code, again.get_data(), again.headers["ETag"])
        assert confirmed == (304, b"", tags[name]), name
        other = marketer.get(url, query_string=query, headers={"If-None-Match": '"other"'})
        assert (other.status_code, other.get_data(as_text=True)) == (200, warm[name]), name
    rows = [spend_row(world["meta"], d, "M1", "11", installs=6, impressions=1000, clicks=20)
            for d in days(JAN1, JAN10)]  # fmt: skip
    write_slice(db, world["meta"], rows, JAN1, JAN10)
    fresh = computed(app, marketer)
    for name, (url, query) in REQUESTS.items():
        response = marketer.get(url, query_string=query, headers={"If-None-Match": tags[name]})
        assert response.status_code == 200, name
        assert response.headers["ETag"] != tags[name]
        assert response.get_data(as_text=True) == fresh[name]
    assert {name for name in warm if warm[name] != fresh[name]} == set(REQUESTS)


def test_the_overview_tag_follows_its_status_too(app, db, marketer, world, warm):
    """The overview's open alerts and freshness are read on every request: a copy with an
    older status is not confirmed."""
    url, query = REQUESTS["overview"]
    tag = marketer.get(url, query_string=query).headers["ETag"]
    assert marketer.get(url, query_string=query, headers={"If-None-Match": tag}).status_code == 304
    # the figures' own tag alone is no copy of the overview
    bare = tag.strip('"').split("-")[0]
    response = marketer.get(url, query_string=query, headers={"If-None-Match": f'"{bare}"'})
    assert response.status_code == 200
    from backend.models.alerts import Alert

    db.session.add(Alert(budget_name="b", rule="threshold", scope={}, scope_key="k",
                         period="month", period_start=JAN1, severity="warning", message="m",
                         figures={}))  # fmt: skip
    db.session.commit()
    response = marketer.get(url, query_string=query, headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert response.headers["X-Spendlens-Cache"] == "hit"  # the figures did not change
    assert response.json["open_alerts"] == 1
    assert response.headers["ETag"] != tag
