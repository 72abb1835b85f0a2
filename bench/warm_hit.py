"""Benchmark: what an answer-cache hit costs the web process, against /api/health, in-process.

Through Flask's test client (no network, no gunicorn), one signed-in marketer asks each of the
overview, ROI by platform, campaign and country and the week cohorts once (computed and kept),
then again and again for BENCH_SECONDS each: every one of those is a cache hit. /api/health is
timed the same way in the same process as the reference. Less noisy than bench/api_load.py on
a loaded machine, since both are measured one request at a time on the same CPU.

Environment: BENCH_DATABASE=<name> reuses a kept database (e.g. one bench/api_load.py kept with
BENCH_KEEP=1), else a scratch one gets a small load (BENCH_AD_ROWS, BENCH_CUSTOMERS,
BENCH_REVENUE_EVENTS, defaults 100,000 / 5,000 / 20,000); BENCH_SECONDS (default 3);
BENCH_PROFILE=<endpoint> prints cProfile's top functions of that endpoint's hits to stderr.
Last line, one JSON object: {"bench": "warm_hit", "health_rps", "health_cpu_ms", "endpoints":
{name: {"rps", "mean_ms", "cpu_ms", "vs_health", "cpu_vs_health", "bytes"}}}; vs_health = rps ÷
health_rps (1.0: a hit takes what the health check takes), cpu_vs_health the same of this
process's CPU time per request (what limits a busy web worker; the wall time includes waiting
on PostgreSQL and Redis).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("BENCH_AD_ROWS", "100000")
os.environ.setdefault("BENCH_CUSTOMERS", "5000")
os.environ.setdefault("BENCH_REVENUE_EVENTS", "20000")

from bench import api_load  # noqa: E402
from bench._db import scratch_app  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", 3))
PROFILE = os.environ.get("BENCH_PROFILE") or None
EMAIL = "warm-hit@example.com"


def timed(client, url: str, seconds: float, profile: bool = False) -> tuple[int, float, float, int]:
    """(requests, seconds taken, CPU seconds of this process, bytes of the last answer); every
    answer a 200, every ranged one a cache hit."""
    profiler = cProfile.Profile(time.process_time) if profile else None
    count, size = 0, 0
    cpu = time.process_time()
    began = time.perf_counter()
    if profiler:
        profiler.enable()
    while time.perf_counter() - began < seconds:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if "/health" not in url and response.headers.get("X-Spendlens-Cache") != "hit":
            raise RuntimeError(f"{url} was not a cache hit")
        size = len(response.get_data())
        count += 1
    took = time.perf_counter() - began
    cpu = time.process_time() - cpu
    if profiler:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue(), file=sys.stderr)
    return count, took, cpu, size


def main() -> None:
    from sqlalchemy import text

    from backend.extensions import db
    from backend.models import Role
    from backend.services import users

    reuse = os.environ.get("BENCH_DATABASE") or None
    with scratch_app(database=reuse, REPORTING_CURRENCY="USD", REDIS_URL=_redis()) as app:
        if not reuse:
            api_load.load(db)
        if db.session.execute(text("SELECT 1 FROM users WHERE email = :e"), {"e": EMAIL}).first():
            pass
        else:
            users.create_user(None, email=EMAIL, role=Role.MARKETER, password=api_load.PASSWORD)
        db.session.commit()
        db.session.remove()
        client = app.test_client()
        login = client.post("/api/auth/login", json={"email": EMAIL, "password": api_load.PASSWORD})
        if login.status_code != 200:
            raise RuntimeError(f"login answered {login.status_code}")
        start, end = api_load.popular_ranges()[1]
        urls = {}
        for name, (path, extra) in api_load.ENDPOINTS.items():
            query = {**extra, "start": start.isoformat(), "end": end.isoformat()}
            urls[name] = path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
            client.get(urls[name])  # computed and kept
        timed(client, "/api/health", 0.5)  # warm-up
        count, took, cpu, _ = timed(client, "/api/health", SECONDS)
        health_rps = count / took
        health_cpu_ms = 1000 * cpu / count
        endpoints = {}
        for name, url in urls.items():
            count, took, cpu, size = timed(client, url, SECONDS, profile=name == PROFILE)
            rps = count / took
            endpoints[name] = {
                "rps": round(rps, 1),
                "mean_ms": round(1000 * took / count, 2),
                "cpu_ms": round(1000 * cpu / count, 2),
                "cpu_vs_health": round(cpu / count / (health_cpu_ms / 1000), 2),
                "vs_health": round(rps / health_rps, 2),
                "bytes": size,
            }
    print(
        json.dumps(
            {
                "bench": "warm_hit",
                "health_rps": round(health_rps, 1),
                "health_mean_ms": round(1000 / health_rps, 2),
                "health_cpu_ms": round(health_cpu_ms, 2),
                "endpoints": endpoints,
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    )


def _redis() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


if __name__ == "__main__":
    main()
