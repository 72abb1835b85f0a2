"""Drift: predicted vs realized revenue of each acquisition cohort (the week starting Monday) as
it matures, per model version and horizon.

A (cohort, horizon N) pair is measured once the cohort's last customer has lived N days by
`through` (the last complete day, default yesterday UTC): predicted = Σ predicted_ltv_N of the
cohort's scored customers; realized = Σ of their converted revenue on days 1..N of life (the
definition of model_outputs). For a trained version only the pairs its scoring date left
unfinished are measured (the others were known, not predicted); an imported version has no
scoring date, so every mature pair is. Events without an exchange rate are left out.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from backend.extensions import db
from backend.models import ModelKind, ModelStatus, ModelVersion
from backend.models.model_runs import LTV_HORIZONS_DAYS

_MEASURE = f"""
    WITH scored AS (
        SELECT o.customer_id, c.acquisition_date AS acquired,
               date_trunc('week', c.acquisition_date)::date AS cohort,
               o.predicted_ltv_30, o.predicted_ltv_90, o.predicted_ltv_365
        FROM model_outputs o JOIN customers c ON c.id = o.customer_id
        WHERE o.model_version_id = %(version)s
    ),
    pairs AS (
        SELECT s.cohort, h.days
        FROM (SELECT DISTINCT cohort FROM scored) s
        CROSS JOIN unnest(ARRAY{list(LTV_HORIZONS_DAYS)}) AS h(days)
        WHERE s.cohort + 6 + h.days - 1 <= %(through)s
          AND (%(as_of)s::date IS NULL OR s.cohort + 6 + h.days - 1 > %(as_of)s::date)
    ),
    predicted AS (
        SELECT p.cohort, p.days, count(*) AS customers,
               sum(CASE p.days WHEN 30 THEN s.predicted_ltv_30 WHEN 90 THEN s.predicted_ltv_90
                   ELSE s.predicted_ltv_365 END) AS predicted
        FROM scored s JOIN pairs p ON p.cohort = s.cohort
        GROUP BY p.cohort, p.days
    ),
    realized AS (
        SELECT p.cohort, p.days, sum(e.amount_reporting) AS realized
        FROM scored s
        JOIN pairs p ON p.cohort = s.cohort
        JOIN revenue_events e ON e.customer_id = s.customer_id
        WHERE (e.occurred_at AT TIME ZONE 'UTC')::date
              BETWEEN s.acquired AND s.acquired + p.days - 1
        GROUP BY p.cohort, p.days
    )
    INSERT INTO model_drift (model_version_id, cohort_date, horizon_days, customers, predicted,
                             realized, measured_at)
    SELECT %(version)s, d.cohort, d.days, d.customers, round(d.predicted, 6),
           coalesce(r.realized, 0), now()
    FROM predicted d LEFT JOIN realized r ON r.cohort = d.cohort AND r.days = d.days
    ON CONFLICT (model_version_id, cohort_date, horizon_days) DO UPDATE SET
        customers = EXCLUDED.customers, predicted = EXCLUDED.predicted,
        realized = EXCLUDED.realized, measured_at = EXCLUDED.measured_at
"""


def measure_drift(
    through: dt.date | None = None, version_ids: list[int] | None = None
) -> dict[int, int]:
    """Measure every ready LTV version that still has outputs (or the given ones); returns
    the rows written per version. Commits."""
    through = through or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    query = select(ModelVersion).where(
        ModelVersion.kind == ModelKind.LTV, ModelVersion.status == ModelStatus.READY
    )
    if version_ids is not None:
        query = query.where(ModelVersion.id.in_(version_ids))
    cursor = db.session.connection().connection.cursor()
    written: dict[int, int] = {}
    for version in db.session.scalars(query.order_by(ModelVersion.id)):
        as_of = version.holdout_end if version.source == "spendlens" else None
        cursor.execute(_MEASURE, {"version": version.id, "through": through, "as_of": as_of})
        written[version.id] = cursor.rowcount
    db.session.commit()
    return written
