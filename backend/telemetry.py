"""Prometheus metrics of Spendlens: the counters every process increments, and the gauges read
when `/metrics` is scraped.

Counters are kept in Redis (a hash per counter, namespaced by the Celery queue), not in one
process's memory: a login failure counted by one gunicorn worker, an alert evaluation counted by
a Celery child and the scrape answered by a third process all see the same figure. An increment
that cannot reach Redis is dropped with a debug log line; it never fails the caller.

    from backend import telemetry

    telemetry.LOGIN_FAILURES.inc()               # a refused password
    telemetry.LOGIN_THROTTLES.inc(scope="ip")    # a login answered 429 ("ip", "account", "device")

Everything else (sync runs by platform and status, durations, rows written, reaped runs, queue
depth, outbox backlog, worker and beat last seen) is read from PostgreSQL and Redis at scrape
time by `SpendlensCollector`, so it is exact whatever process did the work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator

import redis
from flask import current_app, has_app_context
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import text

from backend.extensions import db

log = logging.getLogger("spendlens.telemetry")

_clients: dict[str, redis.Redis] = {}


def redis_client(url: str) -> redis.Redis:
    """One client (connection pool) per URL and process; short timeouts, a metric is not worth
    waiting for."""
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        _clients[url] = client
    return client


def namespace() -> str:
    return str(current_app.config.get("CELERY_QUEUE", "celery"))


class SharedCounter:
    """A Prometheus counter whose value lives in Redis, shared by every process."""

    def __init__(self, name: str, documentation: str, labelnames: Iterable[str] = ()) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)

    def key(self) -> str:
        return f"spendlens:{namespace()}:metrics:{self.name}"

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` (in an app context); labels must be exactly `labelnames`."""
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes the labels {self.labelnames}, not {list(labels)}")
        if amount < 0:
            raise ValueError("a counter only goes up")
        if not has_app_context() or not current_app.config.get("REDIS_URL"):
            return
        field = json.dumps([str(labels[n]) for n in self.labelnames])
        try:
            redis_client(current_app.config["REDIS_URL"]).hincrbyfloat(self.key(), field, amount)
        except redis.RedisError as exc:
            log.debug("metric %s not counted: %s", self.name, exc)

    def samples(self) -> Iterator[tuple[tuple[str, ...], float]]:
        """(label values, value) of every series counted so far."""
        raw = redis_client(current_app.config["REDIS_URL"]).hgetall(self.key())
        for field, value in raw.items():
            yield tuple(json.loads(field)), float(value)


LOGIN_FAILURES = SharedCounter(
    "spendlens_login_failures_total", "Logins refused for a wrong email or password"
)
LOGIN_THROTTLES = SharedCounter(
    "spendlens_login_throttles_total",
    "Login attempts refused by throttling (429), by scope: ip, account or device",
    ("scope",),
)
ALERT_EVALUATIONS = SharedCounter(
    "spendlens_alert_evaluations_total", "Budgets evaluated against their alert rules"
)
SHARED_COUNTERS = (LOGIN_FAILURES, LOGIN_THROTTLES, ALERT_EVALUATIONS)


#: Upper bounds (seconds) of the sync-run duration histogram's buckets.
DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)

_RUNS = text(
    """
    SELECT a.platform, r.status, count(*) AS runs,
           coalesce(sum(r.rows) FILTER (WHERE r.status = 'succeeded'), 0) AS rows_written,
           count(*) FILTER (WHERE r.error_kind = 'orphaned') AS reaped
    FROM sync_runs r JOIN ad_accounts a ON a.id = r.ad_account_id
    GROUP BY a.platform, r.status
    """
)
_OUTBOX = text(
    """
    SELECT status, count(*) AS messages,
           extract(epoch FROM now() - min(created_at)) AS oldest_s
    FROM mail_outbox WHERE status IN ('pending', 'sending', 'held')
    GROUP BY status
    """
)


def _durations_query():
    buckets = ", ".join(
        f"count(*) FILTER (WHERE r.duration_ms <= {int(b * 1000)}) AS le_{i}"
        for i, b in enumerate(DURATION_BUCKETS)
    )
    return text(
        f"""
        SELECT a.platform, {buckets}, count(*) AS runs, sum(r.duration_ms) / 1000.0 AS total_s
        FROM sync_runs r JOIN ad_accounts a ON a.id = r.ad_account_id
        WHERE r.status = 'succeeded' AND r.duration_ms IS NOT NULL
        GROUP BY a.platform
        """  # noqa: S608 - the buckets are constants of this module
    )


