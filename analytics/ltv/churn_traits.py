"""The simple traits whose churn the product compares ("customers from Meta without a purchase in
their first week churn 2.3x as often"), declared once: each trait's name, the words a sentence
names its customers with, the churn model's feature it stands for, its test on an RFM summary
(the churn backtest's drivers per channel, ``churn_model``) and its condition on a customer's
stored row (the Cohorts page's drivers per cohort, read by the database).

The condition is SQL with named placeholders for the customer row's quantities on the day seen,
which the reader of the database fills in (``conditions``), so analytics knows no table:

- ``{age}``: days since acquisition (0 on the acquisition day);
- ``{purchases}``: the customer's number of purchases so far;
- ``{last_purchase_day}``: days from acquisition to the last purchase;
- ``{first_week_revenue}``: revenue of the first 7 days (days 0-6).

The summary counts purchase days where the stored row counts purchases, so two purchases on one
day are a "single purchase" in the first and not in the second; otherwise the test and the
condition pick the same customers (the tests hold them to it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from analytics.ltv.columns import (
    AGE,
    DAYS_SINCE_LAST,
    FIRST_PURCHASE_AGE,
    FREQUENCY,
    PAID,
    PURCHASES_LAST_30,
    RECENCY,
    T,
)

#: The quantities a condition may name, as placeholders.
PLACEHOLDERS = ("age", "purchases", "last_purchase_day", "first_week_revenue")

#: A trait whose customers churn less than this many times as often as the others is no driver
#: worth a sentence ("1.0x as often").
MIN_RATIO = 1.2


@dataclass(frozen=True)
class Trait:
    name: str
    #: How a sentence names the customers who have it: "Customers from Meta {fragment} ...".
    fragment: str
    #: The churn model's feature the trait stands for (its permutation importance ranks it).
    feature: str
    #: Which customers of an RFM summary have it.
    test: Callable[[pd.DataFrame], pd.Series]
    #: The same on a customer's stored row, SQL with PLACEHOLDERS.
    condition: str


TRAITS: dict[str, Trait] = {
    trait.name: trait
    for trait in (
        Trait(
            "no_first_week_purchase",
            "without a purchase in their first week",
            FIRST_PURCHASE_AGE,
            lambda s: (s[AGE] >= 7) & ~(s[PAID] & (s[FIRST_PURCHASE_AGE] <= 6)),
            "({age} >= 7 AND {first_week_revenue} = 0)",
        ),
        Trait(
            "not_bought",
            "who have not bought yet",
            PAID,
            lambda s: ~s[PAID].astype(bool),
            "({purchases} = 0)",
        ),
        Trait(
            "single_purchase",
            "with a single purchase",
            FREQUENCY,
            # one purchase period: frequency counts the periods after the first purchase when
            # that fell on the acquisition day, every one otherwise (``rfm``)
            lambda s: s[PAID].astype(bool) & (s[FREQUENCY] == (s[FIRST_PURCHASE_AGE] > 0)),
            "({purchases} = 1)",
        ),
        Trait(
            "quiet_30_days",
            "without a purchase in the last 30 days",
            PURCHASES_LAST_30,
            lambda s: s[PURCHASES_LAST_30] == 0,
            "({purchases} = 0 OR {age} - {last_purchase_day} >= 30)",
        ),
        Trait(
            "quiet_since",
            "whose last purchase is over 60 days old",
            DAYS_SINCE_LAST,
            lambda s: s[PAID].astype(bool) & ((s[T] - s[RECENCY]) > 60),
            "({purchases} > 0 AND {age} - {last_purchase_day} > 60)",
        ),
    )
}


def conditions(columns: Mapping[str, str]) -> dict[str, str]:
    """Each trait's SQL condition with the placeholders filled from `columns` (SQL expressions
    of the customer row, one per PLACEHOLDERS name; a missing one raises KeyError)."""
    missing = set(PLACEHOLDERS) - set(columns)
    if missing:
        raise KeyError(f"no SQL for {', '.join(sorted(missing))}")
    return {name: trait.condition.format(**columns) for name, trait in TRAITS.items()}
