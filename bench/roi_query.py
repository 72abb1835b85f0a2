"""Benchmark: ROI by channel and by campaign over random date ranges, on 10,000,000 ad-level fact
rows (about three years of 9,000 ads in 300 campaigns of 10 accounts on 3 platforms) written
through the real ingestion path, with customers, revenue events and model outputs.

Times GET /api/roi (group_by platform and campaign, a signed-in marketer, ~200 random ranges)
and, as the reference, the naive aggregate of the same spend figures over the ad-level fact
table (native spend per key, currency and day, then converted by the rollups' FX rule) for the
same ranges in the same run. Then loads customers with revenue events and model outputs and
times the endpoint again (customers_p50_ms / customers_p95_ms): the customer side costs in
proportion to the customers acquired in the range.

Environment: BENCH_ROI_ROWS (ad-level rows, default 10,000,000), BENCH_ROI_CUSTOMERS (default
20,000), BENCH_ROI_RANGES (default 200). BENCH_ROI_KEEP=1 keeps the loaded database;
BENCH_ROI_DATABASE=<name> times again on such a database without loading it (same
BENCH_ROI_ROWS; its customers are deleted and loaded again; load_s is then null).
Last line: {"bench": "roi_query", "rows", "p50_ms", "p95_ms", "naive_p95_ms", "speedup_p95",
...}; targets p95 <= 50 ms and speedup >= 20.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.services.roi.report import MAX_RANGE_DAYS  # noqa: E402
from bench import _roi_world as world  # noqa: E402
from bench._db import scratch_app  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROI_ROWS", 10_000_000))
CUSTOMERS = int(os.environ.get("BENCH_ROI_CUSTOMERS", 20_000))
RANGES = int(os.environ.get("BENCH_ROI_RANGES", 200))
REUSE = os.environ.get("BENCH_ROI_DATABASE") or None
KEEP = os.environ.get("BENCH_ROI_KEEP") == "1"
ADS = world.ADS_PER_ACCOUNT * len(world.accounts())
DAYS = max(31, math.ceil(ROWS / ADS))
START = dt.date(2022, 1, 1)
END = START + dt.timedelta(days=DAYS - 1)

NAIVE = """
    WITH daily AS (
        SELECT {key} AS key, f.currency, f.date, sum(f.spend) AS spend,
               sum(f.impressions) AS impressions, sum(f.clicks) AS clicks,
               sum(f.installs) AS installs
        FROM ad_daily_metrics f JOIN ad_accounts a ON a.id = f.ad_account_id
        WHERE f.breakdown = 'none' AND f.date BETWEEN :start AND :end
        GROUP BY 1, 2, 3
    )
    SELECT d.key, CASE WHEN count(*) = count(r.rate) THEN sum(d.spend * r.rate) END AS spend,
           sum(d.impressions), sum(d.clicks), sum(d.installs)
    FROM daily d
    LEFT JOIN LATERAL (
        SELECT 1::numeric AS rate WHERE d.currency = 'USD'
        UNION ALL
        (SELECT x.rate FROM fx_rates x
         WHERE d.currency <> 'USD' AND x.currency = d.currency AND x.reporting_currency = 'USD'
           AND x.date <= d.date ORDER BY x.date DESC LIMIT 1)
    ) r ON true
    GROUP BY d.key
"""
NAIVE_KEYS = {"platform": "a.platform", "campaign": "f.campaign_id"}


def load(db) -> tuple[int, float]:
    """Every account and chunk through the sync's write path; (ad-level rows, seconds)."""
    return world.load_spend(db, START, DAYS)


def loaded_rows(db) -> int:
    """Ad-level rows of a kept database; its customers, revenue and model versions removed."""
    from sqlalchemy import text

    db.session.execute(text("TRUNCATE customers, model_versions CASCADE"))
    db.session.commit()
    return db.session.execute(
        text("SELECT count(*) FROM ad_daily_metrics WHERE breakdown = 'none'")
    ).scalar_one()


def load_customers(db) -> None:
    from sqlalchemy import text

    db.session.execute(text("SELECT setseed(0.42)"))
    params = {"start": START, "end": END, "days": DAYS, "customers": CUSTOMERS, "spread": 6}
    for sql in (world.CUSTOMERS, world.REVENUE, world.MODEL):
        db.session.execute(text(sql), params)
    db.session.commit()


