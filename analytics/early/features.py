"""Features of a customer's first hours and days: in-app events by name, time to the first event,
sessions and active days, and the acquisition attributes — what the first-purchase model reads.

Inputs: customers (CUSTOMER_ID, ACQUIRED_AT, PLATFORM, COUNTRY, DEVICE), in-app events
(CUSTOMER_ID, OCCURRED_AT, EVENT_NAME). Times are UTC timestamps. Only events in
[acquired_at, acquired_at + age days) count, so a feature at age A is known A days after the
install whatever the data holds later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ltv.columns import (
    ACQUIRED_AT,
    CATEGORICAL_FEATURES,
    CUSTOMER_ID,
    OCCURRED_AT,
)

EVENT_NAME = "name"
#: A gap longer than this between two events starts a new session.
SESSION_GAP_S = 1800.0
#: At most this many event names become count features (the most frequent in training).
MAX_EVENT_NAMES = 20

EVENTS = "events"
SESSIONS = "sessions"
ACTIVE_DAYS = "active_days"
FIRST_EVENT_S = "log_first_event_s"
LAST_EVENT_DAYS = "last_event_days"
NUMERIC = (EVENTS, SESSIONS, ACTIVE_DAYS, FIRST_EVENT_S, LAST_EVENT_DAYS)


def event_vocabulary(events: pd.DataFrame, limit: int = MAX_EVENT_NAMES) -> list[str]:
    """The most frequent event names, most frequent first."""
    if events.empty:
        return []
    return [str(n) for n in events[EVENT_NAME].value_counts().index[:limit]]


def name_column(name: str) -> str:
    return f"n_{name}"


def relative_events(customers: pd.DataFrame, events: pd.DataFrame, age_days: float) -> pd.DataFrame:
    """The events of the customers' first `age_days` days with their age in seconds (`at_s`)."""
    acquired = customers.set_index(CUSTOMER_ID)[ACQUIRED_AT]
    joined = events[events[CUSTOMER_ID].isin(acquired.index)]
    occurred = pd.to_datetime(joined[OCCURRED_AT])
    at_s = (occurred - joined[CUSTOMER_ID].map(acquired)).dt.total_seconds()
    inside = (at_s >= 0) & (at_s < age_days * 86_400)
    out = joined.loc[inside, [CUSTOMER_ID, EVENT_NAME]].copy()
    out["at_s"] = at_s[inside].to_numpy()
    return out.sort_values([CUSTOMER_ID, "at_s"], kind="stable")


def early_features(
    customers: pd.DataFrame, events: pd.DataFrame, age_days: float, vocabulary: list[str]
) -> pd.DataFrame:
    """One row per customer (index CUSTOMER_ID): counts by name, events, sessions, active days,
    log time to the first event (NaN: none) and age of the last, and the categorical attributes."""
    ids = pd.Index(customers[CUSTOMER_ID], name=CUSTOMER_ID)
    rel = relative_events(customers, events, age_days)
    grouped = rel.groupby(CUSTOMER_ID)
    out = pd.DataFrame(index=ids)
    out[EVENTS] = grouped.size().reindex(ids, fill_value=0)
    gap = rel["at_s"].diff()
    new_session = (rel[CUSTOMER_ID] != rel[CUSTOMER_ID].shift()) | (gap > SESSION_GAP_S)
    out[SESSIONS] = new_session.groupby(rel[CUSTOMER_ID]).sum().reindex(ids, fill_value=0)
    day = (rel["at_s"] // 86_400).astype(int)
    out[ACTIVE_DAYS] = day.groupby(rel[CUSTOMER_ID]).nunique().reindex(ids, fill_value=0)
    out[FIRST_EVENT_S] = np.log1p(grouped["at_s"].min().reindex(ids))
    out[LAST_EVENT_DAYS] = (grouped["at_s"].max() / 86_400).reindex(ids)
    if vocabulary:
        counts = (
            rel[rel[EVENT_NAME].isin(vocabulary)]
            .groupby([CUSTOMER_ID, EVENT_NAME])
            .size()
            .unstack(fill_value=0)
        )
        for name in vocabulary:
            column = counts[name] if name in counts else pd.Series(dtype=float)
            out[name_column(name)] = column.reindex(ids, fill_value=0).to_numpy()
    attributes = customers.set_index(CUSTOMER_ID)
    for column in CATEGORICAL_FEATURES:
        values = attributes[column] if column in attributes else pd.Series(index=ids, dtype=object)
        out[column] = values.reindex(ids).fillna("(none)").astype(str).to_numpy()
    return out


class FeatureTable:
    """The features of a fixed set of customers at each age, computed once per age (a feature
    at age A reads only the first A days, so every origin after them shares it)."""

    def __init__(self, customers: pd.DataFrame, events: pd.DataFrame, vocabulary: list[str]):
        self.customers = customers
        self.events = events
        self.vocabulary = vocabulary
        self._ages: dict[float, pd.DataFrame] = {}

    @property
    def numeric(self) -> list[str]:
        return [*NUMERIC, *(name_column(n) for n in self.vocabulary)]

    def at(self, age: float, ids: pd.Index | pd.Series) -> pd.DataFrame:
        """The features at `age` of the customers `ids`, in that order."""
        if age not in self._ages:
            table = early_features(self.customers, self.events, age, self.vocabulary)
            self._ages[age] = table[[*CATEGORICAL_FEATURES, *self.numeric]]
        return self._ages[age].loc[pd.Index(ids)]
