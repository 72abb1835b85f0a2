"""Benchmark: the demo's older history loaded straight from the sandbox's World
(`devstack.demo_world.load_spend_history`: the connectors' rows without the network,
through the sync's COPY slice path) for every demo account.

Reference in the same run: the same days of the same accounts through the platforms, one sync
run per account executed in this process (the real SDK calls against the sandbox servers), on
emptied tables. Both write the same rows (tests/backend/test_sandbox_history.py).
Last line: {"bench": "demo_history", "accounts", "days", "rows", "direct_s", "direct_cpu_s",
"sync_s", "speedup_vs_sync"}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_app  # noqa: E402

DAYS = int(os.environ.get("BENCH_DEMO_HISTORY_DAYS", 30))
FACTS = "campaigns, campaign_daily_metrics, ad_daily_metrics, daily_rollups, sync_runs"


def main() -> None:
    from cryptography.fernet import Fernet
    from sqlalchemy import func, select, text

    from backend.extensions import db
    from backend.models import SyncRun
    from backend.services.ingestion.sync import execute_sync_run
    from backend.services.ingestion.windows import account_today
    from connectors.sandbox.generator import World
    from connectors.sandbox.runner import start_sandbox
    from devstack.demo import ensure_sandbox_accounts
    from devstack.demo_world import load_spend_history

    sandbox = start_sandbox()
    world = World()
    with scratch_app(**sandbox.config(), ENCRYPTION_KEYS=Fernet.generate_key().decode()):
        accounts = ensure_sandbox_accounts()
        windows = {}
        for account in accounts:
            end = account_today(account) - dt.timedelta(days=1)
            windows[account.id] = (end - dt.timedelta(days=DAYS - 1), end)
        began, cpu = time.perf_counter(), time.process_time()
        rows = sum(load_spend_history(a, world, *windows[a.id]) for a in accounts)
        direct, direct_cpu = time.perf_counter() - began, time.process_time() - cpu
        db.session.execute(text(f"TRUNCATE {FACTS} CASCADE"))
        db.session.commit()
        runs = []
        for account in accounts:
            start, end = windows[account.id]
            run = SyncRun(
                ad_account_id=account.id,
                kind="backfill",
                window_start=start,
                window_end=end,
                status="queued",
                attempts=0,
                rows=0,
            )
            db.session.add(run)
            runs.append(run)
        db.session.commit()
        began = time.perf_counter()
        for run in runs:
            assert execute_sync_run(run.id).status == "succeeded", run.error
        synced = time.perf_counter() - began
        synced_rows = db.session.scalar(select(func.sum(SyncRun.rows)))
        assert synced_rows == rows, (synced_rows, rows)
    sandbox.stop()
    print(
        json.dumps(
            {
                "bench": "demo_history",
                "accounts": len(accounts),
                "days": DAYS,
                "rows": rows,
                "direct_s": round(direct, 2),
                "direct_cpu_s": round(direct_cpu, 2),
                "sync_s": round(synced, 2),
                "speedup_vs_sync": round(synced / direct, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
