"""Benchmark: what a cold answer (a range not in the answer cache) costs, in-process.

Through Flask's test client (no network, no gunicorn), one signed-in marketer asks each of the
overview, ROI by platform, campaign and country and the week cohorts for BENCH_RANGES new
random ranges (bench/api_load.py's mix of new ranges, the same ranges for every endpoint), each
a cache miss (the run keeps its answers under a cache prefix of its own, so the same ranges,
from BENCH_SEED, are new to every run and runs compare), one request at a time; /api/health
is timed the same way as the reference.

Environment: BENCH_DATABASE=<name> reuses a kept database, else a scratch one gets
bench/api_load.py's load at BENCH_AD_ROWS, BENCH_CUSTOMERS, BENCH_REVENUE_EVENTS (defaults
1,000,000 / 60,000 / 600,000); BENCH_KEEP=1 keeps it; BENCH_RANGES (default 20), BENCH_SEED (7);
BENCH_PROFILE=<endpoint> prints cProfile's top functions of that endpoint's requests to stderr.
Last line, one JSON object: {"bench": "cold_answer", "customers", "ad_rows", "health_ms",
"load_average", "endpoints": {name: {"p50_ms", "p95_ms", "max_ms", "p50_vs_health",
"cpu_ms"}}}; cpu_ms is this process's mean CPU time per request (the wall time includes waiting
on PostgreSQL).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("BENCH_AD_ROWS", "1000000")
os.environ.setdefault("BENCH_CUSTOMERS", "60000")
os.environ.setdefault("BENCH_REVENUE_EVENTS", "600000")

from bench import api_load  # noqa: E402
from bench._db import scratch_app  # noqa: E402
from bench.roi_query import percentile, vacuum  # noqa: E402

RANGES = int(os.environ.get("BENCH_RANGES", 20))
PROFILE = os.environ.get("BENCH_PROFILE") or None
KEEP = os.environ.get("BENCH_KEEP") == "1"
SEED = int(os.environ.get("BENCH_SEED", 7))
EMAIL = "cold-answer@example.com"


def new_ranges(count: int) -> list:
    """`count` distinct ranges of api_load's new-range mix (never one of its popular ranges)."""
    rng = random.Random(SEED)
    popular = set(api_load.popular_ranges())
    out: list = []
    while len(out) < count:
        api_load_range = _new_range(rng)
        if api_load_range not in popular and api_load_range not in out:
            out.append(api_load_range)
    return out


def _new_range(rng: random.Random) -> tuple:
    import datetime as dt

    length = rng.randint(7, min(180, api_load.DAYS))
    start = api_load.START + dt.timedelta(days=rng.randrange(api_load.DAYS - length + 1))
    return start, start + dt.timedelta(days=length - 1)


def main() -> None:
    from sqlalchemy import text

    from backend.extensions import db
    from backend.models import Role
    from backend.services import users

    reuse = os.environ.get("BENCH_DATABASE") or None
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # answers kept under a prefix of this run's own: the same ranges are new to every run
    config = {"REDIS_URL": redis_url, "ROI_CACHE_PREFIX": f"bench-cold:{secrets.token_hex(4)}"}
    with scratch_app(database=reuse, keep=KEEP, REPORTING_CURRENCY="USD", **config) as app:
        if not reuse:
            api_load.load(db)
            vacuum(db)
        if not db.session.execute(
            text("SELECT 1 FROM users WHERE email = :e"), {"e": EMAIL}
        ).first():
            users.create_user(None, email=EMAIL, role=Role.MARKETER, password=api_load.PASSWORD)
        db.session.commit()
        counts = api_load.counts(db)
        db.session.remove()
        client = app.test_client()
        login = client.post("/api/auth/login", json={"email": EMAIL, "password": api_load.PASSWORD})
        if login.status_code != 200:
            raise RuntimeError(f"login answered {login.status_code}")
        ranges = new_ranges(RANGES + 1)
        health = []
        for _ in range(50):
            began = time.perf_counter()
            client.get("/api/health")
            health.append(1000 * (time.perf_counter() - began))
        endpoints = {}
        for name, (path, extra) in api_load.ENDPOINTS.items():
            profiler = cProfile.Profile() if name == PROFILE else None
            times, cpu = [], 0.0
            for index, (start, end) in enumerate(ranges):
                query = {**extra, "start": start.isoformat(), "end": end.isoformat()}
                url = path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
                measured = index > 0  # the first warms the process (imports, plans)
                if profiler and measured:
                    profiler.enable()
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                took, took_cpu = time.perf_counter() - began, time.process_time() - began_cpu
                if profiler and measured:
                    profiler.disable()
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                if response.headers.get("X-Spendlens-Cache") == "hit":
                    raise RuntimeError(f"{url} was a cache hit")
                if measured:
                    times.append(1000 * took)
                    cpu += took_cpu
            endpoints[name] = {
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "max_ms": round(max(times), 1),
                "p50_vs_health": round(percentile(times, 50) / percentile(health, 50), 1),
                "cpu_ms": round(1000 * cpu / len(times), 1),
            }
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(50)
                print(out.getvalue(), file=sys.stderr)
    print(
        json.dumps(
            {
                "bench": "cold_answer",
                **counts,
                "ranges": RANGES,
                "health_ms": round(percentile(health, 50), 2),
                "endpoints": endpoints,
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
