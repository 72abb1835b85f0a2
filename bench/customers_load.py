"""Benchmark: loading revenue events (and their customers) from CSV through the real streaming
loaders (parse + validate line by line, COPY into staging, checks, merge with FX conversion),
at ROWS events and, as the reference measured in the same run, at ROWS / 10.

The CSV is produced line by line as the loader reads it, so the process holds no file; the peak
resident memory (sampled from /proc during each load, above the level before it) shows whether
the load streams: it must not grow with the rows.

Last line: {"bench": "customers_load", "rows", "rows_per_s", "peak_mb", "reference_rows",
"reference_rows_per_s", "reference_peak_mb", "peak_ratio_vs_reference",
"throughput_ratio_vs_reference", ...}. BENCH_CUSTOMERS_ROWS sets ROWS (default 10,000,000).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import scratch_app  # noqa: E402

ROWS = int(os.environ.get("BENCH_CUSTOMERS_ROWS", 10_000_000))
EVENTS_PER_CUSTOMER = 10
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
CUSTOMER_HEADER = "customer_id,acquired_at,platform,account_external_id,campaign_external_id,"
CUSTOMER_HEADER += "country,device"
REVENUE_HEADER = "event_id,customer_id,occurred_at,amount,currency"
CURRENCIES = ("USD", "EUR", "GBP", "JPY")
PLATFORMS = ("meta", "google_ads", "apple_search_ads")


def _page_size() -> int:
    return os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _page_size()


class PeakResident:
    """Samples the resident set every 20 ms while in use; `peak` is above the level at entry."""

    def __enter__(self) -> PeakResident:
        self.base = resident_bytes()
        self.highest = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.highest = max(self.highest, resident_bytes())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.highest = max(self.highest, resident_bytes())

    @property
    def peak_mb(self) -> float:
        return (self.highest - self.base) / 1e6


def lines(header: str, line: Callable[[int], str], count: int) -> Iterator[str]:
    yield header + "\n"
    for number in range(count):
        yield line(number) + "\n"


def customer_line(prefix: str) -> Callable[[int], str]:
    def line(n: int) -> str:
        acquired = START + dt.timedelta(seconds=n * 37 % (365 * 86_400))
        return f"{prefix}{n},{acquired.isoformat()},{PLATFORMS[n % 3]},,,US,iphone"

    return line


def revenue_line(prefix: str, customers: int) -> Callable[[int], str]:
    def line(n: int) -> str:
        occurred = START + dt.timedelta(days=1 + n % 400, seconds=n % 86_400)
        cents = 99 + n * 7919 % 20_000
        return (
            f"{prefix}e{n},{prefix}{n % customers},{occurred.isoformat()},"
            f"{cents // 100}.{cents % 100:02d},{CURRENCIES[n % 4]}"
        )

    return line


def seed_rates() -> None:
    from decimal import Decimal

    from backend.extensions import db
    from backend.models import FxRate

    for day in range(0, 420, 7):  # weekly rates: most events convert at a carried rate
        for currency, rate in (("EUR", "1.08"), ("GBP", "1.26"), ("JPY", "0.0068")):
            db.session.add(
                FxRate(
                    date=START.date() + dt.timedelta(days=day),
                    currency=currency,
                    reporting_currency="USD",
                    rate=Decimal(rate),
                    source="bench",
                )
            )
    db.session.commit()


def run(prefix: str, rows: int) -> dict[str, float]:
    from backend.services.customers import load_customers_csv, load_revenue_csv

    customers = max(rows // EVENTS_PER_CUSTOMER, 1)
    started = time.perf_counter()
    with PeakResident() as customer_memory:
        loaded = load_customers_csv(lines(CUSTOMER_HEADER, customer_line(prefix), customers))
    customer_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with PeakResident() as revenue_memory:
        result = load_revenue_csv(lines(REVENUE_HEADER, revenue_line(prefix, customers), rows))
    seconds = time.perf_counter() - started
    assert loaded.inserted == customers and result.inserted == rows
    return {
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "peak_mb": round(revenue_memory.peak_mb, 1),
        "customers": customers,
        "customer_rows_per_s": round(customers / customer_seconds),
        "customer_peak_mb": round(customer_memory.peak_mb, 1),
    }


def main() -> None:
    with scratch_app():  # in the app's context
        seed_rates()
        reference = run("r", max(ROWS // 10, 1))
        print(json.dumps({"reference": reference}), flush=True)
        measured = run("m", ROWS)
        print(json.dumps({"measured": measured}), flush=True)
    print(
        json.dumps(
            {
                "bench": "customers_load",
                "rows": measured["rows"],
                "rows_per_s": measured["rows_per_s"],
                "peak_mb": measured["peak_mb"],
                "seconds": measured["seconds"],
                "customers": measured["customers"],
                "customer_rows_per_s": measured["customer_rows_per_s"],
                "customer_peak_mb": measured["customer_peak_mb"],
                "reference_rows": reference["rows"],
                "reference_rows_per_s": reference["rows_per_s"],
                "reference_peak_mb": reference["peak_mb"],
                "peak_ratio_vs_reference": round(
                    measured["peak_mb"] / max(reference["peak_mb"], 1.0), 2
                ),
                "throughput_ratio_vs_reference": round(
                    measured["rows_per_s"] / reference["rows_per_s"], 2
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
