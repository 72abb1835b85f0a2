"""Exchange rates from ECB's CSV: converted to the reporting currency, bad files load nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.errors import Invalid
from backend.services.ingestion.fx import load_fx_csv

ECB = """Date,USD,JPY,GBP,
2026-10-02,1.1000,160.00,0.8800,
2026-10-01,1.0800,N/A,0.8700,
"""


def rates(db):
    return db.session.execute(
        text("SELECT date, currency, rate FROM fx_rates ORDER BY date, currency")
    ).all()


def test_ecb_rates_are_converted_to_the_reporting_currency(db):
    result = load_fx_csv(ECB, "USD")
    assert result.rows == 5
    stored = {(d, c): r for d, c, r in rates(db)}
    assert stored[(dt.date(2026, 10, 2), "EUR")] == Decimal("1.100000000000")
    assert stored[(dt.date(2026, 10, 2), "JPY")] == Decimal("0.006875000000")
    assert stored[(dt.date(2026, 10, 1), "GBP")] == (Decimal("1.08") / Decimal("0.87")).quantize(
        Decimal("1e-12")
    )
    assert (dt.date(2026, 10, 1), "JPY") not in stored


def test_loading_the_same_file_twice_changes_nothing(db):
    load_fx_csv(ECB, "USD")
    first = rates(db)
    load_fx_csv(ECB, "USD")
    assert rates(db) == first


@pytest.mark.parametrize(
    ("body", "field", "line"),
    [
        ("Date,USD\n2026-10-01,1.1\n2026-13-01,1.2\n", "Date", "line 3"),
        ("Date,USD\n2026-10-01,abc\n", "USD", "line 2"),
        ("Date,USD\n2026-10-01,-1\n", "USD", "line 2"),
        ("Date,usd\n2026-10-01,1.1\n", "usd", "line 1"),
        ("Date,USD,XYZ\n2026-10-01,1.1,2.0\n", "XYZ", "line 1"),
        ("Day,USD\n2026-10-01,1.1\n", "Date", "line 1"),
        ("Date,GBP\n2026-10-01,0.8\n", "USD", "line 1"),
    ],
)
def test_a_bad_file_names_line_and_field_and_loads_nothing(db, body, field, line):
    load_fx_csv(ECB, "USD")
    before = rates(db)
    with pytest.raises(Invalid) as error:
        load_fx_csv(body, "USD")
    assert error.value.field == field
    assert line in error.value.message
    db.session.rollback()
    assert rates(db) == before


def test_cli_loads_a_file_and_reports_a_bad_one(runner, tmp_path):
    good = tmp_path / "eurofxref-hist.csv"
    good.write_text(ECB)
    result = runner.invoke(args=["load-fx", str(good)])
    assert result.exit_code == 0, result.output
    assert "loaded 5 rates" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,USD\n2026-10-01,x\n")
    result = runner.invoke(args=["load-fx", str(bad)])
    assert result.exit_code != 0
    assert "line 2" in result.output and "USD" in result.output


CHANGED = """Date,USD,JPY,GBP,
2026-10-02,1.1000,160.00,0.8800,
2026-10-01,1.0800,N/A,0.9000,
"""


def loaded_at(db, day, currency):
    return db.session.execute(
        text("SELECT rate, loaded_at, source FROM fx_rates WHERE date = :d AND currency = :c"),
        {"d": day, "c": currency},
    ).one()


def test_a_withdrawn_currency_column_loads(db):
    result = load_fx_csv("Date,USD,HRK\n2022-06-01,1.07,7.53\n", "USD")
    assert result.currencies == ("EUR", "HRK")


def test_a_file_that_would_change_a_stored_rate_loads_nothing(db):
    from backend.errors import Conflict

    load_fx_csv(ECB, "USD")
    before = rates(db)
    with pytest.raises(Conflict) as refused:
        load_fx_csv(CHANGED + "2026-09-30,1.0700,150.00,0.8600,\n", "USD")
    assert refused.value.field == "overwrite"
    assert "changes 1 stored rate" in refused.value.message
    assert "2026-10-01 GBP" in refused.value.message
    db.session.rollback()
    assert rates(db) == before  # not even the new day was loaded


def test_an_overwrite_replaces_the_rate_updates_loaded_at_and_is_audited(db):
    load_fx_csv(ECB, "USD")
    old_rate, old_loaded_at, _ = loaded_at(db, dt.date(2026, 10, 1), "GBP")
    unchanged_before = loaded_at(db, dt.date(2026, 10, 2), "GBP")
    result = load_fx_csv(CHANGED, "USD", source="ECB corrected", overwrite=True)
    assert result.overwritten == 1  # only GBP of 1 October changed
    rate, loaded, source = loaded_at(db, dt.date(2026, 10, 1), "GBP")
    assert rate == (Decimal("1.08") / Decimal("0.90")).quantize(Decimal("1e-12"))
    assert rate != old_rate
    assert loaded > old_loaded_at
    assert source == "ECB corrected"
    assert loaded_at(db, dt.date(2026, 10, 2), "GBP") == unchanged_before
    [entry] = db.session.execute(
        text("SELECT actor_email, before, after FROM audit_log WHERE action = 'fx_rates.overwrite'")
    ).all()
    assert entry.actor_email == "system"
    assert entry.after["count"] == result.overwritten
    assert {"date": "2026-10-01", "currency": "GBP", "rate": str(old_rate.normalize())} in (
        entry.before["rates"]
    )


def test_reloading_the_same_rates_needs_no_overwrite_and_keeps_loaded_at(db):
    load_fx_csv(ECB, "USD")
    first = loaded_at(db, dt.date(2026, 10, 1), "GBP")
    assert load_fx_csv(ECB, "USD").overwritten == 0
    assert loaded_at(db, dt.date(2026, 10, 1), "GBP") == first


def test_cli_overwrites_only_with_the_flag(runner, tmp_path, db):
    (tmp_path / "a.csv").write_text(ECB)
    (tmp_path / "b.csv").write_text(CHANGED)
    assert runner.invoke(args=["load-fx", str(tmp_path / "a.csv")]).exit_code == 0
    refused = runner.invoke(args=["load-fx", str(tmp_path / "b.csv")])
    assert refused.exit_code != 0
    assert "overwrite" in refused.output
    done = runner.invoke(args=["load-fx", str(tmp_path / "b.csv"), "--overwrite"])
    assert done.exit_code == 0, done.output
    assert "replaced" in done.output
