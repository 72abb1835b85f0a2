"""The customers frame of `analytics.cohorts` from two bucketed aggregates the database computes
in one pass over the customers (no per-checkpoint filters):

- by_lived: per KEY and LIVED (how many CHECKPOINTS the customers have lived through: 0 for
  none, 1 for the first day, ...): CUSTOMERS, REVENUE, through_column(n) for every checkpoint
  (Σ cumulative revenue of the first n days; NaN when a payment had no rate), SCORED, the LTV
  sums, CHURN_SCORED and CHURN_SUM;
- by_lifetime: per KEY, BUCKET (the checkpoint interval the lifetime's duration falls in: 0 for
  day 0, 1 for days 1-2, ...) and ENDED: CUSTOMERS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import cohorts as C
from analytics.revenue_curves import CHECKPOINTS

LIVED = "lived"
BUCKET = "bucket"
ENDED = "ended"
TOTAL_COLUMNS = (
    C.CUSTOMERS,
    C.REVENUE,
    C.SCORED,
    *C.SCORE_COLUMNS,
    C.CHURN_SCORED,
)


def through_column(days: int) -> str:
    """Σ cumulative revenue of the first `days` days, e.g. ``through_7``."""
    return f"through_{days}"


def _grid(frame: pd.DataFrame, keys: list, position: str, column: str) -> np.ndarray:
    """(keys × checkpoints + 1) sums of `column` by integer `position`; NaN stays NaN."""
    grid = np.zeros((len(keys), len(CHECKPOINTS) + 1))
    if frame.empty:
        return grid
    rows = pd.Index(keys).get_indexer(frame[C.KEY])
    known = rows >= 0
    positions = frame[position].to_numpy(dtype=int)[known]
    np.add.at(grid, (rows[known], positions), frame[column].to_numpy(dtype=float)[known])
    return grid


def _at_least(grid: np.ndarray) -> np.ndarray:
    """Σ over positions >= j, for each j."""
    return np.cumsum(grid[:, ::-1], axis=1)[:, ::-1]


def customers_from_buckets(by_lived: pd.DataFrame, by_lifetime: pd.DataFrame) -> pd.DataFrame:
    """One row per KEY with every column of `analytics.cohorts.CUSTOMER_COLUMNS`."""
    keys = list(dict.fromkeys(by_lived[C.KEY]))
    out: dict[str, object] = {C.KEY: keys}
    for column in TOTAL_COLUMNS:
        grid = _grid(by_lived, keys, LIVED, column)
        # revenue stays unknown if a part is; the other sums skip customers without a score
        out[column] = grid.sum(axis=1) if column == C.REVENUE else np.nansum(grid, axis=1)
    lived = _at_least(_grid(by_lived, keys, LIVED, C.CUSTOMERS))
    before = np.zeros((len(keys), len(CHECKPOINTS) + 1))
    for index, days in enumerate(CHECKPOINTS):
        through = _grid(by_lived, keys, LIVED, through_column(days))
        if days in (7, 30):
            out[C.REVENUE_D7 if days == 7 else C.REVENUE_D30] = through.sum(axis=1)
        # customers who lived through this checkpoint: their revenue since the previous one
        out[C.matured_column(days)] = lived[:, index + 1]
        gains = _at_least(through)[:, index + 1] - _at_least(before)[:, index + 1]
        out[C.gain_column(days)] = gains
        before = through
    lifetimes = _grid(by_lifetime, keys, BUCKET, C.CUSTOMERS)
    ended = _grid(by_lifetime[by_lifetime[ENDED].astype(bool)], keys, BUCKET, C.CUSTOMERS)
    at_risk = _at_least(lifetimes)
    for index, days in enumerate(CHECKPOINTS):
        out[C.at_risk_column(days)] = at_risk[:, index]
        out[C.ended_column(days)] = ended[:, index]
    return pd.DataFrame({column: out[column] for column in (C.KEY, *C.CUSTOMER_COLUMNS)})
