"""The churn traits are declared once: each one's test on an RFM summary (the churn backtest's
drivers) and its SQL condition on a customer's stored row (the Cohorts page's drivers) pick the
same customers, and the SQL the database reads is built from the declaration."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from analytics.ltv import build_rfm_summary
from analytics.ltv.churn_traits import PLACEHOLDERS, TRAITS, conditions

AS_OF = pd.Timestamp("2024-03-31")
#: customer -> (acquisition day, purchase days since acquisition)
CUSTOMERS = {
    "day0_only": ("2024-01-01", [0]),
    "one_later": ("2024-01-01", [5]),
    "late_pair": ("2024-01-01", [10, 80]),
    "new_none": ("2024-03-28", []),
    "old_none": ("2024-02-01", []),
    "early_pair": ("2024-01-15", [0, 2]),
    "one_day8": ("2024-03-01", [8]),
}


def _summary() -> pd.DataFrame:
    customers = pd.DataFrame(
        {
            "customer_id": list(CUSTOMERS),
            "acquired_at": pd.to_datetime([day for day, _ in CUSTOMERS.values()]),
        }
    )
    transactions = pd.DataFrame(
        [
            (cid, pd.Timestamp(day) + pd.Timedelta(days=offset), 10.0)
            for cid, (day, offsets) in CUSTOMERS.items()
            for offset in offsets
        ],
        columns=["customer_id", "occurred_at", "amount"],
    )
    return build_rfm_summary(transactions, AS_OF, customers)


def _stored_rows() -> sqlite3.Connection:
    """The customers as the database stores them (age on AS_OF, purchases, last purchase day,
    first-week revenue), written out by hand."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE c (id TEXT, age INT, events INT, last_day INT, revenue_7d REAL)"
    )
    for cid, (day, offsets) in CUSTOMERS.items():
        age = (AS_OF - pd.Timestamp(day)).days
        first_week = 10.0 * sum(offset <= 6 for offset in offsets)
        row = (cid, age, len(offsets), max(offsets, default=0), first_week)
        connection.execute("INSERT INTO c VALUES (?, ?, ?, ?, ?)", row)
    return connection


SQL_COLUMNS = {
    "age": "c.age",
    "purchases": "c.events",
    "last_purchase_day": "c.last_day",
    "first_week_revenue": "c.revenue_7d",
}


@pytest.mark.parametrize("name", list(TRAITS))
def test_a_traits_summary_test_and_sql_condition_pick_the_same_customers(name):
    summary = _summary()
    by_python = set(summary.index[TRAITS[name].test(summary).to_numpy(dtype=bool)])
    condition = conditions(SQL_COLUMNS)[name]
    rows = _stored_rows().execute(f"SELECT id FROM c WHERE {condition}").fetchall()
    assert by_python == {cid for (cid,) in rows}


def test_every_trait_picks_someone_and_leaves_someone_out():
    summary = _summary()
    for trait in TRAITS.values():
        picked = trait.test(summary).to_numpy(dtype=bool)
        assert picked.any() and not picked.all(), trait.name


def test_the_sql_conditions_are_filled_from_the_reader_columns_and_refuse_a_missing_one():
    filled = conditions(SQL_COLUMNS)
    assert list(filled) == list(TRAITS)
    assert all("{" not in sql for sql in filled.values())
    with pytest.raises(KeyError, match="first_week_revenue"):
        conditions({k: v for k, v in SQL_COLUMNS.items() if k != "first_week_revenue"})
    assert set(PLACEHOLDERS) == set(SQL_COLUMNS)
