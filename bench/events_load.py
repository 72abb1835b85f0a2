"""Benchmark: loading in-app events from CSV through the product's streaming loader (parse and
validate line by line, COPY into staging, whole-load checks, merge into customer_events keyed
by event id) against, as the reference measured in the same run, a plain COPY of the same rows
(already resolved to customer ids and encoded as COPY text before the timer starts) into
customer_events itself (its keys, index and foreign key), emptied again before the loader runs.

Both inputs are built in memory before their timers; the loader's peak resident memory above
the level at its start (sampled from /proc) shows whether it streams.

Last line: {"bench": "events_load", "rows", "rows_per_s", "peak_mb", "reference_rows_per_s",
"throughput_ratio_vs_reference", ...}. BENCH_EVENTS_ROWS sets the rows (default 1,000,000).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import scratch_app  # noqa: E402
from bench.customers_load import (  # noqa: E402
    CUSTOMER_HEADER,
    START,
    PeakResident,
    customer_line,
    lines,
)

ROWS = int(os.environ.get("BENCH_EVENTS_ROWS", 1_000_000))
EVENTS_PER_CUSTOMER = 20
EVENT_HEADER = "event_id,customer_id,occurred_at,name,value,properties"
NULL = "\\N"
NAMES = ("session_start", "tutorial_complete", "level_up", "store_view", "add_to_cart")


def event_fields(n: int, customers: int) -> tuple[str, int, str, str, str, str]:
    occurred = (START + dt.timedelta(days=n % 400, seconds=n % 86_400)).isoformat()
    value = str(n % 50) if n % 5 == 2 else ""
    properties = f'{{"level": {n % 30}}}' if n % 10 == 0 else ""
    return f"e{n}", n % customers, occurred, NAMES[n % len(NAMES)], value, properties


def csv_line(fields: tuple) -> str:
    event, customer, occurred, name, value, properties = fields
    quoted = '"' + properties.replace('"', '""') + '"' if properties else ""
    return f"{event},c{customer},{occurred},{name},{value},{quoted}\n"


def copy_line(fields: tuple, ids: dict[int, int]) -> str:
    event, customer, occurred, name, value, properties = fields
    cells = (event, str(ids[customer]), occurred, name, value or NULL, properties or NULL)
    return "\t".join(cells) + "\n"


def main() -> None:
    from backend.extensions import db
    from backend.services.customers import load_customers_csv, load_events_csv

    customers = max(ROWS // EVENTS_PER_CUSTOMER, 1)
    with scratch_app():
        load_customers_csv(lines(CUSTOMER_HEADER, customer_line("c"), customers))
        ids = {
            int(external[1:]): internal
            for internal, external in db.session.execute(
                db.text("SELECT id, external_id FROM customers")
            )
        }
        # the reference: a plain COPY of the same rows, encoded before the timer
        reference_text = "".join(copy_line(event_fields(n, customers), ids) for n in range(ROWS))
        cursor = db.session.connection().connection.cursor()
        started = time.perf_counter()
        cursor.copy_expert(
            "COPY customer_events (event_id, customer_id, occurred_at, name, value, properties) "
            "FROM STDIN",
            io.StringIO(reference_text),
        )
        db.session.commit()
        reference_seconds = time.perf_counter() - started
        del reference_text
        db.session.execute(db.text("TRUNCATE customer_events"))
        db.session.commit()
        # the product's loader, on the same rows as CSV lines, also built before the timer
        csv_lines = [EVENT_HEADER + "\n"]
        csv_lines.extend(csv_line(event_fields(n, customers)) for n in range(ROWS))
        started = time.perf_counter()
        with PeakResident() as memory:
            result = load_events_csv(iter(csv_lines))
        seconds = time.perf_counter() - started
        assert result.inserted == ROWS, result
    rows_per_s = ROWS / seconds
    reference_rows_per_s = ROWS / reference_seconds
    print(
        json.dumps(
            {
                "bench": "events_load",
                "rows": ROWS,
                "seconds": round(seconds, 1),
                "rows_per_s": round(rows_per_s),
                "peak_mb": round(memory.peak_mb, 1),
                "reference": "plain COPY of the same rows into customer_events",
                "reference_seconds": round(reference_seconds, 1),
                "reference_rows_per_s": round(reference_rows_per_s),
                "throughput_ratio_vs_reference": round(rows_per_s / reference_rows_per_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
