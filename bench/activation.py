"""Benchmark: storing and activating the outputs of an LTV model version over BENCH_CUSTOMERS
customers, in both orders, against a plain COPY of the same output rows (the reference,
measured in the same run).

Before any timer: a scratch database with the bench world's accounts and campaigns, the
customers (acquired over BENCH_DAYS days) and their revenue events (about
BENCH_EVENTS_PER_CUSTOMER each), written by the product's triggers into roi_customers and its
customer groups; the outputs of two versions as the frames training scores (indexed by customer
id: LTV at 30/90/365 days, churn probability, p_alive); and an unindexed table of
model_outputs' columns. Then, timed:

- reference: `COPY ... FROM STDIN (FORMAT csv)` of one version's rows (the CSV text
  `outputs.copy_outputs` writes, made before the timer) into the unindexed table, committed;
- outputs first: a new ready version's outputs stored by `outputs.copy_outputs` and committed
  while it is inactive (nothing but the COPY), then the version activated as `flask
  activate-model` does it (`versions.record_activation_request`,
  `versions.carry_out_activation`): at commit a new prediction set is built for the new pair of
  active versions, its prediction sums per customer group at every grain inserted into the
  narrow tables (`backend/services/roi/sql/prediction_sums.py`), made the active one, and the
  old set's rows deleted;
- active first: another new ready version activated while it has no outputs (a set without LTV
  sums), then its outputs stored under the active version and committed (the COPY's statement
  trigger builds the pair's set afresh).

Each order ends with every customer scored by the version (checked, in the customers'
predictions and the groups'). While the timers run, a reader on a connection of its own sums
the customer groups with their predictions again and again (a report's read);
`reader_*_ms` against `reader_quiet_*_ms` (the same reads before any write) show whether readers
wait for the writers.

Last line: {"bench": "activation", "customers", "outputs_first_s", "active_first_s",
"copy_reference_s", "outputs_first_vs_reference", "active_first_vs_reference", "target_s": 60,
...} with each order's steps and the load average. Environment: BENCH_CUSTOMERS (default
1,000,000), BENCH_DAYS (365), BENCH_EVENTS_PER_CUSTOMER (3), BENCH_KEEP=1 keeps the database,
BENCH_DATABASE=<name> reuses a kept one (its world is loaded once; versions are added).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _roi_world as world  # noqa: E402
from bench._db import scratch_app  # noqa: E402
from bench.roi_query import vacuum  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 1_000_000))
DAYS = int(os.environ.get("BENCH_DAYS", 365))
EVENTS_PER_CUSTOMER = float(os.environ.get("BENCH_EVENTS_PER_CUSTOMER", 3))
REUSE = os.environ.get("BENCH_DATABASE") or None
KEEP = os.environ.get("BENCH_KEEP") == "1"
START = dt.date(2024, 1, 1)
END = START + dt.timedelta(days=DAYS - 1)
COLUMNS = ["predicted_ltv_30", "predicted_ltv_90", "predicted_ltv_365", "churn_probability",
           "p_alive"]  # fmt: skip
REFERENCE_TABLE = "bench_outputs_reference"
TARGET_S = 60
#: A report's read of the customer side: the last 30 days' groups summed.
READ = """
    SELECT sum(customers), sum(predicted_ltv_365), sum(churn_sum)
    FROM roi_customer_days_with_predictions
    WHERE acquisition_date BETWEEN %(first)s AND %(last)s
