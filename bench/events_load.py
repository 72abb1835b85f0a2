"""Benchmark: loading in-app events CSV files through the product's `load-events` command,
each against a plain COPY of the same rows measured in the same run: a first file into the
empty customer_events, then a second file of new events into the table that now holds the
first (the daily load), then the second file again (nothing changes).

Before either timer starts, the customers the events name are loaded and the events CSV is
written to a temporary file on disk, in chunks (the benchmark never holds the rows). Then:

- reference: one `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the file into a fresh table with
  the CSV's columns typed as the product stores them (no key, no index), committed; timed;
- product: a child process runs the `load-events` CLI command on the file (parse and validate
  line by line, COPY into staging, whole-load checks, merge into customer_events keyed by event
  id, commit); the timer in the child spans the command only, not the child's start and
  imports. The child's peak resident memory is its ru_maxrss (resource.getrusage of the
  terminated child, whole process); `loader_rss_growth_mb` is its peak resident memory during
  the command (VmHWM, reset through /proc/self/clear_refs when the kernel allows) above its
  resident memory when the command starts: the load streams when that does not grow with rows.
- the daily loads (`into_loaded`), each into the table the loads before it left (never empty):
  BENCH_EVENTS_SMALL new events of the same customers (CSV, optional), BENCH_EVENTS_JSON as
  JSON Lines (objects, value a number, properties an object; default BENCH_EVENTS_SMALL, else
  BENCH_EVENTS_NEW), then BENCH_EVENTS_NEW (CSV), each by the same command. The reference of
  each is a plain COPY of the same rows (CSV), their customers' ids already resolved, into a copy
  of customer_events (same columns, key and index; no check of the customers) holding the same
  events, committed; timed. Writing the files and copying the table are outside both timers.
  `reload` is the small CSV file (and the large one unless BENCH_RELOAD=0) loaded once more
  (every event already stored). `peak_rss_ratio_csv_vs_csv_small` compares the loader's peak
  resident memory (VmHWM, reset at the command's start) of the two CSV loads: ~1 when the
  load streams.

Last line: {"bench": "events_load", "rows", "rows_per_s", "reference_rows_per_s",
"throughput_ratio_vs_reference", "loader_peak_rss_mb", "loader_rss_growth_mb", "file_mb",
"into_loaded": {"csv_small", "json", "csv": {"rows", "table_rows", "rows_per_s",
"reference_rows_per_s", "throughput_ratio_vs_reference", "loader_peak_rss_mb", ...},
"peak_rss_ratio_csv_vs_csv_small"}, ...}.
BENCH_EVENTS sets the rows of the first file (default 1,000,000), BENCH_EVENTS_NEW those of the
last (default as many); BENCH_TMPDIR the folder of the temporary files; BENCH_DATABASE an
existing (empty) database to use instead of a scratch one (migrated, not dropped).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import scratch_app  # noqa: E402
from bench.customers_load import CUSTOMER_HEADER, START, customer_line, lines  # noqa: E402

ROWS = int(os.environ.get("BENCH_EVENTS", 1_000_000))
NEW_ROWS = int(os.environ.get("BENCH_EVENTS_NEW", ROWS))
SMALL_ROWS = int(os.environ.get("BENCH_EVENTS_SMALL", 0))
JSON_ROWS = int(os.environ.get("BENCH_EVENTS_JSON", SMALL_ROWS or NEW_ROWS))
RELOAD = os.environ.get("BENCH_RELOAD", "1") != "0"
DATABASE = os.environ.get("BENCH_DATABASE") or None
EVENTS_PER_CUSTOMER = 20
EVENT_HEADER = "event_id,customer_id,occurred_at,name,value,properties"
NAMES = ("session_start", "tutorial_complete", "level_up", "store_view", "add_to_cart")
CHUNK_LINES = 50_000
REFERENCE_TABLE = "bench_events_reference"


#: The events' days and times of day, as `occurred` writes them (formatted once: the files of
#: 50M events are written faster).
_DAYS = [(START + dt.timedelta(days=d)).date().isoformat() + "T" for d in range(400)]
_TIMES = [
    (START + dt.timedelta(seconds=s)).isoformat()[11:] for s in range(86_400)
]  # "HH:MM:SS+00:00"


def occurred(n: int) -> str:
    """Event `n`'s time: (START + n % 400 days + n % 86,400 seconds).isoformat()."""
    return _DAYS[n % 400] + _TIMES[n % 86_400]


