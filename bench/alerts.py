"""Benchmark: evaluate 10,000 budgets over a year of daily rollups.

Seeding: 30 ad accounts (10 per platform, UTC, USD) with 9,966 campaigns and 365 days of
campaign rollups (3.6M rows, breakdown 'none', a weekly pattern with noise), written by a bulk
COPY straight into daily_rollups (the slice path has its own benchmark, bench/ingest.py). The
10,000 budgets are for the current month: one per campaign, one per account, one per platform
and one for everything, with two recipients each and amounts that put about a third of them
past a threshold or onto an overspend course — so alerts open and mail is queued.

Measured in the same run:
- `eval_s`: a first evaluation of every budget (pacing, both forecasts and their backtest on
  day 5/10/20 of the past 12 months, every rule, alerts and outbox rows), batch by batch, as
  beat's scheduled task does it;
- `warm_eval_s`: the same evaluation again (backtests stored today, alerts found, no new mail);
- `reference_s`: one aggregate query over the same rollups (spend per campaign and month over
  the year), the floor of any evaluation that reads the year.

Last line: {"bench": "alerts", "budgets", "eval_s", "per_budget_ms", "warm_eval_s",
"warm_per_budget_ms", "reference_s", "ratio_vs_reference", ...}. BENCH_ALERTS_CAMPAIGNS makes a
smaller run for a quick look.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import scratch_app  # noqa: E402

PLATFORMS = ("meta", "google_ads", "apple_search_ads")
ACCOUNTS_PER_PLATFORM = 10
CAMPAIGNS = int(os.environ.get("BENCH_ALERTS_CAMPAIGNS", 9966))
DAYS = 365
NOW = dt.datetime(2026, 6, 16, 12, tzinfo=dt.UTC)  # data through 2026-06-15
FIRST_DAY = NOW.date() - dt.timedelta(days=DAYS)
PERIOD_START = dt.date(2026, 6, 1)


def seed_accounts(cursor) -> list[tuple[int, str]]:
    accounts = []
    for platform in PLATFORMS:
        for n in range(ACCOUNTS_PER_PLATFORM):
            cursor.execute(
                "INSERT INTO ad_accounts (platform, external_id, name, currency, timezone, "
                "status, created_at, updated_at) VALUES (%s, %s, %s, 'USD', 'UTC', 'active', "
                "now() - interval '2 years', now()) RETURNING id",
                (platform, f"{platform}-{n}", f"{platform} account {n}"),
            )
            accounts.append((cursor.fetchone()[0], platform))
    return accounts


def seed_campaigns(cursor, accounts: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """(campaign id, account id, platform), spread evenly over the accounts."""
    buffer = io.StringIO()
    for c in range(CAMPAIGNS):
        account_id, _ = accounts[c % len(accounts)]
        buffer.write(f"{account_id}\tc{c}\tCampaign {c}\n")
    buffer.seek(0)
    cursor.copy_expert("COPY campaigns (ad_account_id, external_id, name) FROM STDIN", buffer)
    cursor.execute(
        "SELECT c.id, c.ad_account_id, a.platform FROM campaigns c "
        "JOIN ad_accounts a ON a.id = c.ad_account_id ORDER BY c.id"
    )
    return cursor.fetchall()


def daily_spend(rng: np.random.Generator, campaigns: int) -> np.ndarray:
    """(campaigns, DAYS) spend: a level per campaign, a weekly pattern, 15% noise."""
    level = rng.lognormal(mean=5.0, sigma=0.8, size=(campaigns, 1))
    weekdays = np.array([(FIRST_DAY + dt.timedelta(d)).weekday() for d in range(DAYS)])
    pattern = np.where(weekdays < 5, 1.15, 0.62)[None, :]
    noise = rng.normal(1.0, 0.15, size=(campaigns, DAYS)).clip(0.2)
    return np.round(level * pattern * noise, 2)


def seed_rollups(cursor, campaigns: list[tuple[int, int, str]], spend: np.ndarray) -> int:
    dates = [(FIRST_DAY + dt.timedelta(d)).isoformat() for d in range(DAYS)]
    rows = 0
    for start in range(0, len(campaigns), 500):
        buffer = io.StringIO()
        for index in range(start, min(start + 500, len(campaigns))):
            campaign_id, account_id, platform = campaigns[index]
            prefix = f"\t{account_id}\t{campaign_id}\tnone\t-\t-\t{platform}\tUSD\t"
            for d, day in enumerate(dates):
                value = spend[index, d]
                buffer.write(
                    f"{day}{prefix}{value}\t{value * 2}\t{int(value * 30)}\t{int(value)}\t"
                    f"{int(value / 5)}\t{int(value / 20)}\tUSD\t1\t{day}\texact\t{value}\t"
                    f"{value * 2}\n"
                )
                rows += 1
        buffer.seek(0)
        cursor.copy_expert(
            "COPY daily_rollups (date, ad_account_id, campaign_id, breakdown, country, device, "
            "platform, currency, spend_native, conversion_value_native, impressions, clicks, "
            "installs, conversions, reporting_currency, fx_rate, fx_date, fx_status, spend, "
            "conversion_value) FROM STDIN",
            buffer,
        )
    return rows


def seed_budgets(db, campaigns, accounts, spend: np.ndarray) -> int:
    """One budget per campaign, account, platform and for everything (current month)."""
    from backend.models import Budget
    from backend.services.alerts.rules import default_rules

    rng = np.random.default_rng(11)
    month_so_far = spend[:, -15:].sum(axis=1)  # 1-15 June
    budgets = []

    def add(name, scope_type, platform, account_id, campaign_id, spent):
        # spent ÷ amount between 0.3 and 1.1: a third past 80%, some projected over
        share = rng.uniform(0.3, 1.1)
        budgets.append(
            Budget(
                name=name,
                scope_type=scope_type,
                platform=platform,
                ad_account_id=account_id,
                campaign_id=campaign_id,
                period="month",
                period_start=PERIOD_START,
                amount=round(float(max(spent, 1.0) / share), 2),
                currency="USD",
                recipients=["cfo@example.com", "controller@example.com"],
                rules=default_rules(),
                created_at=NOW,
                updated_at=NOW,
            )
        )

    for index, (campaign_id, account_id, platform) in enumerate(campaigns):
        add(
            f"Campaign {campaign_id}",
            "campaign",
            platform,
            account_id,
            campaign_id,
            month_so_far[index],
        )
    for account_id, platform in accounts:
        mask = np.array([a == account_id for _, a, _ in campaigns])
        add(
            f"Account {account_id}", "account", platform, account_id, None, month_so_far[mask].sum()
        )
    for platform in PLATFORMS:
        mask = np.array([p == platform for _, _, p in campaigns])
        add(f"All {platform}", "platform", platform, None, None, month_so_far[mask].sum())
    add("Everything", "all", None, None, None, month_so_far.sum())
    db.session.add_all(budgets)
    db.session.commit()
    return len(budgets)


def mark_synced(cursor, accounts) -> None:
    for account_id, _ in accounts:
        cursor.execute(
            "INSERT INTO sync_runs (ad_account_id, kind, window_start, window_end, status, "
            "attempts, rows, reconciliation_flagged, created_at, finished_at) VALUES "
            "(%s, 'scheduled', %s, %s, 'succeeded', 1, 0, false, %s, %s)",
            (account_id, NOW.date() - dt.timedelta(30), NOW.date() - dt.timedelta(1), NOW, NOW),
        )


def reference_query(db) -> float:
    from sqlalchemy import text

    began = time.perf_counter()
    db.session.execute(
        text(
            "SELECT campaign_id, date_trunc('month', date), sum(spend) FROM daily_rollups "
            "WHERE breakdown = 'none' AND date BETWEEN :s AND :e GROUP BY 1, 2"
        ),
        {"s": FIRST_DAY, "e": NOW.date()},
    ).all()
    return time.perf_counter() - began


def main() -> None:
    from sqlalchemy import text

    from backend.extensions import db
    from backend.services.alerts.evaluation import evaluate_all

    with scratch_app():
        raw = db.session.connection().connection.dbapi_connection
        cursor = raw.cursor()
        began = time.perf_counter()
        accounts = seed_accounts(cursor)
        campaigns = seed_campaigns(cursor, accounts)
        spend = daily_spend(np.random.default_rng(7), len(campaigns))
        rows = seed_rollups(cursor, campaigns, spend)
        mark_synced(cursor, accounts)
        raw.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        budgets = seed_budgets(db, campaigns, accounts, spend)
        seed_s = time.perf_counter() - began

        reference_query(db)  # warm the cache: both sides read from memory
        reference_s = min(reference_query(db) for _ in range(3))
        began = time.perf_counter()
        cold = evaluate_all(NOW)
        eval_s = time.perf_counter() - began
        began = time.perf_counter()
        warm = evaluate_all(NOW)
        warm_s = time.perf_counter() - began
        counts = dict(
            db.session.execute(text("SELECT rule, count(*) FROM alerts GROUP BY 1")).all()
        )
        mails = db.session.execute(text("SELECT count(*) FROM mail_outbox")).scalar_one()

    assert cold.budgets == warm.budgets == budgets, (cold, warm, budgets)
    assert warm.opened == warm.mails_queued == 0
    report = {
        "bench": "alerts",
        "budgets": budgets,
        "rollup_rows": rows,
        "eval_s": round(eval_s, 2),
        "per_budget_ms": round(eval_s / budgets * 1000, 3),
        "warm_eval_s": round(warm_s, 2),
        "warm_per_budget_ms": round(warm_s / budgets * 1000, 3),
        "reference_s": round(reference_s, 3),
        "ratio_vs_reference": round(eval_s / reference_s, 1),
        "warm_ratio_vs_reference": round(warm_s / reference_s, 1),
        "alerts": counts,
        "mails_queued": mails,
        "seed_s": round(seed_s, 1),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
