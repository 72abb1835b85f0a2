"""The CSV that copy_outputs streams into model_outputs: Arrow writes what pandas' per-value
formatting wrote (6 decimals, NaN empty), and what Arrow cannot write faithfully (too large,
infinite, not a number type) is written by pandas; the rows stored are the frame's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from backend.models import ModelKind, ModelStatus
from backend.services.customers import load_customers_batch
from backend.services.predictions import outputs, versions

COLUMNS = ["predicted_ltv_30", "predicted_ltv_365", "churn_probability"]


def _pandas_csv(version_id: int, frame: pd.DataFrame, columns: list[str]) -> str:
    copied = frame[columns].copy()
    copied.insert(0, "model_version_id", version_id)
    return copied.to_csv(header=False, float_format="%.6f")


def _text(buffer) -> str:
    value = buffer.read()
    return value.decode() if isinstance(value, bytes) else value


def _scores(rng: np.random.Generator, n: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "predicted_ltv_30": rng.random(n) * 50,
            "predicted_ltv_365": rng.lognormal(3, 2, n) * rng.choice([-1, 1], n),
            "churn_probability": rng.random(n),
        },
        index=pd.Index(rng.choice(10**9, n, replace=False), name="customer_id"),
    )
    frame.iloc[:: rng.integers(2, 9), 2] = np.nan
    frame.iloc[3, 0] = 2.0000005  # halfway in decimal, not in binary
    frame.iloc[4, 1] = -0.0000004
    return frame


@pytest.mark.parametrize("seed", range(3))
def test_the_csv_is_the_text_pandas_wrote_for_finite_numbers(seed):
    frame = _scores(np.random.default_rng(seed), 20000)
    written = _text(outputs.outputs_csv(7, frame, COLUMNS))
    expected = _pandas_csv(7, frame, COLUMNS)
    # pandas writes the sign of a negative figure that rounds to zero, Arrow does not: the
    # same number stored
    assert expected.splitlines()[4].split(",")[3] == "-0.000000"
    assert written == expected.replace(",-0.000000", ",0.000000")


@pytest.mark.parametrize(
    "odd", [1e15, np.inf, -np.inf], ids=["beyond NUMERIC(20, 6)", "infinite", "minus infinite"]
)
def test_figures_arrow_cannot_write_are_written_by_pandas(odd):
    frame = _scores(np.random.default_rng(9), 50)
    frame.iloc[10, 1] = odd
    assert _text(outputs.outputs_csv(3, frame, COLUMNS)) == _pandas_csv(3, frame, COLUMNS)


def test_object_columns_are_written_by_pandas():
    frame = _scores(np.random.default_rng(5), 30)
    frame["churn_probability"] = frame["churn_probability"].astype(object)
    assert _text(outputs.outputs_csv(3, frame, COLUMNS)) == _pandas_csv(3, frame, COLUMNS)


def test_copied_outputs_are_stored_as_the_frame_holds_them(db):
    load_customers_batch(
        [{"customer_id": f"u{i}", "acquired_at": "2024-01-02T09:00:00Z"} for i in range(40)]
    )
    ids = db.session.execute(text("SELECT id FROM customers ORDER BY id")).scalars().all()
    frame = _scores(np.random.default_rng(1), len(ids))
    frame.index = pd.Index(ids, name="customer_id")
    version = versions.new_version(ModelKind.LTV, "test")
    version.status, version.trained_at = ModelStatus.READY, dt.datetime.now(dt.UTC)
    db.session.commit()
    assert outputs.copy_outputs(version.id, frame, COLUMNS) == len(ids)
    db.session.commit()
    stored = pd.read_sql_query(
        text(f"SELECT customer_id, {', '.join(COLUMNS)} FROM model_outputs "
             "WHERE model_version_id = :v ORDER BY customer_id"),
        db.session.connection(), params={"v": version.id}, index_col="customer_id",
    )  # fmt: skip
    expected = frame.sort_index().round(6)
    pd.testing.assert_frame_equal(stored.astype(float), expected, check_exact=False, atol=1e-12)
