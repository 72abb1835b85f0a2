"""The customers frame of `analytics.cohorts` from two bucketed aggregates the database computes
in one pass over the customers (no per-checkpoint filters):

- by_lived: per KEY and LIVED (how many CHECKPOINTS the customers have lived through: 0 for
  none, 1 for the first day, ...): CUSTOMERS, REVENUE, through_column(n) for every checkpoint
  (Σ cumulative revenue of the first n days; NaN when a payment had no rate), SCORED, the LTV
  sums, CHURN_SCORED and CHURN_SUM, SUSPECTS and SUSPECT_REVENUE, and AGE_SUM (Σ of the
  customers' ages in days);
- by_lifetime: per KEY, BUCKET (the checkpoint interval the lifetime's duration falls in: 0 for
  day 0, 1 for days 1-2, ...) and ENDED: CUSTOMERS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import cohorts
from analytics.revenue_curves import CHECKPOINTS

LIVED = "lived"
AGE_SUM = "age_sum"
BUCKET = "bucket"
ENDED = "ended"
TOTAL_COLUMNS = (
    cohorts.CUSTOMERS,
    cohorts.REVENUE,
    cohorts.SCORED,
    *cohorts.SCORE_COLUMNS,
    cohorts.CHURN_SCORED,
    cohorts.SUSPECTS,
    cohorts.SUSPECT_REVENUE,
)


def through_column(days: int) -> str:
    """Σ cumulative revenue of the first `days` days, e.g. ``through_7``."""
    return f"through_{days}"


class _Grids:
    """Sums of a long frame's columns into (keys × checkpoints + 1) grids by an integer position
    column; the key and position lookups are done once. NaN stays NaN."""

    def __init__(self, frame: pd.DataFrame, keys: list, position: str) -> None:
        self.frame, self.shape = frame, (len(keys), len(CHECKPOINTS) + 1)
        rows = pd.Index(keys).get_indexer(frame[cohorts.KEY]) if len(frame) else np.zeros(0, int)
        self.known = rows >= 0
        positions = frame[position].to_numpy(dtype=int) if len(frame) else np.zeros(0, int)
        # flat cell of each known row in a (keys × positions) grid
        self.cells = rows[self.known] * self.shape[1] + positions[self.known]
        self.size = self.shape[0] * self.shape[1]

    def __call__(self, column: str, rows: np.ndarray | None = None) -> np.ndarray:
        if not len(self.frame):
            return np.zeros(self.shape)
        values = self.frame[column].to_numpy(dtype=float)[self.known]
        cells = self.cells
        if rows is not None:
            keep = rows[self.known]
            cells, values = cells[keep], values[keep]
        # bincount sums in order like np.add.at (NaN stays NaN), much faster
        return np.bincount(cells, weights=values, minlength=self.size).reshape(self.shape)


def _at_least(grid: np.ndarray) -> np.ndarray:
    """Σ over positions >= j, for each j."""
    return np.cumsum(grid[:, ::-1], axis=1)[:, ::-1]


def customers_from_buckets(by_lived: pd.DataFrame, by_lifetime: pd.DataFrame) -> pd.DataFrame:
    """One row per KEY with every column of `analytics.cohorts.CUSTOMER_COLUMNS`."""
    keys = list(dict.fromkeys(by_lived[cohorts.KEY]))
    out: dict[str, object] = {cohorts.KEY: keys}
    grid = _Grids(by_lived, keys, LIVED)
    for column in TOTAL_COLUMNS:
        sums = grid(column)
        # revenue stays unknown if a part is; the other sums skip customers without a score
        strict = column in (cohorts.REVENUE, cohorts.SUSPECT_REVENUE)
        out[column] = sums.sum(axis=1) if strict else np.nansum(sums, axis=1)
    lived = _at_least(grid(cohorts.CUSTOMERS))
    before = np.zeros((len(keys), len(CHECKPOINTS) + 1))
    ages = grid(AGE_SUM)
    for index, days in enumerate(CHECKPOINTS):
        through = grid(through_column(days))
        # every customer's revenue of the first `days` days so far (to its own age)
        out[cohorts.to_age_column(days)] = through.sum(axis=1)
        # the customers who lived `index` checkpoints are at least the previous one, under this
        out[cohorts.age_sum_column(days)] = ages[:, index]
        if days in (7, 30):
            out[cohorts.REVENUE_D7 if days == 7 else cohorts.REVENUE_D30] = through.sum(axis=1)
        # customers who lived through this checkpoint: their revenue since the previous one
        out[cohorts.matured_column(days)] = lived[:, index + 1]
        gains = _at_least(through)[:, index + 1] - _at_least(before)[:, index + 1]
        out[cohorts.gain_column(days)] = gains
        before = through
    lifetimes = _Grids(by_lifetime, keys, BUCKET)
    at_risk = _at_least(lifetimes(cohorts.CUSTOMERS))
    ended = lifetimes(cohorts.CUSTOMERS, rows=by_lifetime[ENDED].to_numpy(dtype=bool))
    for index, days in enumerate(CHECKPOINTS):
        out[cohorts.at_risk_column(days)] = at_risk[:, index]
        out[cohorts.ended_column(days)] = ended[:, index]
    return cohorts.numeric_frame(keys, {column: out[column] for column in cohorts.CUSTOMER_COLUMNS})
