"""Benchmark: wall time of a 90-day backfill of every sandbox account with two worker processes
(Celery, concurrency 1 each) against the sandbox platforms, through the real SDK calls.

Reference in the same run: the same backfill on emptied tables executed in this one process,
run after run (with the sandbox's answers already cached, which favours the reference).
Last line: {"bench": "backfill", "accounts", "days", "runs", "rows", "wall_s", "serial_s",
"speedup_vs_serial"}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_app  # noqa: E402

DAYS = int(os.environ.get("BENCH_BACKFILL_DAYS", 90))


def _wait(db, model, ids, timeout=900):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        runs = db.session.query(model).filter(model.id.in_(ids)).all()
        if all(r.status in ("succeeded", "failed") for r in runs):
            return runs
        time.sleep(0.2)
    raise TimeoutError("backfill did not finish")


def main() -> None:
    from flask import current_app
    from sqlalchemy import text

    from backend.extensions import db
    from backend.models import SyncRun
    from backend.services.ingestion.sync import execute_sync_run, request_sync
    from backend.services.ingestion.windows import account_today
    from connectors.sandbox.runner import start_sandbox
    from devstack.demo import ensure_sandbox_accounts

    queue = f"bench-backfill-{os.getpid()}"
    sandbox = start_sandbox()
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    with scratch_app(
        **sandbox.config(),
        ENCRYPTION_KEYS=key,
        CELERY_QUEUE=queue,
        CELERY={"task_default_queue": queue},
    ) as app:
        accounts = ensure_sandbox_accounts()
        env = {
            **os.environ,
            "DATABASE_URL": current_app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": current_app.config["REDIS_URL"],
            "SPENDLENS_SECRET_KEY": "bench",
            "SPENDLENS_ENCRYPTION_KEYS": key,
            "SPENDLENS_CELERY_QUEUE": queue,
            **sandbox.environment(),
        }
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "workers.app",
                    "worker",
                    "-Q",
                    queue,
                    "-c",
                    "1",
                    "-n",
                    f"bench{i}-{os.getpid()}@%h",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i in range(2)
        ]
        try:
            time.sleep(5)  # both workers connected before the clock starts
            began = time.perf_counter()
            ids = []
            for account in accounts:
                today = account_today(account)
                ids += [
                    r.id
                    for r in request_sync(
                        account.id, "backfill", today - dt.timedelta(days=DAYS), today
                    )
                ]
            runs = _wait(db, SyncRun, ids)
            wall = time.perf_counter() - began
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait()
        failed = [r.error for r in runs if r.status != "succeeded"]
        assert not failed, failed
        rows = sum(r.rows for r in runs)
        # Reference: the same runs again on emptied tables, one after the other in this process
        # (the sandbox's answers are cached by now, which favours the reference).
        db.session.execute(
            text(
                "TRUNCATE campaigns, campaign_daily_metrics, ad_daily_metrics, "
                "daily_rollups CASCADE"
            )
        )
        db.session.execute(text("UPDATE sync_runs SET status = 'queued'"))
        db.session.commit()
        began = time.perf_counter()
        for run_id in ids:
            execute_sync_run(run_id)
        serial = time.perf_counter() - began
        app.extensions["celery"].control.purge()
    sandbox.stop()
    print(
        json.dumps(
            {
                "bench": "backfill",
                "accounts": len(accounts),
                "days": DAYS,
                "runs": len(ids),
                "rows": rows,
                "wall_s": round(wall, 2),
                "serial_s": round(serial, 2),
                "speedup_vs_serial": round(serial / wall, 2),
                "workers": 2,
            }
        )
    )


if __name__ == "__main__":
    main()