def csv_line(n: int, customers: int, customer_ids: list[int] | None = None) -> str:
    """Event `n`; its customer by external id, or by `customer_ids[k]` (the stored id)."""
    value = str(n % 50) if n % 5 == 2 else ""
    properties = f'"{{""level"": {n % 30}}}"' if n % 10 == 0 else ""
    k = n % customers
    customer = f"c{k}" if customer_ids is None else customer_ids[k]
    return f"e{n},{customer},{occurred(n)},{NAMES[n % len(NAMES)]},{value},{properties}\n"


def write_events_csv(
    path: Path, numbers: range, customers: int, customer_ids: list[int] | None = None
) -> None:
    """The CSV of events `numbers`, written CHUNK_LINES lines at a time."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(EVENT_HEADER + "\n")
        for start in range(numbers.start, numbers.stop, CHUNK_LINES):
            out.write(
                "".join(
                    csv_line(n, customers, customer_ids)
                    for n in range(start, min(start + CHUNK_LINES, numbers.stop))
                )
            )


def settle() -> None:
    """A checkpoint before a timed load, so that neither pays for the writes before it."""
    from backend.extensions import db

    db.session.execute(db.text("CHECKPOINT"))
    db.session.commit()


def stored_customer_ids(customers: int) -> list[int]:
    """The id customers.id gave customer c<k>, at k."""
    from backend.extensions import db

    ids = [0] * customers
    for external, stored in db.session.execute(db.text("SELECT external_id, id FROM customers")):
        ids[int(external[1:])] = stored
    return ids


def copy_into_loaded_reference(path: Path) -> float:
    """Seconds of a plain COPY of the file (customer ids resolved) into a copy of
    customer_events (its columns, key and index) holding the same events."""
    from backend.extensions import db

    cursor = db.session.connection().connection.cursor()
    cursor.execute(f"CREATE TABLE {REFERENCE_TABLE} (LIKE customer_events INCLUDING ALL)")
    cursor.execute(f"INSERT INTO {REFERENCE_TABLE} SELECT * FROM customer_events")
    db.session.commit()
    settle()
    cursor = db.session.connection().connection.cursor()
    columns = "event_id, customer_id, occurred_at, name, value, properties"
    with path.open("rb") as stream:
        started = time.perf_counter()
        cursor.copy_expert(
            f"COPY {REFERENCE_TABLE} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)",
            stream,
        )
        db.session.commit()
        seconds = time.perf_counter() - started
    cursor = db.session.connection().connection.cursor()
    cursor.execute(f"DROP TABLE {REFERENCE_TABLE}")
    db.session.commit()
    return seconds


def copy_reference(path: Path) -> float:
    """Seconds of a plain COPY of the file into an unindexed table of the same columns."""
    from backend.extensions import db

    connection = db.session.connection().connection
    cursor = connection.cursor()
    cursor.execute(
        f"""CREATE TABLE {REFERENCE_TABLE} (
            event_id text, customer_id text, occurred_at timestamptz, name text,
            value numeric(20, 6), properties jsonb)"""
    )
    db.session.commit()
    cursor = db.session.connection().connection.cursor()
    with path.open("rb") as stream:
        started = time.perf_counter()
        cursor.copy_expert(
            f"COPY {REFERENCE_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)", stream
        )
        db.session.commit()
        seconds = time.perf_counter() - started
    cursor = db.session.connection().connection.cursor()
    cursor.execute(f"SELECT count(*) FROM {REFERENCE_TABLE}")
    copied = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {REFERENCE_TABLE}")  # its disk space, before the loader runs
    db.session.commit()
    assert copied == ROWS, copied
    return seconds


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def loader_child(database_url: str, path: str) -> None:
    """In the child process: run the `load-events` command on the file, print one JSON line."""
    from backend import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        }
    )
    runner = app.test_cli_runner()
    with app.app_context():
        from backend.extensions import db

        db.session.execute(db.text("SELECT 1"))  # connected before the timer
        db.session.rollback()
    try:  # the peak resident memory from here on (Linux >= 4.0)
        Path("/proc/self/clear_refs").write_text("5")
        hwm_reset = True
    except OSError:
        hwm_reset = False
    rss_start_kb = _status_kb("VmRSS")
    started = time.perf_counter()
    result = runner.invoke(args=["load-events", path])
    seconds = time.perf_counter() - started
    peak_kb = _status_kb("VmHWM")
    if result.exit_code != 0:
        raise SystemExit(f"load-events failed: {result.output}")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "output": result.output.strip(),
                "rss_start_kb": rss_start_kb,
                "peak_kb": peak_kb,
                "hwm_reset": hwm_reset,
            }
        )
    )


def run_loader(database_url: str, path: Path) -> tuple[dict, float]:
    """The child's report and its ru_maxrss in MB."""
    child = subprocess.run(
        [sys.executable, __file__, "--loader", path.as_posix()],
        env={**os.environ, "BENCH_EVENTS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(child.stderr[-4000:] or child.stdout[-4000:])
    report = json.loads(child.stdout.strip().splitlines()[-1])
    maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return report, maxrss_kb * 1024 / 1e6


def _growth_mb(report: dict) -> float:
    return round((report["peak_kb"] - report["rss_start_kb"]) / 1e3, 1)


def _stored_events() -> int:
    from backend.extensions import db

    count = db.session.execute(db.text("SELECT count(*) FROM customer_events")).scalar()
    db.session.commit()
    return count


def write_events_json(path: Path, numbers: range, customers: int) -> None:
    """The JSON Lines file of events `numbers` (the rows of `csv_line`; value a JSON number,
    properties an object), written CHUNK_LINES lines at a time."""
    with path.open("w", encoding="utf-8", newline="") as out:
        for start in range(numbers.start, numbers.stop, CHUNK_LINES):
            out.write(
                "".join(
                    json_line(n, customers)
                    for n in range(start, min(start + CHUNK_LINES, numbers.stop))
                )
            )


def json_line(n: int, customers: int) -> str:
    """Event `n` of `csv_line` as a JSON object (value a number, properties an object)."""
    value = f', "value": {n % 50}' if n % 5 == 2 else ""
    properties = f', "properties": {{"level": {n % 30}}}' if n % 10 == 0 else ""
    return (
        f'{{"event_id": "e{n}", "customer_id": "c{n % customers}", "occurred_at": '
        f'"{occurred(n)}", "name": "{NAMES[n % len(NAMES)]}"{value}{properties}}}\n'
    )


def into_loaded(
    url: str, folder: Path, customers: int, numbers: range, form: str, reload: bool
) -> dict:
    """A daily load: the new events `numbers` (a CSV file, or JSON Lines when `form` is
    "json") into the table as it stands, against a plain COPY of the same rows (CSV, customer
    ids resolved) into a copy of that table; then, when `reload`, the same file again."""
    from backend.extensions import db

    path = folder / ("new_events.jsonl" if form == "json" else "new_events.csv")
    resolved = folder / "new_events_resolved.csv"
    table_rows = _stored_events()
    started = time.perf_counter()
    if form == "json":
        write_events_json(path, numbers, customers)
    else:
        write_events_csv(path, numbers, customers)
    write_events_csv(resolved, numbers, customers, stored_customer_ids(customers))
    write_seconds = time.perf_counter() - started
    db.session.commit()
    reference_seconds = copy_into_loaded_reference(resolved)
    resolved.unlink()
    settle()
    db.session.remove()
    rows = len(numbers)
    report, _ = run_loader(url, path)
    assert _stored_events() == table_rows + rows, report["output"]
    db.session.remove()
    again = None
    if reload:
        again, _ = run_loader(url, path)
        assert _stored_events() == table_rows + rows, again["output"]
        db.session.remove()
    path.unlink()
    rows_per_s = rows / report["seconds"]
    reference_rows_per_s = rows / reference_seconds
    daily = {
        "form": form,
        "rows": rows,
        "table_rows": table_rows,
        "seconds": round(report["seconds"], 1),
        "rows_per_s": round(rows_per_s),
        "loader_output": report["output"],
        "loader_peak_rss_mb": round(report["peak_kb"] / 1e3, 1),
        "loader_rss_growth_mb": _growth_mb(report),
        "reference_seconds": round(reference_seconds, 1),
        "reference_rows_per_s": round(reference_rows_per_s),
        "throughput_ratio_vs_reference": round(rows_per_s / reference_rows_per_s, 2),
        "files_write_seconds": round(write_seconds, 1),
    }
    if again:
        daily |= {
            "reload_seconds": round(again["seconds"], 1),
            "reload_rows_per_s": round(rows / again["seconds"]),
            "reload_output": again["output"],
            "reload_rss_growth_mb": _growth_mb(again),
        }
    return daily


def daily_loads(url: str, folder: Path, customers: int) -> dict:
    """The daily loads after the first file: SMALL_ROWS new events (CSV), JSON_ROWS (JSON
    Lines), then NEW_ROWS (CSV), each into the table the ones before left; the peak memory of
    the two CSV loads compared."""
    first = ROWS
    loads = {}
    for key, form, rows, reload in (
        ("csv_small", "csv", SMALL_ROWS, True),
        ("json", "json", JSON_ROWS, False),
        ("csv", "csv", NEW_ROWS, RELOAD),
    ):
        if rows:
            numbers = range(first, first + rows)
            loads[key] = into_loaded(url, folder, customers, numbers, form, reload)
            first += rows
    if "csv_small" in loads and "csv" in loads:
        small, large = loads["csv_small"], loads["csv"]
        loads["peak_rss_ratio_csv_vs_csv_small"] = round(
            large["loader_peak_rss_mb"] / small["loader_peak_rss_mb"], 2
        )
    loads["reference"] = (
        "plain COPY (csv, customer ids resolved) of the same rows into a copy of "
        "customer_events (key, index) holding the same events"
    )
    return loads


def main() -> None:
    from backend.extensions import db
    from backend.services.customers import load_customers_csv

    customers = max(ROWS // EVENTS_PER_CUSTOMER, 1)
    folder = Path(tempfile.mkdtemp(prefix="spendlens-events-", dir=os.environ.get("BENCH_TMPDIR")))
    try:
        with scratch_app(database=DATABASE) as app:
            # shared costs, before both timers: the customers, then the file
            started = time.perf_counter()
            load_customers_csv(lines(CUSTOMER_HEADER, customer_line("c"), customers))
            customer_seconds = time.perf_counter() - started
            path = folder / "events.csv"
            started = time.perf_counter()
            write_events_csv(path, range(ROWS), customers)
            write_seconds = time.perf_counter() - started
            file_bytes = path.stat().st_size
            reference_seconds = copy_reference(path)
            db.session.remove()
            url = db.engine.url.render_as_string(hide_password=False)
            report, maxrss_mb = run_loader(url, path)
            assert _stored_events() == ROWS, report["output"]
            path.unlink()
            daily = daily_loads(url, folder, customers)
            assert app  # the scratch database is dropped on leaving
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = report["seconds"]
    rows_per_s = ROWS / seconds
    reference_rows_per_s = ROWS / reference_seconds
    print(
        json.dumps(
            {
                "bench": "events_load",
                "rows": ROWS,
                "file_mb": round(file_bytes / 1e6, 1),
                "seconds": round(seconds, 1),
                "rows_per_s": round(rows_per_s),
                "loader": "load-events CLI command in a child process",
                "loader_output": report["output"],
                "loader_peak_rss_mb": round(maxrss_mb, 1),
                "loader_rss_at_start_mb": round(report["rss_start_kb"] / 1e3, 1),
                "loader_rss_growth_mb": _growth_mb(report),
                "memory_measure": "ru_maxrss of the children; VmHWM"
                + (" reset at the command's start" if report["hwm_reset"] else " (not reset)"),
                "reference": "plain COPY (csv) of the same file into an unindexed table",
                "reference_seconds": round(reference_seconds, 1),
                "reference_rows_per_s": round(reference_rows_per_s),
                "throughput_ratio_vs_reference": round(rows_per_s / reference_rows_per_s, 2),
                "into_loaded": daily,
                "shared_seconds": {
                    "customers_load": round(customer_seconds, 1),
                    "file_write": round(write_seconds, 1),
                },
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--loader"]:
        loader_child(os.environ["BENCH_EVENTS_DATABASE_URL"], sys.argv[2])
    else:
        main()
