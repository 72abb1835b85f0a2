"""GET /metrics on the real database and Redis: who may read it, and that its figures are the
stored ones (sync runs, rows, durations, reaped runs, outbox, queue, shared counters)."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from backend import create_app, telemetry
from backend.models import AdAccount, OutboxMessage
from tests.conftest import RUN_ID

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scraped_app(app_config, app, db):
    """An app with a scrape token and a queue of its own (its counters start at zero)."""
    queue = f"spendlens-metrics-{RUN_ID}"
    other = create_app(
        {
            **app_config,
            "METRICS_TOKEN": TOKEN,
            "CELERY_QUEUE": queue,
            "CELERY": {"task_default_queue": queue},
        }
    )
    yield other
    client = redis.Redis.from_url(app_config["REDIS_URL"])
    for key in client.scan_iter(f"spendlens:{queue}:*"):
        client.delete(key)
    client.delete(queue)


def samples(response) -> dict[tuple[str, tuple], float]:
    assert response.status_code == 200, response.get_data()
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def scrape(app) -> dict[tuple[str, tuple], float]:
    return samples(app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}))


def test_metrics_are_refused_to_anonymous_callers_and_other_roles(app, client_for):
    assert app.test_client().get("/metrics").status_code == 401
    assert client_for("marketer").get("/metrics").status_code == 403
    assert client_for("finance").get("/metrics").status_code == 403
    assert client_for("admin").get("/metrics").status_code == 200


def test_the_scrape_token_opens_metrics_and_a_wrong_one_does_not(scraped_app):
    client = scraped_app.test_client()
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    # the token opens /metrics only
    assert (
        client.get("/api/ad-accounts", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 401
    )


def test_sync_runs_rows_durations_and_reaped_runs_are_the_stored_ones(scraped_app, db):
    account = AdAccount(
        platform="meta", external_id="act_m", name="M", currency="EUR", timezone="UTC"
    )
    db.session.add(account)
    db.session.commit()
    day = dt.date(2026, 11, 1)
    for status, rows, duration_ms, kind in [
        ("succeeded", 120, 4_000, None),
        ("succeeded", 30, 70_000, None),
        ("failed", 0, None, "orphaned"),
        ("queued", 0, None, None),
    ]:
        db.session.execute(
            text(
                "INSERT INTO sync_runs (ad_account_id, kind, window_start, window_end, status, "
                "attempts, rows, duration_ms, error_kind, reconciliation_flagged) "
                "VALUES (:a, 'backfill', :d, :d, :s, 1, :r, :ms, :k, false)"
            ),
            {"a": account.id, "d": day, "s": status, "r": rows, "ms": duration_ms, "k": kind},
        )
    db.session.commit()
    got = scrape(scraped_app)
    meta = ("platform", "meta")
    assert got[("spendlens_sync_runs", (meta, ("status", "succeeded")))] == 2
    assert got[("spendlens_sync_runs", (meta, ("status", "failed")))] == 1
    assert got[("spendlens_sync_runs", (meta, ("status", "queued")))] == 1
    assert got[("spendlens_sync_rows_written_total", (meta,))] == 150
    assert got[("spendlens_sync_runs_reaped_total", (meta,))] == 1
    histogram = "spendlens_sync_run_duration_seconds"
    assert got[(f"{histogram}_count", (meta,))] == 2
    assert got[(f"{histogram}_sum", (meta,))] == 74
    assert got[(f"{histogram}_bucket", (("le", "5.0"), meta))] == 1
    assert got[(f"{histogram}_bucket", (("le", "120.0"), meta))] == 2


def test_outbox_backlog_and_queue_depth_are_reported(scraped_app, db):
    for i in range(3):
        db.session.add(
            OutboxMessage(
                idempotency_key=f"k{i}",
                kind="alert",
                recipient="cfo@example.com",
                subject="s",
                body_text="t",
                body_html="h",
                status="pending",
            )
        )
    db.session.commit()
    for _ in range(2):
        scraped_app.extensions["celery"].send_task("workers.tasks.system.ping")
    got = scrape(scraped_app)
    assert got[("spendlens_outbox_backlog", (("status", "pending"),))] == 3
    assert got[("spendlens_outbox_backlog", (("status", "held"),))] == 0
    assert got[("spendlens_outbox_oldest_seconds", ())] >= 0
    queue = scraped_app.config["CELERY_QUEUE"]
    assert got[("spendlens_queue_depth", (("queue", queue),))] == 2


def test_shared_counters_add_up_across_processes_apps(scraped_app, app_config):
    second = create_app({**dict(scraped_app.config)})
    with scraped_app.app_context():
        telemetry.LOGIN_FAILURES.inc()
        telemetry.LOGIN_THROTTLES.inc(scope="ip")
    with second.app_context():
        telemetry.LOGIN_FAILURES.inc(2)
        telemetry.LOGIN_THROTTLES.inc(scope="account")
        telemetry.ALERT_EVALUATIONS.inc(5)
    got = scrape(scraped_app)
    assert got[("spendlens_login_failures_total", ())] == 3
    assert got[("spendlens_login_throttles_total", (("scope", "ip"),))] == 1
    assert got[("spendlens_login_throttles_total", (("scope", "account"),))] == 1
    assert got[("spendlens_alert_evaluations_total", ())] == 5


def test_a_counter_refuses_wrong_labels_and_going_down(scraped_app):
    with scraped_app.app_context():
        with pytest.raises(ValueError):
            telemetry.LOGIN_THROTTLES.inc()
        with pytest.raises(ValueError):
            telemetry.LOGIN_FAILURES.inc(-1)


def test_a_counter_increment_without_redis_is_dropped_not_raised(app_config, app):
    broken = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    with broken.app_context():
        telemetry.LOGIN_FAILURES.inc()
