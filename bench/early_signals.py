"""Benchmark: early signals on a fresh sandbox World (seed BENCH_EARLY_SEED, default 11 — the
tests use 7), through the product's own path: the World's customers, purchases, in-app events
and fake installs are loaded by the real loaders into a scratch database, read back, and the
first-purchase procedure is backtested (rolling origins) and traffic quality scored by the
product's report.

Last line: {"bench": "early_signals", "first_purchase_auc" (30-day horizon, judged one day after
install), "expected_payers_err_pct" (mean over acquisition weeks, same), "fraud_precision",
"fraud_recall" (campaign flags over the last 7 days against the campaigns that bought fake
installs), "first_purchase_auc_7d_d3" with its payers and customers (7-day horizon judged
three days after install), ...}. BENCH_EARLY_DAYS sets the days of acquisitions (default 100).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import scratch_app  # noqa: E402

SEED = int(os.environ.get("BENCH_EARLY_SEED", 11))
DAYS = int(os.environ.get("BENCH_EARLY_DAYS", 100))
TODAY = dt.date(2025, 9, 30)


def main() -> None:
    from flask import current_app

    from backend.extensions import db
    from backend.models import AdAccount
    from backend.services.early.report import early_signal_report
    from backend.services.ingestion.fx import load_fx_csv
    from connectors.sandbox.generator import World
    from connectors.sandbox.in_app import fraudulent_campaigns
    from devstack.demo import synthetic_ecb_csv
    from devstack.demo_customers import load_demo_customers

    until = dt.datetime.combine(TODAY, dt.time(), dt.UTC)
    world = World(seed=SEED, today=TODAY)
    with scratch_app():
        for account in world.accounts:
            db.session.add(
                AdAccount(
                    platform=account.platform,
                    external_id=account.external_id,
                    name=account.name,
                    currency=account.currency,
                    timezone="UTC",
                    status="active",
                )
            )
        db.session.commit()
        # the demo's FX rates over the bench's days: revenue in several currencies is judged
        # in the reporting currency, as the product reads it
        load_fx_csv(
            io.StringIO(synthetic_ecb_csv(TODAY - dt.timedelta(days=DAYS + 60), TODAY)),
            current_app.config["REPORTING_CURRENCY"],
            source="bench (synthetic ECB format)",
        )
        started = time.perf_counter()
        loaded = load_demo_customers(DAYS, world=world, until=until, train=False)
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = early_signal_report(until)
        report_seconds = time.perf_counter() - started
    judged = report["first_purchase"]["backtest"]["horizons"]["30"]["by_age"]["D1"]
    judged_d3 = report["first_purchase"]["backtest"]["horizons"]["30"]["by_age"]["D3"]
    judged_7_d3 = report["first_purchase"]["backtest"]["horizons"]["7"]["by_age"]["D3"] or {}
    campaigns = report["traffic"]["campaigns"]
    seen = set(campaigns["campaign_external_id"])
    flagged = set(campaigns[campaigns["flagged"]]["campaign_external_id"])
    window_end = TODAY - dt.timedelta(days=1)
    fraudulent = {
        cid
        for cid, start in fraudulent_campaigns(world, world.accounts).items()
        if start <= window_end - dt.timedelta(days=1)
    } & seen
    hits = len(flagged & fraudulent)
    print(
        json.dumps(
            {
                "bench": "early_signals",
                "seed": SEED,
                "days": DAYS,
                "customers": loaded["customers"]["rows"],
                "in_app_events": loaded["in_app_events"]["rows"],
                "first_purchase_auc": round(judged["auc"], 3),
                "first_purchase_auc_d3": round(judged_d3["auc"], 3),
                "first_purchase_auc_7d_d3": _round(judged_7_d3.get("auc"), 3),
                "first_purchase_payers_7d_d3": judged_7_d3.get("payers"),
                "first_purchase_customers_7d_d3": judged_7_d3.get("customers"),
                "expected_payers_err_pct": round(judged["cohorts"]["expected_payers_err_pct"], 1),
                "expected_payers_err_pct_d3": round(
                    judged_d3["cohorts"]["expected_payers_err_pct"], 1
                ),
                "predicted_revenue_err_pct": round(
                    judged["cohorts"]["predicted_revenue_err_pct"], 1
                ),
                "fraud_precision": round(hits / len(flagged), 3) if flagged else None,
                "fraud_recall": round(hits / len(fraudulent), 3) if fraudulent else None,
                "campaigns": len(seen),
                "fraudulent_campaigns": len(fraudulent),
                "flagged_campaigns": len(flagged),
                "load_seconds": round(load_seconds, 1),
                "report_seconds": round(report_seconds, 1),
            }
        )
    )


def _round(value, digits: int):
    return round(value, digits) if value is not None else None


if __name__ == "__main__":
    main()