"""


def load_world(db) -> dict:
    """Accounts and campaigns (one day of spend through the sync's path), the customers and
    their revenue; seconds of each step. Nothing when the database has customers already."""
    from sqlalchemy import text

    if db.session.execute(text("SELECT count(*) FROM customers")).scalar_one() >= CUSTOMERS:
        return {}
    timings = {}
    began = time.perf_counter()
    world.load_spend(db, START, 1)
    db.session.execute(text("SELECT setseed(0.42)"))
    spread = max(1, round(2 * EVENTS_PER_CUSTOMER - 1))
    params = {"start": START, "end": END, "days": DAYS, "customers": CUSTOMERS, "spread": spread}
    db.session.execute(text(world.CUSTOMERS), params)
    db.session.commit()
    timings["customers_load_s"] = round(time.perf_counter() - began, 1)
    print(f"customers loaded in {timings['customers_load_s']} s", file=sys.stderr, flush=True)
    began = time.perf_counter()
    db.session.execute(text(world.REVENUE), params)
    db.session.commit()
    timings["revenue_load_s"] = round(time.perf_counter() - began, 1)
    print(f"revenue loaded in {timings['revenue_load_s']} s", file=sys.stderr, flush=True)
    return timings


def scores(db, seed: int):
    """One version's outputs for every customer, as training scores them."""
    import numpy as np
    import pandas as pd
    from sqlalchemy import text

    ids = db.session.execute(text("SELECT id FROM customers ORDER BY id")).scalars().all()
    rng = np.random.default_rng(seed)
    x = rng.random(len(ids)) + 0.2
    frame = pd.DataFrame(
        {"predicted_ltv_30": x * 20, "predicted_ltv_90": x * 35, "predicted_ltv_365": x * 70,
         "churn_probability": rng.random(len(ids)), "p_alive": rng.random(len(ids))},
        index=pd.Index(ids, name="customer_id"),
    )  # fmt: skip
    return frame[COLUMNS]


def new_version(db) -> int:
    from backend.models import ModelKind, ModelStatus
    from backend.services.predictions import versions

    version = versions.new_version(ModelKind.LTV, "bench")
    version.status = ModelStatus.READY
    version.trained_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    return version.id


def activate(version_id: int) -> None:
    """As `flask activate-model` does it."""
    from backend.services.predictions import versions

    versions.record_activation_request(None, version_id)
    assert versions.carry_out_activation(version_id) == "activated"


def store(db, version_id: int, frame) -> None:
    from backend.services.predictions import outputs

    outputs.copy_outputs(version_id, frame, COLUMNS)
    db.session.commit()


def reference_csv(db, frame) -> str:
    """The CSV text copy_outputs writes for `frame`, and an empty unindexed table of
    model_outputs' columns (with their defaults) to copy it into."""
    buffer = io.StringIO()
    copied = frame.copy()
    copied.insert(0, "model_version_id", 0)
    copied.to_csv(buffer, header=False, float_format="%.6f")
    cursor = db.session.connection().connection.cursor()
    cursor.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")
    cursor.execute(f"CREATE TABLE {REFERENCE_TABLE} (LIKE model_outputs INCLUDING DEFAULTS)")
    db.session.commit()
    return buffer.getvalue()


def copy_reference(db, csv: str) -> None:
    """A plain COPY of the rows copy_outputs writes into the unindexed table, committed."""
    cursor = db.session.connection().connection.cursor()
    names = ", ".join(["customer_id", "model_version_id", *COLUMNS])
    statement = f"COPY {REFERENCE_TABLE} ({names}) FROM STDIN (FORMAT csv)"
    cursor.copy_expert(statement, io.StringIO(csv))
    db.session.commit()


def check_scored(db, version_id: int) -> None:
    """Every customer carries the version's predictions, per customer and in the groups."""
    from sqlalchemy import text

    scored = db.session.execute(
        text("SELECT count(*) FILTER (WHERE ltv_scored), count(*) FROM roi_customer_predictions")
    ).one()
    grouped = db.session.execute(
        text("SELECT sum(ltv_scored) FROM roi_customer_days_with_predictions")
    ).scalar()
    stored = db.session.execute(
        text("SELECT count(*) FROM model_outputs WHERE model_version_id = :v"), {"v": version_id}
    ).scalar_one()
    assert scored[0] == scored[1] == grouped == stored, (scored, grouped, stored)


class Reader:
    """Reads the customer groups on a connection of its own until stopped; latencies in ms."""

    def __init__(self, url: str) -> None:
        self.url, self.latencies, self._stop = url, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        cursor = conn.cursor()
        while not self._stop.is_set():
            began = time.perf_counter()
            cursor.execute(READ, {"first": END - dt.timedelta(days=29), "last": END})
            cursor.fetchall()
            self.latencies.append((time.perf_counter() - began) * 1000)
            self._stop.wait(0.2)
        conn.close()

    def __enter__(self) -> Reader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self, prefix: str) -> dict:
        values = self.latencies or [float("nan")]
        return {
            f"{prefix}_reads": len(self.latencies),
            f"{prefix}_p50_ms": round(statistics.median(values), 1),
            f"{prefix}_max_ms": round(max(values), 1),
        }


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def timed(steps: dict, name: str, action) -> float:
    began = time.perf_counter()
    action()
    steps[name] = round(time.perf_counter() - began, 1)
    steps[f"{name}_load"] = load_average()
    print(f"{name}: {steps[name]} s at load {steps[f'{name}_load']}", file=sys.stderr, flush=True)
    return steps[name]


def main() -> None:
    with scratch_app(database=REUSE, keep=KEEP) as app:
        from backend.extensions import db

        setup = load_world(db)
        db.session.remove()
        vacuum(db)  # what autovacuum does after a load (and between the runs on a kept database)
        customers = db.session.execute(db.text("SELECT count(*) FROM customers")).scalar_one()
        # seeds no earlier run on a kept database used: every customer's predictions change
        seed = db.session.execute(db.text("SELECT count(*) FROM model_versions")).scalar_one()
        first, second = scores(db, seed + 1), scores(db, seed + 2)
        csv = reference_csv(db, first)
        url = db.engine.url.render_as_string(hide_password=False).replace("+psycopg2", "")
        with Reader(url) as quiet:
            time.sleep(2)
        steps: dict = {}
        with Reader(url) as reader:
            reference = timed(steps, "copy_reference", lambda: copy_reference(db, csv))
            version = new_version(db)
            timed(steps, "outputs_first_store", lambda: store(db, version, first))
            timed(steps, "outputs_first_activate", lambda: activate(version))
            check_scored(db, version)
            version = new_version(db)
            timed(steps, "active_first_activate", lambda: activate(version))
            timed(steps, "active_first_store", lambda: store(db, version, second))
            check_scored(db, version)
        db.session.execute(db.text(f"DROP TABLE {REFERENCE_TABLE}"))
        db.session.commit()
        assert app  # the scratch database is dropped on leaving (unless kept)
    outputs_first = steps["outputs_first_store"] + steps["outputs_first_activate"]
    active_first = steps["active_first_activate"] + steps["active_first_store"]
    print(
        json.dumps(
            {
                "bench": "activation",
                "customers": customers,
                "days": DAYS,
                "outputs_first_s": round(outputs_first, 1),
                "active_first_s": round(active_first, 1),
                "copy_reference_s": round(reference, 1),
                "outputs_first_vs_reference": round(outputs_first / reference, 1),
                "active_first_vs_reference": round(active_first / reference, 1),
                "target_s": TARGET_S,
                "steps": steps,
                **quiet.summary("reader_quiet"),
                **reader.summary("reader"),
                "load_average_1m": load_average(),
                "setup": setup,
            }
        )
    )


if __name__ == "__main__":
    main()
