"""Writing model outputs (COPY into model_outputs) and pruning the outputs of old versions.

Nightly training adds a version per kind and a row per customer to each; only the active
versions and the `KEPT_VERSIONS` newest ready versions of each kind keep their rows (the version
rows, their metrics and their drift stay).
"""

from __future__ import annotations

import io

import pandas as pd

from backend.extensions import db

KEPT_VERSIONS = 5
_LTV = ("predicted_ltv_30", "predicted_ltv_90", "predicted_ltv_365")
_CHURN = ("churn_probability", "p_alive")


def write_outputs(version_id: int, scores: pd.DataFrame, *, ltv: bool) -> int:
    """Store one version's outputs (`scores` indexed by customer id); LTV columns only when
    `ltv`. Returns the rows written. The caller commits."""
    columns = [c for c in (*(_LTV if ltv else ()), *_CHURN) if c in scores]
    return copy_outputs(version_id, scores, columns)


def copy_outputs(version_id: int, scores: pd.DataFrame, columns: list[str]) -> int:
    """COPY `columns` of `scores` (indexed by customer id) into model_outputs as one version's
    rows. Returns the rows written. The caller commits."""
    frame = scores[columns].copy()
    frame.insert(0, "model_version_id", version_id)
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, float_format="%.6f")
    buffer.seek(0)
    cursor = db.session.connection().connection.cursor()
    names = ", ".join(["customer_id", "model_version_id", *columns])
    cursor.copy_expert(f"COPY model_outputs ({names}) FROM STDIN WITH CSV", buffer)
    return len(frame)


def prune_old_outputs(kept: int = KEPT_VERSIONS) -> int:
    """Delete the outputs of inactive versions older than the `kept` newest of their kind."""
    cursor = db.session.connection().connection.cursor()
    cursor.execute(
        """
        DELETE FROM model_outputs o USING (
            SELECT id FROM (
                SELECT id, is_active,
                       row_number() OVER (PARTITION BY kind ORDER BY id DESC) AS newest
                FROM model_versions WHERE status = 'ready'
            ) v WHERE NOT v.is_active AND v.newest > %(kept)s
        ) old
        WHERE o.model_version_id = old.id
        """,
        {"kept": kept},
    )
    return cursor.rowcount
