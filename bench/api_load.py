"""Benchmark: the dashboard's endpoints as users meet them, over HTTP against the real web server.

Loads a scratch database (spend through the sync's write path, then customers, revenue events
and an LTV model version whose outputs are stored first and activated after, as training does),
starts gunicorn with the demo's worker settings (2 workers x 4 threads), signs in one marketer
per client and, for BENCH_SECONDS each, drives with BENCH_CLIENTS concurrent keep-alive clients:
first /api/health (the stack's floor), then each of the overview, ROI by platform, campaign and
country, and the day cohorts. Each request picks one of a few popular ranges (last 7, 30 and 90
days, the whole data) with probability 0.8, else a new random range. Answers from the answer
cache (X-Spendlens-Cache: hit) are "warm", the others "cold". With BENCH_WRITES=1, the overview
is driven once more while one writer replaces one account's spend slices again and again (a
backfill, a commit per 30-day chunk) and another stores and activates a model version:
`under_writes` holds the writers' commits, the activation's seconds, the floor measured while
they write, the overview's figures and their ratios to the quiet run's (`p95_vs_quiet`).

Environment: BENCH_AD_ROWS (default 10,000,000 ad-level rows), BENCH_CUSTOMERS (1,000,000),
BENCH_REVENUE_EVENTS (20,000,000), BENCH_CLIENTS (8), BENCH_SECONDS (20),
BENCH_WRITES (1), BENCH_KEEP=1 keeps the database, BENCH_DATABASE=<name> reuses a kept one,
BENCH_POPULAR_SHARE (0.8: the share of requests for a popular range; 1 asks only those, so that
after their first answers every request is a cache hit and the warm path is measured alone).
Last line, one JSON object: {"bench": "api_load", "clients", "customers", "ad_rows",
"floor_p95_ms", "errors", "max_worker_rss_mb", "max_worker_anon_mb", "max_worker_pss_mb",
"endpoints": {name: {"warm_rps", "warm_p50_ms", "warm_p95_ms", "warm_p99_ms", "cold_p95_ms",
...}}, ...}. Targets (8 clients, 2 cores): warm
p95 <= 50 ms and >= 200 req/s per endpoint, cold p95 <= 300 ms at 1M customers, no error,
<= 300 MB per web worker.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.services.roi.report import MAX_RANGE_DAYS  # noqa: E402
from bench import _roi_world as world  # noqa: E402
from bench._db import scratch_app  # noqa: E402
from bench.roi_query import percentile, vacuum  # noqa: E402

AD_ROWS = int(os.environ.get("BENCH_AD_ROWS", 10_000_000))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 1_000_000))
REVENUE_EVENTS = int(os.environ.get("BENCH_REVENUE_EVENTS", 20_000_000))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 8))
SECONDS = float(os.environ.get("BENCH_SECONDS", 20))
WRITES = os.environ.get("BENCH_WRITES", "1") == "1"
REUSE = os.environ.get("BENCH_DATABASE") or None
KEEP = os.environ.get("BENCH_KEEP") == "1"
ADS = world.ADS_PER_ACCOUNT * len(world.accounts())
DAYS = max(60, math.ceil(AD_ROWS / ADS))
START = dt.date(2024, 1, 1)
END = START + dt.timedelta(days=DAYS - 1)
PASSWORD = "bench-password-" + "x" * 8
#: The demo's web server settings (devstack/launcher.py), and its environment (WEB_ENV there).
GUNICORN = ("--workers", "2", "--threads", "4")

ENDPOINTS = {
    "overview": ("/api/overview", {}),
    "roi_platform": ("/api/roi", {"group_by": "platform"}),
    "roi_campaign": ("/api/roi", {"group_by": "campaign"}),
    "roi_country": ("/api/roi", {"group_by": "country"}),
    "cohorts": ("/api/cohorts", {"cohort": "week"}),  # the page's default grain
}
POPULAR_SHARE = float(os.environ.get("BENCH_POPULAR_SHARE", 0.8))

EMPTY_VERSION = """
    INSERT INTO model_versions (kind, algorithm, status, is_active, trained_at, params, metrics,
                                source)
    VALUES ('ltv', 'hgb', 'ready', false, now(), '{}', '{}', 'spendlens') RETURNING id
"""
OUTPUTS = """
    INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30, predicted_ltv_90,
                               predicted_ltv_365, churn_probability, p_alive)
    SELECT :v, c.id, x * 21, x * 36, x * 72, random(), random()
    FROM customers c, LATERAL (SELECT random() + 0.2 AS x) r
