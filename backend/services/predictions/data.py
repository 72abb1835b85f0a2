"""The models' inputs read from the database as DataFrames in analytics/ltv's column names.

Customers acquired by `as_of` (inclusive) with their acquisition attributes, and their revenue
events up to the end of `as_of` in the reporting currency, netted per customer and UTC day
(refunds reduce the day's revenue; the models learn from the days that net positive, the realized
revenue counts them all). Events
without a rate (fx_status 'missing') are left out and counted. Read with COPY ... TO STDOUT,
so a million customers load in seconds.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from analytics.ltv.columns import (
    ACQUIRED_AT,
    AMOUNT,
    COUNTRY,
    CUSTOMER_ID,
    DEVICE,
    OCCURRED_AT,
    PLATFORM,
)
from backend.extensions import db


@dataclass
class ModelInputs:
    as_of: dt.date
    customers: pd.DataFrame
    #: Net revenue per customer and UTC day (refunds included): the realized revenue.
    daily_revenue: pd.DataFrame
    events_without_rate: int

    @cached_property
    def transactions(self) -> pd.DataFrame:
        """The purchases the models learn from: the days that net positive."""
        return self.daily_revenue[self.daily_revenue[AMOUNT] > 0]

    @property
    def first_acquisition(self) -> dt.date | None:
        if self.customers.empty:
            return None
        return pd.Timestamp(self.customers[ACQUIRED_AT].min()).date()


def _copy_frame(cursor, query: str, params: dict, dtype: dict | None = None) -> pd.DataFrame:
    """The query's rows read with COPY ... TO STDOUT; `dtype` fixes columns' types (an id of
    digits stays text)."""
    buffer = io.StringIO()
    cursor.copy_expert(
        f"COPY ({cursor.mogrify(query, params).decode()}) TO STDOUT WITH CSV HEADER", buffer
    )
    buffer.seek(0)
    return pd.read_csv(buffer, keep_default_na=False, na_values=[""], dtype=dtype)


def read_model_inputs(as_of: dt.date) -> ModelInputs:
    """Customers and daily net revenue known at the end of `as_of` (UTC)."""
    cursor = db.session.connection().connection.cursor()
    cursor.execute("SET LOCAL TimeZone = 'UTC'")
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    customers = _copy_frame(
        cursor,
        f"""SELECT id AS {CUSTOMER_ID}, acquired_at AS {ACQUIRED_AT}, platform AS {PLATFORM},
                   country AS {COUNTRY}, device AS {DEVICE}
            FROM customers WHERE acquired_at < %(end)s ORDER BY id""",
        {"end": end},
    )
    daily = _copy_frame(
        cursor,
        f"""SELECT e.customer_id AS {CUSTOMER_ID},
                   date_trunc('day', e.occurred_at) AS {OCCURRED_AT},
                   sum(e.amount_reporting) AS {AMOUNT}
            FROM revenue_events e JOIN customers c ON c.id = e.customer_id
            WHERE e.occurred_at < %(end)s AND c.acquired_at < %(end)s
              AND e.amount_reporting IS NOT NULL
            GROUP BY 1, 2""",
        {"end": end},
    )
    cursor.execute(
        "SELECT count(*) FROM revenue_events WHERE occurred_at < %(end)s AND fx_status = 'missing'",
        {"end": end},
    )
    missing = cursor.fetchone()[0]
    for frame, column in ((customers, ACQUIRED_AT), (daily, OCCURRED_AT)):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601").dt.tz_localize(
            None
        )
    daily[AMOUNT] = daily[AMOUNT].astype(float)
    for column in (PLATFORM, COUNTRY, DEVICE):
        customers[column] = customers[column].astype(object)
    return ModelInputs(as_of, customers, daily, int(missing))


def realized_revenue(inputs: ModelInputs, horizons_days: tuple[int, ...]) -> pd.DataFrame:
    """Per customer, the net revenue of the first N days of life (day 1 = the UTC acquisition
    date) that happened by `as_of`: columns ``realized_<N>``, indexed by customer id."""
    birth = inputs.customers.set_index(CUSTOMER_ID)[ACQUIRED_AT].dt.normalize()
    events = inputs.daily_revenue
    day = events[OCCURRED_AT].dt.normalize()
    age = (day - events[CUSTOMER_ID].map(birth).to_numpy()).dt.days.to_numpy()
    out = pd.DataFrame(index=birth.index)
    for horizon in horizons_days:
        within = (age >= 0) & (age < horizon)
        sums = events[AMOUNT][within].groupby(events[CUSTOMER_ID][within]).sum()
        out[f"realized_{horizon}"] = sums.reindex(out.index, fill_value=0.0)
    return out
