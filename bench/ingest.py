"""Benchmark: 1,000,000 SpendRows across the three platforms written through the real
slice-replacement path (COPY to staging, upsert campaigns, delete vanished, upsert facts), against
a plain COPY of the same rows into an identical empty table, in the same run.

Last line: {"bench": "ingest", "rows", "rows_per_s", "copy_rows_per_s", "ratio_vs_copy", ...}.
Target: ratio_vs_copy >= 0.5.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.services.ingestion.staging import CopyStream, copy_columns  # noqa: E402
from bench._db import scratch_app  # noqa: E402
from connectors import Level, SpendRow  # noqa: E402

PLATFORMS = (
    ("meta", "act_9001", "USD"),
    ("google_ads", "9002", "EUR"),
    ("apple_search_ads", "9003", "GBP"),
)
CAMPAIGNS, ADS = 50, 10
#: 3 x 50 x 10 x 667 ~ 1,000,500 rows; BENCH_INGEST_DAYS makes a smaller run for a quick look.
DAYS = int(os.environ.get("BENCH_INGEST_DAYS", 667))
START = dt.date(2024, 1, 1)


def spend_rows(platform: str, account: str, currency: str):
    for day_no in range(DAYS):
        day = START + dt.timedelta(days=day_no)
        for c in range(CAMPAIGNS):
            for a in range(ADS):
                cents = (day_no * 7919 + c * 104729 + a * 1299709) % 50000 + 100
                yield SpendRow(
                    platform=platform,
                    account_id=account,
                    date=day,
                    currency=currency,
                    campaign_id=f"{account}-{c}",
                    campaign_name=f"Campaign {c}",
                    spend=Decimal(cents).scaleb(-2),
                    impressions=cents * 3,
                    clicks=cents // 40,
                    installs=cents // 400,
                    conversions=Decimal(cents // 1000),
                    conversion_value=Decimal(cents * 2).scaleb(-2),
                    ad_group_id=f"{account}-{c}-g{a // 5}",
                    ad_group_name=f"Group {a // 5}",
                    ad_id=f"{account}-{c}-a{a}",
                    ad_name=f"Ad {a}",
                )


def plain_lines(rows, account_id: int, level: Level):
    """The fact table's own layout, campaign ids numbered as they first appear, encoded by hand
    (no campaign upsert, no staging, no merge)."""
    from backend.services.ingestion.staging import escape

    ids: dict[str, int] = {}
    now = dt.datetime.now(dt.UTC).isoformat()
    for r in rows:
        campaign = ids.setdefault(r.campaign_id, len(ids) + 1)
        yield (
            "\t".join(
                (
                    str(account_id),
                    r.date.isoformat(),
                    "none",
                    str(campaign),
                    r.country,
                    r.device,
                    escape(r.ad_group_id),
                    escape(r.ad_id),
                    r.currency,
                    str(r.spend),
                    str(r.impressions),
                    str(r.clicks),
                    str(r.installs),
                    str(r.conversions),
                    str(r.conversion_value),
                    escape(r.attribution),
                    escape(r.ad_group_name),
                    escape(r.ad_name),
                    now,
                    "\\N",
                )
            )
            + "\n"
        )


def main() -> None:
    from sqlalchemy import text

    from backend.extensions import db
    from backend.models import AdAccount
    from backend.services.ingestion.slices import Slice, replace_metric_slice

    end = START + dt.timedelta(days=DAYS - 1)
    with scratch_app():
        accounts = []
        for platform, external_id, currency in PLATFORMS:
            account = AdAccount(
                platform=platform,
                external_id=external_id,
                name=external_id,
                currency=currency,
                timezone="UTC",
                status="active",
            )
            db.session.add(account)
            accounts.append(account)
        db.session.commit()

        # Reference: plain COPY of the same rows into an identical empty table (same columns,
        # primary key and indexes), encoding from SpendRows just as the real path does.
        db.session.execute(
            text(
                "CREATE TABLE bench_copy (LIKE ad_daily_metrics INCLUDING DEFAULTS "
                "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
            )
        )
        db.session.commit()
        raw = db.session.connection().connection.dbapi_connection
        copy_rows, copy_s = 0, 0.0
        for account, (platform, external_id, currency) in zip(accounts, PLATFORMS, strict=True):
            began = time.perf_counter()
            stream = CopyStream(
                plain_lines(spend_rows(platform, external_id, currency), account.id, Level.AD)
            )
            columns = ", ".join(copy_columns(Level.AD))
            raw.cursor().copy_expert(f"COPY bench_copy ({columns}) FROM STDIN", stream)
            raw.commit()
            copy_s += time.perf_counter() - began
            copy_rows += stream.count

        # The real path: one slice per account, in one transaction each.
        rows, path_s = 0, 0.0
        for account, (platform, external_id, currency) in zip(accounts, PLATFORMS, strict=True):
            began = time.perf_counter()
            cur = db.session.connection().connection.dbapi_connection.cursor()
            result = replace_metric_slice(
                cur,
                Slice(account.id, Level.AD, "none", START, end),
                spend_rows(platform, external_id, currency),
                sync_run_id=None,
            )
            db.session.commit()
            path_s += time.perf_counter() - began
            rows += result.rows

        # Re-running the same slices: the idempotent no-change path.
        began = time.perf_counter()
        for account, (platform, external_id, currency) in zip(accounts, PLATFORMS, strict=True):
            cur = db.session.connection().connection.dbapi_connection.cursor()
            replace_metric_slice(
                cur,
                Slice(account.id, Level.AD, "none", START, end),
                spend_rows(platform, external_id, currency),
                sync_run_id=None,
            )
            db.session.commit()
        rerun_s = time.perf_counter() - began
        stored = db.session.execute(text("SELECT count(*) FROM ad_daily_metrics")).scalar_one()
        assert stored == rows == copy_rows, (stored, rows, copy_rows)

    report = {
        "bench": "ingest",
        "rows": rows,
        "rows_per_s": round(rows / path_s),
        "copy_rows_per_s": round(copy_rows / copy_s),
        "ratio_vs_copy": round((rows / path_s) / (copy_rows / copy_s), 3),
        "rerun_rows_per_s": round(rows / rerun_s),
        "path_s": round(path_s, 2),
        "copy_s": round(copy_s, 2),
        "target_ratio": 0.5,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
