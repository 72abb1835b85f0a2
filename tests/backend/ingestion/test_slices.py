"""Slice replacement: idempotent, restatements applied, vanished rows removed, nothing else
touched, rollups converted at the day's rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.services.ingestion.slices import Slice, replace_metric_slice
from backend.services.roi.rollups import refresh_rollups
from connectors import Level
from tests.backend.ingestion.conftest import make_row

D1, D2, D3 = dt.date(2026, 10, 1), dt.date(2026, 10, 2), dt.date(2026, 10, 3)


def write(
    db,
    account,
    rows,
    level=Level.CAMPAIGN,
    breakdown="none",
    start=D1,
    end=D3,
    run_id=None,
    reporting="USD",
):
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    target = Slice(account.id, level, breakdown, start, end)
    result = replace_metric_slice(cursor, target, rows, sync_run_id=run_id)
    if level == Level.CAMPAIGN:
        refresh_rollups(cursor, target, reporting)
    db.session.commit()
    return result


def dump(db, table):
    return db.session.execute(text(f"SELECT t::text FROM {table} t ORDER BY t::text")).all()


def facts(db):
    return db.session.execute(
        text(
            "SELECT c.external_id, f.date, f.spend FROM campaign_daily_metrics f "
            "JOIN campaigns c ON c.id = f.campaign_id ORDER BY 1, 2"
        )
    ).all()


def test_same_rows_twice_leave_every_table_identical(db, account):
    rows = [make_row(D1, "c1"), make_row(D2, "c1"), make_row(D1, "c2", "5.55")]
    write(db, account, rows)
    before = {t: dump(db, t) for t in ("campaign_daily_metrics", "campaigns", "daily_rollups")}
    result = write(db, account, rows)
    after = {t: dump(db, t) for t in ("campaign_daily_metrics", "campaigns", "daily_rollups")}
    assert before == after
    assert (result.inserted, result.updated, result.deleted) == (0, 0, 0)


def test_a_restated_day_takes_the_new_values(db, account):
    write(db, account, [make_row(D1, "c1", "10.00"), make_row(D2, "c1", "20.00")])
    result = write(db, account, [make_row(D1, "c1", "10.00"), make_row(D2, "c1", "21.37")])
    assert (result.inserted, result.updated, result.deleted) == (0, 1, 0)
    assert facts(db) == [("c1", D1, Decimal("10.000000")), ("c1", D2, Decimal("21.370000"))]


def test_a_campaign_day_the_platform_no_longer_reports_disappears(db, account):
    write(db, account, [make_row(D1, "c1"), make_row(D1, "c2"), make_row(D2, "c2")])
    result = write(db, account, [make_row(D1, "c1"), make_row(D1, "c2")])
    assert result.deleted == 1
    assert [(c, d) for c, d, _ in facts(db)] == [("c1", D1), ("c2", D1)]


def test_rows_outside_the_slice_are_not_touched(db, account):
    write(db, account, [make_row(D1, "c1"), make_row(D3, "c1")])
    write(db, account, [make_row(D1, "c1", "99.00")], start=D1, end=D2)
    assert facts(db) == [("c1", D1, Decimal("99.000000")), ("c1", D3, Decimal("10.000000"))]


def test_a_breakdown_slice_does_not_replace_the_totals(db, account):
    write(db, account, [make_row(D1, "c1", "10.00")])
    write(
        db,
        account,
        [make_row(D1, "c1", "6.00", country="US"), make_row(D1, "c1", "4.00", country="DE")],
        breakdown="country",
    )
    totals = db.session.execute(
        text("SELECT breakdown, sum(spend) FROM campaign_daily_metrics GROUP BY 1 ORDER BY 1")
    ).all()
    assert totals == [("country", Decimal("10.000000")), ("none", Decimal("10.000000"))]


def test_ad_level_rows_keep_ad_group_and_ad_keys(db, account):
    rows = [
        make_row(D1, "c1", "3.00", ad_group="g1", ad="a1"),
        make_row(D1, "c1", "4.00", ad_group="g1", ad="a2"),
    ]
    write(db, account, rows, level=Level.AD)
    stored = db.session.execute(
        text("SELECT ad_group_id, ad_id, spend FROM ad_daily_metrics ORDER BY ad_id")
    ).all()
    assert stored == [("g1", "a1", Decimal("3.000000")), ("g1", "a2", Decimal("4.000000"))]


def test_rows_outside_the_declared_window_are_refused(db, account):
    with pytest.raises(ValueError, match="outside the slice"):
        write(db, account, [make_row(dt.date(2026, 9, 30), "c1")])
    db.session.rollback()
    assert facts(db) == []


def test_names_with_tabs_and_backslashes_survive_copy(db, account):
    write(db, account, [make_row(D1, "c1", name="Brand\\US\tQ4\nnew")])
    name = db.session.execute(text("SELECT name FROM campaigns")).scalar_one()
    assert name == "Brand\\US\tQ4\nnew"


def _fx(db, day, currency, rate):
    db.session.execute(
        text(
            "INSERT INTO fx_rates (date, currency, reporting_currency, rate, source) "
            "VALUES (:d, :c, 'USD', :r, 'test')"
        ),
        {"d": day, "c": currency, "r": rate},
    )
    db.session.commit()


def test_rollups_convert_at_the_days_rate_and_carry_an_earlier_one(db, account):
    _fx(db, D1, "EUR", Decimal("1.10"))
    write(db, account, [make_row(D1, "c1", "10.00"), make_row(D2, "c1", "20.00")])
    rollups = db.session.execute(
        text(
            "SELECT date, spend, conversion_value, fx_status, fx_date FROM daily_rollups "
            "ORDER BY date"
        )
    ).all()
    assert rollups == [
        (D1, Decimal("11.000000"), Decimal("33.550000"), "exact", D1),
        (D2, Decimal("22.000000"), Decimal("33.550000"), "carried", D1),
    ]


def test_rollups_without_any_rate_are_flagged_missing_never_zero(db, account):
    write(db, account, [make_row(D1, "c1", "10.00")])
    spend, status = db.session.execute(text("SELECT spend, fx_status FROM daily_rollups")).one()
    assert spend is None
    assert status == "missing"


def test_rollups_in_the_reporting_currency_need_no_rate(db, account):
    write(db, account, [make_row(D1, "c1", "10.00")], reporting="EUR")
    spend, status = db.session.execute(text("SELECT spend, fx_status FROM daily_rollups")).one()
    assert (spend, status) == (Decimal("10.000000"), "exact")
