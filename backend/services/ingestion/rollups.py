"""Rebuilding rollups outside a sync: after new exchange rates arrive."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from backend.extensions import db
from backend.services.ingestion.slices import ROLLUP_INSERT
from backend.services.roi_rollups import refresh_monthly_rollups


def refresh_for_currencies(
    currencies: tuple[str, ...], since: dt.date, reporting_currency: str
) -> None:
    """Re-convert every rollup in these currencies from `since` on (rates carry forward)."""
    accounts = (
        db.session.execute(
            text("SELECT id FROM ad_accounts WHERE currency = ANY(:cur)"), {"cur": list(currencies)}
        )
        .scalars()
        .all()
    )
    far = dt.date(9999, 12, 31)
    for account_id in accounts:
        params = {"acc": account_id, "start": since, "end": far, "rep": reporting_currency}
        db.session.execute(
            text("DELETE FROM daily_rollups WHERE ad_account_id = :acc AND date >= :start"),
            params,
        )
        db.session.execute(text(_as_sqlalchemy(ROLLUP_INSERT)), params)
        cursor = db.session.connection().connection.cursor()
        refresh_monthly_rollups(cursor, account_id, since, far)


def _as_sqlalchemy(sql: str) -> str:
    """The rollup SQL is written for psycopg2 (%(name)s); SQLAlchemy's text() wants :name."""
    import re

    return re.sub(r"%\((\w+)\)s", r":\1", sql)
