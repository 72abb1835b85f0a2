"""A Spendlens stack whose PostgreSQL and Redis belong to the caller, who may restart them and
SIGKILL its workers: used by tests/workers/test_outages.py and bench/recovery.py.

The stack is a PostgreSQL cluster and a redis-server of its own (tests/servers.py), a migrated
database, the app on them, and Celery worker and beat processes started on demand with the
sandbox platforms' endpoints.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa

from backend.errors import OUTAGES, forget_session
from tests.servers import PostgresCluster, RedisServer

ROOT = Path(__file__).resolve().parent.parent

#: Fast recovery for tests: a beat every second, silent for 12 s is dead (30 s for a retry held
#: by a worker), the reaper every 3 s.
FAST_RECOVERY = {
    "SYNC_HEARTBEAT_SECONDS": 1,
    "SYNC_STALE_SECONDS": 12,
    "SYNC_QUEUED_SILENT_SECONDS": 30,
    "SYNC_REAPER_SECONDS": 3,
}


class Stack:
    def __init__(
        self, sandbox_config: dict[str, str], encryption_keys: str, **overrides: object
    ) -> None:
        from flask_migrate import upgrade

        from backend import create_app
        from backend.config import sqlalchemy_url

        self.pg = PostgresCluster()
        self.pg.start()
        self.redis = RedisServer()
        self.redis.start()
        admin = sa.create_engine(sqlalchemy_url(self.pg.url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE "spendlens_chaos"'))
        admin.dispose()
        self.database_url = sqlalchemy_url(self.pg.url).rsplit("/", 1)[0] + "/spendlens_chaos"
        self.queue = "chaos"
        self.settings = {**FAST_RECOVERY, **overrides}
        self.config = {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": "chaos",
            "ENCRYPTION_KEYS": encryption_keys,
            "CELERY_QUEUE": self.queue,
            "CELERY": {"task_default_queue": self.queue},
            "SYNC_ON_CREATE": False,
            **sandbox_config,
            **self.settings,
        }
        self.app = create_app(self.config)
        with self.app.app_context():
            upgrade()
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "SPENDLENS_SECRET_KEY": "chaos",
            "SPENDLENS_ENCRYPTION_KEYS": encryption_keys,
            "SPENDLENS_CELERY_QUEUE": self.queue,
            "SPENDLENS_SYNC_ON_CREATE": "off",
            **{f"SPENDLENS_{k}": v for k, v in sandbox_config.items()},
            **{f"SPENDLENS_{k}": str(v) for k, v in self.settings.items()},
        }
        self.processes: list[subprocess.Popen] = []
        self.logs = ROOT / "var"
        self.logs.mkdir(exist_ok=True)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"chaos-{name}-{os.getpid()}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(proc)
        return proc

    def worker(self, name: str, concurrency: int = 2) -> subprocess.Popen:
        """A worker in a process group of its own (for killpg), with the demo's options."""
        return self._spawn(
            name,
            [
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(concurrency),
                "-n",
                f"{name}-{os.getpid()}@%h",
                "--loglevel",
                "INFO",
            ],
        )

    def beat(self) -> subprocess.Popen:
        schedule = self.pg.dir.parent / f"chaos-beat-{os.getpid()}-{len(self.processes)}"
        return self._spawn("beat", ["beat", "--schedule", str(schedule), "--loglevel", "INFO"])

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with self.app.app_context():
            from backend.extensions import db

            db.session.remove()
            db.engine.dispose()
        self.pg.remove()
        self.redis.remove()


def patiently(read: Callable[[], object], timeout: float = 60) -> object:
    """Call `read` (in an app context) until it does not meet an outage."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return read()
        except OUTAGES:
            forget_session()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def run_states(run_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """For each planned run: the status (and error) of the run that last took over its window."""
    from backend.extensions import db
    from backend.services.ingestion.recovery import latest_attempt

    db.session.expire_all()
    states = {}
    for run_id in run_ids:
        run = latest_attempt(run_id)
        states[run_id] = (run.status, run.error)
    db.session.commit()
    return states


def wait_for_windows(run_ids: list[int], timeout: float) -> dict[int, tuple[str, str | None]]:
    """Wait until every planned run's window is done (its latest attempt finished)."""
    deadline = time.monotonic() + timeout
    states: dict = {}
    while time.monotonic() < deadline:
        states = patiently(lambda: run_states(run_ids))
        if all(status in ("succeeded", "failed") for status, _ in states.values()):
            return states
        time.sleep(1)
    raise AssertionError(f"windows not done after {timeout}s: {states}")


def wait_for_running(timeout: float = 120) -> int:
    """Wait until some sync run is running; its id."""
    from backend.extensions import db
    from backend.models import SyncRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_id = patiently(
            lambda: db.session.scalar(
                sa.select(SyncRun.id).where(SyncRun.status == "running").limit(1)
            )
        )
        db.session.commit()
        if run_id:
            return run_id
        time.sleep(0.2)
    raise AssertionError("no sync run started")


def stored_spend(account_id: int, start: dt.date, end: dt.date):
    from backend.extensions import db

    return db.session.execute(
        sa.text(
            "SELECT coalesce(sum(spend), 0) FROM campaign_daily_metrics WHERE ad_account_id = :a "
            "AND breakdown = 'none' AND date BETWEEN :s AND :e"
        ),
        {"a": account_id, "s": start, "e": end},
    ).scalar_one()
