"""Exchange rates from a CSV in the ECB reference format, converted to the reporting currency.

ECB's `eurofxref-hist.csv`: a `Date` column and one column per currency (ISO 4217), each value
the units of that currency for one euro ('N/A' where there is none). Every line is validated before
anything is written; a bad file is reported with line and field and loads nothing.

A rate already stored is never changed silently: a file that would change one is refused (409)
unless the load says `overwrite`; an overwrite updates the rate's source and loaded_at and is
written to the audit log with the old and new rates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from sqlalchemy import text

from backend.currencies import is_currency
from backend.errors import Conflict, Invalid
from backend.extensions import db

#: Overwritten rates listed in the audit entry (the count is always there).
AUDITED_CHANGES = 100


@dataclass(frozen=True)
class FxLoadResult:
    rows: int
    currencies: tuple[str, ...]
    first_date: dt.date | None
    last_date: dt.date | None
    overwritten: int = 0


def parse_ecb_csv(stream: IO[str], reporting_currency: str) -> list[tuple[dt.date, str, Decimal]]:
    """(date, currency, units of the reporting currency per unit of currency) for every cell."""
    reader = csv.reader(stream)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise Invalid("the file is empty", field="file") from None
    if not header or header[0] != "Date":
        raise Invalid("line 1: the first column must be 'Date'", field="Date")
    currencies = [h for h in header[1:] if h]
    for name in currencies:
        if not is_currency(name):
            raise Invalid(f"line 1: {name!r} is not an ISO 4217 currency code", field=name)
    if reporting_currency != "EUR" and reporting_currency not in currencies:
        raise Invalid(
            f"line 1: no {reporting_currency} column to convert to the reporting currency",
            field=reporting_currency,
        )
    out: list[tuple[dt.date, str, Decimal]] = []
    seen: set[dt.date] = set()
    for line_no, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        day = _parse_date(record[0], line_no)
        if day in seen:
            raise Invalid(f"line {line_no}: date {day} appears twice", field="Date")
        seen.add(day)
        per_eur = {"EUR": Decimal(1)}
        for name, cell in zip(currencies, record[1:], strict=False):
            value = _parse_rate(cell, line_no, name)
            if value is not None:
                per_eur[name] = value
        base = per_eur.get(reporting_currency)
        if base is None:
            continue
        for name, value in per_eur.items():
            if name != reporting_currency:
                out.append((day, name, (base / value).quantize(Decimal("1e-12"))))
    return out


def _parse_date(cell: str, line_no: int) -> dt.date:
    try:
        return dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise Invalid(f"line {line_no}: Date {cell!r} is not YYYY-MM-DD", field="Date") from None


def _parse_rate(cell: str, line_no: int, name: str) -> Decimal | None:
    cell = cell.strip()
    if cell in ("", "N/A"):
        return None
    try:
        value = Decimal(cell)
    except InvalidOperation:
        raise Invalid(f"line {line_no}: {name} {cell!r} is not a number", field=name) from None
    if not value.is_finite() or value <= 0:
        raise Invalid(f"line {line_no}: {name} must be a positive number", field=name)
    return value


def load_fx_csv(
    stream: IO[str] | str,
    reporting_currency: str,
    source: str = "ECB",
    actor=None,
    *,
    overwrite: bool = False,
) -> FxLoadResult:
    """Validate the whole file, then store every rate and refresh affected rollups; one commit.

    A rate that differs from the one stored is refused (Conflict, nothing loaded) unless
    `overwrite`; then it is replaced, its loaded_at set to now, and the change audited.
    """
    if isinstance(stream, str):
        stream = io.StringIO(stream)
    rates = parse_ecb_csv(stream, reporting_currency)
    if not rates:
        return FxLoadResult(0, (), None, None)
    params = {
        "dates": [r[0] for r in rates],
        "currencies": [r[1] for r in rates],
        "rep": reporting_currency,
        "rates": [r[2] for r in rates],
        "source": source,
    }
    # one load at a time: the check of stored rates and the writes see the same table
    db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('spendlens.fx_rates'))"))
    changed = db.session.execute(
        text(
            """
            SELECT s.date, s.currency, f.rate, s.rate
            FROM unnest(CAST(:dates AS date[]), CAST(:currencies AS text[]),
                        CAST(:rates AS numeric[])) AS s(date, currency, rate)
            JOIN fx_rates f ON f.date = s.date AND f.currency = s.currency
                           AND f.reporting_currency = :rep
            WHERE f.rate <> s.rate
            ORDER BY s.date, s.currency
            """
        ),
        params,
    ).all()
    if changed and not overwrite:
        db.session.rollback()
        day, currency, old, new = changed[0]
        plural = "s" if len(changed) > 1 else ""
        raise Conflict(
            f"The file changes {len(changed)} stored rate{plural} (the first: {day} {currency} "
            f"{old.normalize()} -> {new.normalize()}); nothing was loaded. Load it again with "
            "overwrite to replace them",
            field="overwrite",
        )
    db.session.execute(
        text(
            """
            INSERT INTO fx_rates (date, currency, reporting_currency, rate, source)
            SELECT d, c, :rep, r, :source
            FROM unnest(CAST(:dates AS date[]), CAST(:currencies AS text[]),
                        CAST(:rates AS numeric[])) AS s(d, c, r)
            ON CONFLICT (date, currency, reporting_currency) DO UPDATE
              SET rate = EXCLUDED.rate, source = EXCLUDED.source, loaded_at = now()
              WHERE fx_rates.rate IS DISTINCT FROM EXCLUDED.rate
            """
        ),
        params,
    )
    first = min(r[0] for r in rates)
    currencies = tuple(sorted({r[1] for r in rates}))
    from backend.services.roi.rollups import refresh_for_currencies

    refresh_for_currencies(currencies, first, reporting_currency)
    from backend.services.customers.fx import refresh_revenue_conversion

    refresh_revenue_conversion(first)
    from backend.services import audit

    if changed:
        audit.record(
            actor,
            "fx_rates.overwrite",
            "fx_rates",
            None,
            {"rates": [_audited(d, c, old) for d, c, old, _ in changed[:AUDITED_CHANGES]]},
            {
                "rates": [_audited(d, c, new) for d, c, _, new in changed[:AUDITED_CHANGES]],
                "count": len(changed),
                "source": source,
            },
        )
    if actor is not None:
        audit.record(
            actor,
            "fx_rates.load",
            "fx_rates",
            None,
            None,
            {"rows": len(rates), "currencies": list(currencies), "source": source},
        )
    db.session.commit()
    return FxLoadResult(len(rates), currencies, first, max(r[0] for r in rates), len(changed))


def _audited(day: dt.date, currency: str, rate: Decimal) -> dict[str, str]:
    return {"date": day.isoformat(), "currency": currency, "rate": str(rate.normalize())}