class SpendlensCollector:
    """Reads the metrics at scrape time (in an app context)."""

    def describe(self) -> list:
        return []

    def collect(self) -> Iterator:
        yield from self._sync_runs()
        yield from self._outbox()
        yield from self._redis_metrics()

    def _sync_runs(self) -> Iterator:
        runs = GaugeMetricFamily(
            "spendlens_sync_runs", "Sync runs by platform and status", labels=["platform", "status"]
        )
        rows = CounterMetricFamily(
            "spendlens_sync_rows_written",
            "Rows written by successful sync runs",
            labels=["platform"],
        )
        reaped = CounterMetricFamily(
            "spendlens_sync_runs_reaped",
            "Sync runs failed by the reaper because their task was gone",
            labels=["platform"],
        )
        written: dict[str, int] = {}
        lost: dict[str, int] = {}
        for row in db.session.execute(_RUNS).mappings():
            runs.add_metric([row["platform"], row["status"]], row["runs"])
            written[row["platform"]] = written.get(row["platform"], 0) + int(row["rows_written"])
            lost[row["platform"]] = lost.get(row["platform"], 0) + int(row["reaped"])
        for platform, value in sorted(written.items()):
            rows.add_metric([platform], value)
        for platform, value in sorted(lost.items()):
            reaped.add_metric([platform], value)
        durations = HistogramMetricFamily(
            "spendlens_sync_run_duration_seconds",
            "Duration of successful sync runs (fetch and write)",
            labels=["platform"],
        )
        for row in db.session.execute(_durations_query()).mappings():
            buckets = [(str(float(b)), row[f"le_{i}"]) for i, b in enumerate(DURATION_BUCKETS)] + [
                ("+Inf", row["runs"])
            ]
            durations.add_metric([row["platform"]], buckets, float(row["total_s"] or 0))
        yield from (runs, rows, reaped, durations)

    def _outbox(self) -> Iterator:
        backlog = GaugeMetricFamily(
            "spendlens_outbox_backlog", "Mail waiting in the outbox, by status", labels=["status"]
        )
        oldest = GaugeMetricFamily(
            "spendlens_outbox_oldest_seconds", "Age of the oldest message waiting in the outbox"
        )
        ages = [0.0]
        found = {row["status"]: row for row in db.session.execute(_OUTBOX).mappings()}
        for status in ("pending", "sending", "held"):
            row = found.get(status)
            backlog.add_metric([status], row["messages"] if row else 0)
            if row and status != "held":
                ages.append(float(row["oldest_s"] or 0))
        oldest.add_metric([], max(ages))
        yield from (backlog, oldest)

    def _redis_metrics(self) -> Iterator:
        from backend.broker import queue_depth, tasks_in_broker
        from backend.services import presence

        url = current_app.config.get("REDIS_URL")
        if not url:
            return
        client = redis_client(url)
        queue = namespace()
        try:
            depth = queue_depth(client, queue)
            unacked = len(tasks_in_broker(client, queue).unacked)
            counters = [(c, list(c.samples())) for c in SHARED_COUNTERS]
            seen = {kind: presence.last_seen(client, queue, kind) for kind in ("worker", "beat")}
        except redis.RedisError as exc:
            log.warning("metrics from Redis left out: %s", type(exc).__name__)
            return
        waiting = GaugeMetricFamily(
            "spendlens_queue_depth", "Tasks waiting in the Celery queue", labels=["queue"]
        )
        waiting.add_metric([queue], depth)
        held = GaugeMetricFamily(
            "spendlens_queue_unacked", "Tasks delivered to workers and not acknowledged yet"
        )
        held.add_metric([], unacked)
        yield from (waiting, held)
        for counter, samples in counters:
            family = CounterMetricFamily(
                counter.name.removesuffix("_total"),
                counter.documentation,
                labels=list(counter.labelnames),
            )
            for labels, value in samples:
                family.add_metric(list(labels), value)
            yield family
        last = GaugeMetricFamily(
            "spendlens_last_seen_seconds",
            "Seconds since a Celery worker or beat was last seen",
            labels=["process"],
        )
        for kind, ages in seen.items():
            if ages:
                last.add_metric([kind], min(ages.values()))
        yield last


def render() -> bytes:
    """The Prometheus text exposition of every metric (in an app context)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SpendlensCollector())
    return generate_latest(registry)