"""


def load(db) -> dict:
    """Spend, customers, revenue and a model; seconds of each step."""
    from sqlalchemy import text

    timings = {}
    ad_rows, timings["spend_load_s"] = world.load_spend(db, START, DAYS)
    began = time.perf_counter()
    db.session.execute(text("SELECT setseed(0.42)"))
    spread = max(1, 2 * REVENUE_EVENTS // max(CUSTOMERS, 1) - 1)
    params = {"start": START, "end": END, "days": DAYS, "customers": CUSTOMERS, "spread": spread}
    db.session.execute(text(world.CUSTOMERS), params)
    db.session.commit()
    timings["customers_load_s"] = time.perf_counter() - began
    began = time.perf_counter()
    db.session.execute(text(world.REVENUE), params)
    db.session.commit()
    timings["revenue_load_s"] = time.perf_counter() - began
    timings |= store_and_activate_model(db)
    return {"ad_rows": ad_rows, **timings}


def store_and_activate_model(db, both_orders: bool = True) -> dict:
    """A model version's outputs stored while it is inactive, then the version activated; then
    (`both_orders`) the other order: a version activated first, its outputs stored after."""
    from sqlalchemy import text

    began = time.perf_counter()
    version = db.session.execute(text(EMPTY_VERSION)).scalar_one()
    db.session.execute(text(OUTPUTS), {"v": version})
    db.session.commit()
    stored = time.perf_counter() - began
    began = time.perf_counter()
    activate(db, version)
    timings = {"model_store_s": stored, "model_activate_s": time.perf_counter() - began}
    if not both_orders:
        return timings
    began = time.perf_counter()
    version = db.session.execute(text(EMPTY_VERSION)).scalar_one()
    activate(db, version)
    timings["model_activate_empty_s"] = time.perf_counter() - began
    began = time.perf_counter()
    db.session.execute(text(OUTPUTS), {"v": version})
    db.session.commit()
    timings["model_store_under_active_s"] = time.perf_counter() - began
    timings["model_active_first_s"] = (
        timings["model_activate_empty_s"] + timings["model_store_under_active_s"]
    )
    return timings


def activate(db, version: int) -> None:
    from sqlalchemy import text

    # as services.predictions.versions does it: the others off, then this one on (one active a kind)
    db.session.execute(
        text("UPDATE model_versions SET is_active = false WHERE kind = 'ltv' AND id <> :v"),
        {"v": version},
    )
    on = text("UPDATE model_versions SET is_active = true WHERE id = :v")
    db.session.execute(on, {"v": version})
    db.session.commit()


def counts(db) -> dict:
    from sqlalchemy import text

    def count(sql: str) -> int:
        return db.session.execute(text(sql)).scalar_one()

    return {
        "ad_rows": count("SELECT count(*) FROM ad_daily_metrics WHERE breakdown = 'none'"),
        "customers": count("SELECT count(*) FROM customers"),
        "revenue_events": count("SELECT count(*) FROM revenue_events"),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, log: Path) -> subprocess.Popen:
    from devstack.launcher import WEB_ENV

    env = {
        **WEB_ENV,
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SPENDLENS_SECRET_KEY": secrets.token_hex(32),
        "SPENDLENS_REPORTING_CURRENCY": "USD",
        "SPENDLENS_ROI_CACHE_PREFIX": f"spendlens-bench-{secrets.token_hex(4)}:roi",
        "SPENDLENS_LOGIN_THROTTLE_PREFIX": f"spendlens-bench-{secrets.token_hex(4)}:login",
    }
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *GUNICORN,
        "backend:create_app()",
    ]  # fmt: skip
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(log.read_text()[-2000:]) from None
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start in 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


#: What a request on a keep-alive connection the server closed while idle raises.
CLOSED_WHILE_IDLE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Client:
    """One signed-in user on one keep-alive connection."""

    def __init__(self, port: int, email: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.reconnects = 0
        body = json.dumps({"email": email, "password": PASSWORD})
        status, _, _ = self.request("POST", "/api/auth/login", body)
        if status != 200:
            raise RuntimeError(f"login answered {status}")

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("X-Spendlens-Cache") or "", data


def popular_ranges() -> list[tuple[dt.date, dt.date]]:
    """The last 7, 30 and 90 days and the whole data, as long as the API allows (a longer
    range is answered 422)."""
    longest = max(START, END - dt.timedelta(days=MAX_RANGE_DAYS - 1))
    return [
        (END - dt.timedelta(days=6), END),
        (END - dt.timedelta(days=29), END),
        (END - dt.timedelta(days=89), END),
        (longest, END),
    ]


def pick_range(rng: random.Random) -> tuple[dt.date, dt.date]:
    if rng.random() < POPULAR_SHARE:
        return rng.choice(popular_ranges())
    length = rng.randint(7, min(180, DAYS))
    start = START + dt.timedelta(days=rng.randrange(DAYS - length + 1))
    return start, start + dt.timedelta(days=length - 1)


def drive(clients: list[Client], path: str, extra: dict, seconds: float, ranged: bool) -> list:
    """Every client asks, one request after the other, for `seconds`; (ms, cache, status)."""
    results: list[tuple[float, str, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(index: int, client: Client) -> None:
        rng = random.Random(index * 7919 + int(time.time()))
        mine = []
        while time.monotonic() < deadline:
            query = dict(extra)
            if ranged:
                start, end = pick_range(rng)
                query |= {"start": start.isoformat(), "end": end.isoformat()}
            url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
            began = time.perf_counter()
            try:
                try:
                    status, cache, _ = client.request("GET", url)
                except CLOSED_WHILE_IDLE:
                    # the server closed the idle keep-alive connection (gunicorn's keepalive):
                    # a browser asks again on a new one, and so does this client, once (timed)
                    client.conn.close()
                    client.reconnects += 1
                    status, cache, _ = client.request("GET", url)
            except (OSError, http.client.HTTPException):
                status, cache = 0, ""
                client.conn.close()
            mine.append(((time.perf_counter() - began) * 1000, cache, status))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class RssWatch:
    """The largest memory of the server's worker processes, sampled every 0.5 s (MB): resident
    set (`rss`, what top shows: it counts the pages of shared libraries each time), anonymous
    resident memory (`anon`, what the worker allocated itself) and proportional set size
    (`pss`, shared pages divided among the processes that map them)."""

    def __init__(self, master: int) -> None:
        self.master, self._stop = master, threading.Event()
        self.max_mb = dict.fromkeys(("rss", "anon", "pss"), 0.0)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for pid in _children(self.master):
                for name, mb in _memory_mb(pid).items():
                    self.max_mb[name] = max(self.max_mb[name], mb)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {name: round(mb, 1) for name, mb in self.max_mb.items()}


def _children(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                out.append(int(entry.name))
    return out


def _memory_mb(pid: int) -> dict[str, float]:
    fields = {"VmRSS:": "rss", "RssAnon:": "anon", "Pss:": "pss"}
    found = {}
    for source in (f"/proc/{pid}/status", f"/proc/{pid}/smaps_rollup"):
        try:
            lines = Path(source).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts and parts[0] in fields:
                found[fields[parts[0]]] = int(parts[1]) / 1024
    return found


def summary(results: list, seconds: float) -> dict:
    warm = [ms for ms, cache, status in results if status == 200 and cache == "hit"]
    cold = [ms for ms, cache, status in results if status == 200 and cache != "hit"]

    def p(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 1) if values else None

    done = warm + cold
    return {
        "requests": len(results),
        "rps": round(len(results) / seconds, 1),
        "p50_ms": p(done, 50),
        "p95_ms": p(done, 95),
        "warm_rps": round(len(warm) / seconds, 1),
        "warm_p50_ms": p(warm, 50),
        "warm_p95_ms": p(warm, 95),
        "warm_p99_ms": p(warm, 99),
        "cold_requests": len(cold),
        "cold_p50_ms": p(cold, 50),
        "cold_p95_ms": p(cold, 95),
        "errors": sum(1 for _, _, status in results if status != 200),
        "error_statuses": sorted({status for _, _, status in results if status != 200}),
    }


class Backfill:
    """Writers while the dashboard is read: one replaces one account's spend slices again and
    again, each 30-day chunk committed as a backfill does; another stores a model version's
    outputs and activates it, once (its seconds in `activation_s`, None if unfinished)."""

    def __init__(self, app) -> None:
        self.app, self.commits, self.activation_s = app, 0, None
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._backfill, daemon=True),
            threading.Thread(target=self._activation, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _backfill(self) -> None:
        from sqlalchemy import text

        from backend.extensions import db
        from backend.services.ingestion.slices import Slice, replace_metric_slice
        from backend.services.roi.rollups import refresh_rollups

        with self.app.app_context():
            account = db.session.execute(
                text("SELECT id, platform, external_id, currency FROM ad_accounts ORDER BY id")
            ).first()
            while not self._stop.is_set():
                for first, last in world.chunks(START, DAYS):
                    if self._stop.is_set():
                        break
                    slices = world.chunk_rows(*account[1:], first, last, START)
                    cursor = db.session.connection().connection.cursor()
                    for (level, breakdown), rows in slices.items():
                        target = Slice(account[0], level, breakdown, first, last)
                        replace_metric_slice(cursor, target, rows, sync_run_id=None)
                        if level.value == "campaign":
                            refresh_rollups(cursor, target, "USD")
                    db.session.commit()
                    self.commits += 1
            db.session.remove()

    def _activation(self) -> None:
        from backend.extensions import db

        with self.app.app_context():
            began = time.perf_counter()
            store_and_activate_model(db, both_orders=False)
            self.activation_s = round(time.perf_counter() - began, 1)
            db.session.remove()

    def stop(self) -> dict:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return {"commits": self.commits, "activation_s": self.activation_s}


def _ratio(value: float | None, reference: float | None) -> float | None:
    return round(value / reference, 2) if value and reference else None


def main() -> None:
    from sqlalchemy import text

    from backend.extensions import db
    from backend.models import Role
    from backend.services import users

    user_exists = text("SELECT 1 FROM users WHERE email = :e")
    with scratch_app(database=REUSE, keep=KEEP, REPORTING_CURRENCY="USD") as app:
        loaded = {} if REUSE else load(db)
        vacuum(db)
        sizes = counts(db)
        emails = [f"bench{i}@example.com" for i in range(CLIENTS)]
        for email in emails:
            if db.session.execute(user_exists, {"e": email}).first() is None:
                users.create_user(None, email=email, role=Role.MARKETER, password=PASSWORD)
        db.session.commit()
        url = db.engine.url.render_as_string(hide_password=False)
        port = free_port()
        log = Path(tempfile.gettempdir()) / f"api_load_gunicorn_{port}.log"
        server = start_server(url, port, log)
        print(f"web server log: {log}", file=sys.stderr, flush=True)
        try:
            watch = RssWatch(server.pid)
            clients = [Client(port, email) for email in emails]
            drive(clients, "/api/health", {}, min(3.0, SECONDS), ranged=False)  # warm-up
            floor = summary(drive(clients, "/api/health", {}, SECONDS, ranged=False), SECONDS)
            print(f"health: {floor}", file=sys.stderr, flush=True)
            endpoints = {}
            for name, (path, extra) in ENDPOINTS.items():
                endpoints[name] = summary(drive(clients, path, extra, SECONDS, True), SECONDS)
                print(f"{name}: {endpoints[name]}", file=sys.stderr, flush=True)
            writes = None
            if WRITES:
                path, extra = ENDPOINTS["overview"]
                backfill = Backfill(app)
                floor_under = summary(drive(clients, "/api/health", {}, 3.0, False), 3.0)
                under = summary(drive(clients, path, extra, SECONDS, True), SECONDS)
                writes = {
                    **backfill.stop(),
                    "floor_p95_ms": floor_under["p95_ms"],
                    **under,
                    "p95_vs_quiet": _ratio(under["p95_ms"], endpoints["overview"]["p95_ms"]),
                    "warm_p95_vs_quiet": _ratio(
                        under["warm_p95_ms"], endpoints["overview"]["warm_p95_ms"]
                    ),
                }
                print(f"overview under writes: {writes}", file=sys.stderr, flush=True)
            memory = watch.stop()
        finally:
            stop_server(server)
    all_p95 = [e["warm_p95_ms"] for e in endpoints.values() if e["warm_p95_ms"] is not None]
    report = {
        "bench": "api_load",
        "clients": CLIENTS,
        "customers": sizes["customers"],
        "ad_rows": sizes["ad_rows"],
        "revenue_events": sizes["revenue_events"],
        "days": DAYS,
        "seconds_per_endpoint": SECONDS,
        "popular_share": POPULAR_SHARE,
        "floor_p95_ms": floor["p95_ms"],
        "floor_rps": floor["rps"],
        "errors": floor["errors"] + sum(e["errors"] for e in endpoints.values()),
        "reconnects": sum(client.reconnects for client in clients),
        "max_worker_rss_mb": memory["rss"],
        "max_worker_anon_mb": memory["anon"],
        "max_worker_pss_mb": memory["pss"],
        "endpoints": endpoints,
        "warm_p95_vs_floor": round(max(all_p95) / floor["p95_ms"], 2) if all_p95 else None,
        "under_writes": writes,
        **{k: round(v, 1) for k, v in loaded.items() if k.endswith("_s")},
        "load_average": round(os.getloadavg()[0], 2),
        "targets": {"warm_p95_ms": 50, "warm_rps": 200, "cold_p95_ms": 300, "rss_mb": 300},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
