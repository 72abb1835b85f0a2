"""Traffic quality stored per customer: each customer's suspicion score and reasons
(`analytics.early.traffic`) in `customer_suspicion`, and `roi_customers.suspect`, which the ROI
figures that exclude suspect traffic read (`backend.services.roi.queries`).

A customer's judgement can change while it is young (no activity is judged from a day old, a
refund comes later), so each refresh scores again the customers acquired over the last
RESCORE_DAYS; the first refresh scores everyone."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import exists, select

from analytics.early.traffic import REASONS, SCORE, SUSPECT, suspicion_scores
from backend.extensions import db
from backend.models import CustomerSuspicion
from backend.services.early.data import read_early_inputs
from backend.services.transaction import unit_of_work

RESCORE_DAYS = 35

_STAGE = """CREATE TEMPORARY TABLE suspicion_stage (
    customer_id bigint, score float8, reasons text[], suspect boolean) ON COMMIT DROP"""
_UPSERT = """INSERT INTO customer_suspicion (customer_id, score, reasons, suspect, scored_at)
    SELECT customer_id, score, reasons, suspect, %(at)s FROM suspicion_stage
    ON CONFLICT (customer_id) DO UPDATE SET score = EXCLUDED.score,
        reasons = EXCLUDED.reasons, suspect = EXCLUDED.suspect, scored_at = EXCLUDED.scored_at"""
# only the rows whose flag changes: an unchanged one is no change of the ROI answers
_MARK = """UPDATE roi_customers r SET suspect = s.suspect FROM suspicion_stage s
    WHERE r.customer_id = s.customer_id AND r.suspect IS DISTINCT FROM s.suspect"""


def refresh_suspicion(until: dt.datetime | None = None, days: int | None = RESCORE_DAYS) -> dict:
    """Score the customers acquired over the `days` before `until` (default now; everyone when
    `days` is None or nobody was scored yet), store their scores and reasons and mark the
    suspects for the ROI figures, in one transaction. Returns the counts."""
    until = until or dt.datetime.now(dt.UTC)
    with unit_of_work():
        scored_before = db.session.scalar(select(exists().where(CustomerSuspicion.customer_id > 0)))
        since = until - dt.timedelta(days=days) if days is not None and scored_before else None
        inputs = read_early_inputs(until, since=since)
        scores = suspicion_scores(inputs.customers, inputs.events, inputs.payments, inputs.until)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for customer_id, score, reasons, suspect in zip(
            scores.index, scores[SCORE], scores[REASONS], scores[SUSPECT], strict=True
        ):
            writer.writerow(
                (int(customer_id), float(score), "{" + ",".join(reasons) + "}", suspect)
            )
        buffer.seek(0)
        cursor = db.session.connection().connection.cursor()
        cursor.execute(_STAGE)
        cursor.copy_expert("COPY suspicion_stage FROM STDIN WITH CSV", buffer)
        cursor.execute(_UPSERT, {"at": until})
        cursor.execute(_MARK)
        marked = cursor.rowcount
        cursor.execute("DROP TABLE suspicion_stage")
    return {
        "scored": len(scores),
        "suspects": int(scores[SUSPECT].sum()),
        "changed": marked,
        "since": since.isoformat() if since else None,
    }
