"""Writing model outputs (COPY into model_outputs) and pruning the outputs of old versions.

Nightly training adds a version per kind and a row per customer to each; only the active
versions and the `KEPT_VERSIONS` newest ready versions of each kind keep their rows (the version
rows, their metrics and their drift stay).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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
    buffer = outputs_csv(version_id, scores, columns)
    cursor = db.session.connection().connection.cursor()
    names = ", ".join(["customer_id", "model_version_id", *columns])
    cursor.copy_expert(f"COPY model_outputs ({names}) FROM STDIN WITH CSV", buffer)
    return len(scores)


#: Below this magnitude a figure fits model_outputs' NUMERIC(20, 6) (and Arrow's decimal cast,
#: which would wrap a larger one silently).
_DECIMAL_LIMIT = 1e14


def outputs_csv(version_id: int, scores: pd.DataFrame, columns: list[str]) -> io.IOBase:
    """The CSV rows (customer id, `version_id`, `columns` with 6 decimals, NaN empty) that
    copy_outputs writes, ready to read. Finite numbers of sane size are written by Arrow (1M
    customers in ~2 s instead of ~16 s of pandas' per-value formatting on a loaded 2-core
    machine; the same text, a test compares them); anything else by pandas."""
    values = [scores[c].to_numpy() for c in columns]
    if all(_fits_decimals(v) for v in values):
        arrays = {"customer_id": pa.array(scores.index.to_numpy())}
        arrays["model_version_id"] = pa.array(np.full(len(scores), version_id, dtype=np.int64))
        six = pc.CastOptions(pa.decimal128(20, 6), allow_decimal_truncate=True)
        for name, column in zip(columns, values, strict=True):
            arrays[name] = pc.cast(pa.array(column, from_pandas=True), options=six)
        buffer = io.BytesIO()
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(pa.table(arrays), buffer, options)
    else:
        frame = scores[columns].copy()
        frame.insert(0, "model_version_id", version_id)
        buffer = io.StringIO()
        frame.to_csv(buffer, header=False, float_format="%.6f")
    buffer.seek(0)
    return buffer


def _fits_decimals(values: np.ndarray) -> bool:
    """Floats (NaN allowed) or integers, each finite and under _DECIMAL_LIMIT."""
    if values.dtype.kind not in "fiu":
        return False
    magnitude = np.abs(values[~np.isnan(values)] if values.dtype.kind == "f" else values)
    return bool(magnitude.size == 0 or magnitude.max() < _DECIMAL_LIMIT)


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
