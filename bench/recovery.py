"""Benchmark: a backfill of every sandbox account that meets one PostgreSQL restart, one Redis
restart and one SIGKILL of a worker's process group, each at a random moment while runs are
still unfinished, on a PostgreSQL cluster and a redis-server of its own, with two Celery workers
and beat on the product's default recovery settings.

A planned run counts as succeeded when the run that last took over its window (itself, or the
run the reaper queued in its place) succeeded. `rows_missing` compares, per account and day,
the stored campaign rows and spend with the sandbox platform's; `recovery_s` runs from the last
fault to the moment every window is done. Targets: every run succeeds, no row missing,
recovery within 5 minutes (`recovery_vs_target` is recovery_s / 300).

Environment: BENCH_RECOVERY_DAYS (90), BENCH_RECOVERY_SEED (random), BENCH_RECOVERY_TIMEOUT_S
(1200). Last line: {"bench": "recovery", "runs_succeeded", "runs_total", "rows_missing",
"spend_missing", "recovery_s", "recovery_vs_target", "runs_reaped", "faults", "seed"}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = int(os.environ.get("BENCH_RECOVERY_DAYS", 90))
TIMEOUT_S = float(os.environ.get("BENCH_RECOVERY_TIMEOUT_S", 1200))
TARGET_S = 300.0


def main() -> None:
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from backend.config import DEFAULTS
    from backend.extensions import db
    from backend.services.ingestion.sync import request_sync
    from backend.services.ingestion.windows import account_today
    from connectors.sandbox.runner import start_sandbox
    from devstack.demo import ensure_sandbox_accounts
    from tests.chaos import Stack, patiently, run_states, wait_for_windows
    from tests.servers import kill_group

    seed = int(os.environ.get("BENCH_RECOVERY_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    sandbox = start_sandbox()
    defaults = {k: DEFAULTS[k] for k in DEFAULTS if k.startswith("SYNC_") and "SECONDS" in k}
    stack = Stack(sandbox.config(), Fernet.generate_key().decode(), **defaults)
    faults: list[dict] = []
    try:
        with stack.app.app_context():
            workers = [stack.worker("bench-a"), stack.worker("bench-b")]
            stack.beat()
            accounts = ensure_sandbox_accounts()
            time.sleep(5)
            plans = []
            for account in accounts:
                end = account_today(account) - dt.timedelta(days=1)
                start = end - dt.timedelta(days=DAYS - 1)
                runs = request_sync(account.id, "backfill", start, end)
                plans.append((account.id, account.external_id, start, end, [r.id for r in runs]))
            run_ids = [i for *_, ids in plans for i in ids]
            began = time.monotonic()
            order = ["postgres", "redis", "sigkill"]
            rng.shuffle(order)
            for fault in order:
                time.sleep(rng.uniform(3, 20))
                states = patiently(lambda: run_states(run_ids))
                pending = sum(s not in ("succeeded", "failed") for s, _ in states.values())
                at = round(time.monotonic() - began, 1)
                if fault == "postgres":
                    db.session.remove()
                    stack.pg.restart(down_s=rng.uniform(1, 5))
                elif fault == "redis":
                    stack.redis.restart(down_s=rng.uniform(1, 5))
                else:
                    victim = workers.pop(rng.randrange(len(workers)))
                    kill_group(victim.pid)
                    victim.wait()
                    workers.append(stack.worker(f"bench-{len(stack.processes)}"))
                faults.append({"fault": fault, "at_s": at, "runs_pending": pending})
            last_fault = time.monotonic()
            states = wait_for_windows(run_ids, TIMEOUT_S)
            recovery_s = time.monotonic() - last_fault
            rows_missing, spend_missing = _missing(sandbox.world, plans, text)
            reaped = db.session.execute(
                text("SELECT count(*) FROM sync_runs WHERE error_kind = 'orphaned'")
            ).scalar_one()
            db.session.remove()
    finally:
        stack.stop()
        sandbox.stop()
    succeeded = sum(status == "succeeded" for status, _ in states.values())
    print(
        json.dumps(
            {
                "bench": "recovery",
                "runs_succeeded": succeeded,
                "runs_total": len(run_ids),
                "rows_missing": rows_missing,
                "spend_missing": str(spend_missing),
                "recovery_s": round(recovery_s, 1),
                "recovery_vs_target": round(recovery_s / TARGET_S, 3),
                "runs_reaped": reaped,
                "faults": faults,
                "seed": seed,
            }
        )
    )


def _missing(world, plans, text) -> tuple[int, object]:
    """Campaign-days the platform reports that the store lacks or holds with another spend, and
    the total spend difference."""
    from collections import defaultdict
    from decimal import Decimal

    from backend.extensions import db
    from connectors.sandbox.generator import to_decimal

    missing, spend_gap = 0, Decimal(0)
    for account_id, external_id, start, end, _ in plans:
        sandbox_account = world.account(external_id)
        minor: dict[tuple[str, dt.date], int] = defaultdict(int)
        for cell in world.ad_cells(sandbox_account, start, end):
            minor[(cell.campaign.campaign_id, cell.date)] += cell.spend_minor
        stored = {
            (campaign, day): spend
            for campaign, day, spend in db.session.execute(
                text(
                    "SELECT c.external_id, m.date, m.spend FROM campaign_daily_metrics m "
                    "JOIN campaigns c ON c.id = m.campaign_id WHERE m.ad_account_id = :a "
                    "AND m.breakdown = 'none' AND m.date BETWEEN :s AND :e"
                ),
                {"a": account_id, "s": start, "e": end},
            )
        }
        for key, value in minor.items():
            if stored.get(key) != to_decimal(value, sandbox_account.currency):
                missing += 1
        spend_gap += world.total(sandbox_account, start, end).spend - sum(
            stored.values(), Decimal(0)
        )
    return missing, spend_gap


if __name__ == "__main__":
    main()