def vacuum(db) -> None:
    """What autovacuum does after a load: statistics and the visibility map."""
    engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        from sqlalchemy import text

        conn.execute(text("VACUUM ANALYZE"))


def random_ranges(count: int) -> list[tuple[dt.date, dt.date]]:
    rng = random.Random(7)
    out = []
    longest = MAX_RANGE_DAYS - 1
    for _ in range(count):
        a, b = sorted(rng.randrange(DAYS) for _ in range(2))
        out.append((START + dt.timedelta(days=a), START + dt.timedelta(days=min(b, a + longest))))
    return out


def progress(what: str, timings: list[float]) -> None:
    if timings:
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        print(f"{what}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def signed_in_client(app):
    from backend.extensions import db
    from backend.models import Role, User
    from backend.services import users

    if db.session.query(User).filter_by(email="bench@example.com").first() is None:  # kept db
        users.create_user(None, email="bench@example.com", role=Role.MARKETER, password="x" * 16)
    client = app.test_client()
    response = client.post(
        "/api/auth/login", json={"email": "bench@example.com", "password": "x" * 16}
    )
    client.environ_base["HTTP_X_CSRF_TOKEN"] = response.json["csrf_token"]
    return client


def time_endpoint(client, ranges) -> list[float]:
    timings = []
    for start, end in ranges:
        for group_by in ("platform", "campaign"):
            query = {"start": str(start), "end": str(end), "group_by": group_by}
            began = time.perf_counter()
            response = client.get("/api/roi", query_string=query)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.json
    return timings


def time_naive(db, ranges) -> list[float]:
    from sqlalchemy import text

    timings = []
    for start, end in ranges:
        for key in NAIVE_KEYS.values():
            began = time.perf_counter()
            db.session.execute(text(NAIVE.format(key=key)), {"start": start, "end": end}).all()
            timings.append((time.perf_counter() - began) * 1000)
    db.session.rollback()
    return timings


def spend_matches(client, db, start, end) -> bool:
    """The endpoint's spend per platform equals the naive aggregate over the ad-level facts."""
    from sqlalchemy import text

    response = client.get("/api/roi", query_string={"start": str(start), "end": str(end)})
    assert response.status_code == 200, response.json
    rows = response.json
    ours = {r["key"]: r["spend"] for r in rows["rows"]}
    naive = db.session.execute(text(NAIVE.format(key="a.platform")), {"start": start, "end": end})
    return all(abs(ours[k] - float(v)) < 0.05 for k, v, *_ in naive)


def main() -> None:
    from backend.extensions import db

    with scratch_app(database=REUSE, keep=KEEP, REPORTING_CURRENCY="USD") as app:
        ad_rows, load_s = (loaded_rows(db), None) if REUSE else load(db)
        vacuum(db)
        client = signed_in_client(app)
        ranges = random_ranges(RANGES)
        time_endpoint(client, ranges[:10])  # warm-up: caches, first-request setup
        time_naive(db, ranges[:2])
        ours = time_endpoint(client, ranges)
        naive = time_naive(db, ranges)
        # the API serves ranges of up to about three years; check the last year of data
        consistent = spend_matches(client, db, END - dt.timedelta(days=364), END)
        began = time.perf_counter()
        load_customers(db)
        vacuum(db)
        customers_s = time.perf_counter() - began
        time_endpoint(client, ranges[:10])
        with_customers = time_endpoint(client, ranges) if CUSTOMERS else []
        progress("endpoint with customers", with_customers)
    p95, naive_p95 = percentile(ours, 95), percentile(naive, 95)
    report = {
        "bench": "roi_query",
        "rows": ad_rows,
        "days": DAYS,
        "ranges": len(ranges),
        "requests": len(ours),
        "p50_ms": round(percentile(ours, 50), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(max(ours), 2),
        "naive_p50_ms": round(percentile(naive, 50), 2),
        "naive_p95_ms": round(naive_p95, 2),
        "speedup_p95": round(naive_p95 / p95, 1),
        "spend_matches_naive": consistent,
        "customers": CUSTOMERS,
        "customers_p50_ms": round(percentile(with_customers, 50), 2) if with_customers else None,
        "customers_p95_ms": round(percentile(with_customers, 95), 2) if with_customers else None,
        "load_s": None if load_s is None else round(load_s, 1),
        "customers_load_s": round(customers_s, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "target_p95_ms": 50,
        "target_speedup": 20,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
