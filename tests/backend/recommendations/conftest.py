"""Recommendation-run fixtures: a year of the sandbox World's campaign spend of its US-dollar
accounts stored through the ingestion slice path (campaign level, reporting rollups), so that
the runs fit on what the product stores."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.models import AdAccount
from backend.services.ingestion.slices import Slice, replace_metric_slice
from backend.services.roi.rollups import refresh_rollups
from connectors import Level
from connectors.sandbox.generator import World
from connectors.sandbox.history import reported_rows
from tests.backend.ingestion.conftest import add_sandbox_account

TODAY = dt.date(2026, 11, 1)
HISTORY_DAYS = 300


def store_history(app, db, world: World, days: int = HISTORY_DAYS) -> list[AdAccount]:
    """The campaign-level spend of every demo account in US dollars for `days` days."""
    end = TODAY - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    stored = []
    for sandbox in world.demo_accounts:
        if sandbox.currency != "USD":
            continue
        account = add_sandbox_account(app, db, sandbox)
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        target = Slice(account.id, Level.CAMPAIGN, "none", start, end)
        rows = list(reported_rows(world, sandbox, start, end, Level.CAMPAIGN))
        replace_metric_slice(cursor, target, rows, sync_run_id=None)
        refresh_rollups(cursor, target, "USD")
        db.session.commit()
        stored.append(account)
    return stored


@pytest.fixture
def history(app, db) -> list[AdAccount]:
    return store_history(app, db, World(today=TODAY))
