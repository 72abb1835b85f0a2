"""Exchange rates from a CSV in the ECB reference format, converted to the reporting currency.

ECB's `eurofxref-hist.csv`: a `Date` column and one column per currency, each value the units of
that currency for one euro ('N/A' where there is none). Every line is validated before anything is
written; a bad file is reported with line and field and loads nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from sqlalchemy import text

from backend.errors import Invalid
from backend.extensions import db

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class FxLoadResult:
    rows: int
    currencies: tuple[str, ...]
    first_date: dt.date | None
    last_date: dt.date | None


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
        if not _CURRENCY.match(name):
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
    stream: IO[str] | str, reporting_currency: str, source: str = "ECB", actor=None
) -> FxLoadResult:
    """Validate the whole file, then upsert every rate and refresh affected rollups; one commit."""
    if isinstance(stream, str):
        stream = io.StringIO(stream)
    rates = parse_ecb_csv(stream, reporting_currency)
    if not rates:
        return FxLoadResult(0, (), None, None)
    db.session.execute(
        text(
            """
            INSERT INTO fx_rates (date, currency, reporting_currency, rate, source)
            SELECT * FROM unnest(CAST(:dates AS date[]), CAST(:currencies AS text[]),
                                 CAST(:rep AS text[]), CAST(:rates AS numeric[]),
                                 CAST(:sources AS text[]))
            ON CONFLICT (date, currency, reporting_currency) DO UPDATE
              SET rate = EXCLUDED.rate, source = EXCLUDED.source
              WHERE fx_rates.rate IS DISTINCT FROM EXCLUDED.rate
            """
        ),
        {
            "dates": [r[0] for r in rates],
            "currencies": [r[1] for r in rates],
            "rep": [reporting_currency] * len(rates),
            "rates": [r[2] for r in rates],
            "sources": [source] * len(rates),
        },
    )
    first = min(r[0] for r in rates)
    currencies = tuple(sorted({r[1] for r in rates}))
    from backend.services.ingestion.rollups import refresh_for_currencies

    refresh_for_currencies(currencies, first, reporting_currency)
    from backend.services.customers.fx import refresh_revenue_conversion

    refresh_revenue_conversion(first)
    if actor is not None:
        from backend.services import audit

        audit.record(
            actor,
            "fx_rates.load",
            "fx_rates",
            None,
            None,
            {"rows": len(rates), "currencies": list(currencies), "source": source},
        )
    db.session.commit()
    return FxLoadResult(len(rates), currencies, first, max(r[0] for r in rates))
