"""The demo's past and its budgets: a year of spend loaded straight from the sandbox's World, and
this month's budgets, one on track and one heading for overspend.

The older history (everything before the days the worker backfills through the platforms) is
written through the same slice replacement a sync uses (COPY into the fact tables, rollups
rebuilt), from the rows the connectors would read (`connectors.sandbox.history`), and recorded
as a succeeded backfill run, so that scheduled syncs see those days as fetched. Reading a year
through the platforms' wire formats would keep the worker busy for many minutes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from decimal import Decimal

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from analytics import pacing
from backend.extensions import db
from backend.models import AdAccount, Budget, SyncRun, SyncStatus
from backend.models.types import utcnow
from backend.services.ingestion.slices import Slice, replace_metric_slice
from backend.services.roi.rollups import refresh_rollups
from connectors import Breakdown, Level, platform_label
from connectors.sandbox.economics import UNITS_PER_USD
from connectors.sandbox.generator import World, to_decimal
from connectors.sandbox.history import reported_rows

#: Budget per platform as a share of the month's spend the generator expects: Google Ads has
#: room, Meta is heading for overspend.
BUDGET_SHARES = {"google_ads": Decimal("1.1"), "meta": Decimal("0.8")}
#: The generator's pace is measured over this many days before the budget's day.
PACE_DAYS = 7
_SLICES = (
    (Level.CAMPAIGN, None),
    (Level.AD, None),
    (Level.CAMPAIGN, Breakdown.COUNTRY),
    (Level.CAMPAIGN, Breakdown.DEVICE),
)


def load_spend_history(account: AdAccount, world: World, start: dt.date, end: dt.date) -> int:
    """Write the account's spend of [start, end] from the World, as one succeeded backfill run;
    returns the rows written (0 when the window is empty)."""
    if start > end:
        return 0
    sandbox = world.account(account.external_id)
    began = time.monotonic()
    run = SyncRun(
        ad_account_id=account.id,
        kind="backfill",
        window_start=start,
        window_end=end,
        status=SyncStatus.RUNNING,
        attempts=1,
        rows=0,
        started_at=utcnow(),
    )
    db.session.add(run)
    db.session.flush()
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    reporting = current_app.config["REPORTING_CURRENCY"]
    total = Decimal(0)
    for level, breakdown in _SLICES:
        rows = list(reported_rows(world, sandbox, start, end, level, breakdown))
        target = Slice(account.id, level, breakdown.value if breakdown else "none", start, end)
        run.rows += replace_metric_slice(cursor, target, rows, sync_run_id=run.id).rows
        if level is Level.CAMPAIGN:
            refresh_rollups(cursor, target, reporting)
        if level is Level.CAMPAIGN and breakdown is None:
            total = sum((r.spend for r in rows), Decimal(0))
    from backend.services.customers.merging import resolve_campaigns

    resolve_campaigns(cursor)
    run.platform_spend = run.stored_spend = total
    run.reconciliation_diff = Decimal(0)
    run.status, run.finished_at = SyncStatus.SUCCEEDED, utcnow()
    run.duration_ms = int((time.monotonic() - began) * 1000)
    db.session.commit()
    return run.rows


def month_of(day: dt.date) -> tuple[dt.date, int]:
    """The first day of `day`'s month and the month's length."""
    first = day.replace(day=1)
    return first, calendar.monthrange(first.year, first.month)[1]


def expected_month_spend(world: World, platform: str, day: dt.date) -> Decimal:
    """The platform's spend (USD) in `day`'s month as the budgets' pacing will project it on
    `day` (the mean of its seasonal and linear projections: budget plans move spend within a
    month, so the last week's pace alone can miss it)."""
    first, days = month_of(day)
    start = min(first, day - dt.timedelta(days=pacing.FACTOR_DAYS + pacing.LEVEL_DAYS))
    values = np.zeros((day - start).days + 1)
    for account in world.demo_accounts:
        if account.platform != platform:
            continue
        usd = UNITS_PER_USD[account.currency]
        for cell in world.ad_cells(account, start, day):
            spend = float(to_decimal(cell.spend_minor, account.currency))
            values[(cell.date - start).days] += spend / usd
    series = pacing.DailySpend(start, values)
    last = first + dt.timedelta(days=days - 1)
    projections = [
        pacing.project(series, first, last, day, method)
        for method in (pacing.SEASONAL, pacing.LINEAR)
    ]
    points = [p.point for p in projections if p is not None]
    return Decimal(sum(points) / len(points)) if points else Decimal(0)


def ensure_budgets(world: World, recipients: list[str], today: dt.date | None = None) -> int:
    """This month's budgets for Google Ads (on track) and Meta (heading for overspend), unless
    a budget already exists; returns how many were created."""
    from backend.services import budgets

    if db.session.scalar(select(func.count(Budget.id))):
        return 0
    if current_app.config["REPORTING_CURRENCY"] != "USD":
        return 0  # the generator's reference rates are per US dollar
    yesterday = (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=1)
    first, _ = month_of(yesterday)
    for platform, share in BUDGET_SHARES.items():
        amount = _rounded(expected_month_spend(world, platform, yesterday) * share)
        budgets.create_budget(
            None,
            {
                "name": f"{platform_label(platform)} — {first:%B %Y}",
                "scope": {"type": "platform", "platform": platform},
                "period": "month",
                "period_start": first,
                "amount": amount,
                "recipients": recipients,
            },
        )
    return len(BUDGET_SHARES)


def _rounded(amount: Decimal) -> Decimal:
    """A budget as finance would write it: to the hundred."""
    return max(Decimal(100), (amount / 100).quantize(Decimal(1)) * 100)
