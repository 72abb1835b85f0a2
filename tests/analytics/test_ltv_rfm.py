"""The RFM summary of a small hand-made transaction log, in both birth conventions."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.ltv import build_calibration_holdout, build_rfm_summary

TRANSACTIONS = pd.DataFrame(
    {
        "customer_id": ["c1", "c1", "c1", "c1", "c2"],
        "occurred_at": pd.to_datetime(
            [
                "2024-01-01 09:00",
                "2024-01-01 18:00",
                "2024-01-05 00:00",
                "2024-01-12 00:00",
                "2024-01-03 00:00",
            ]
        ),
        "amount": [10.0, 5.0, 20.0, 30.0, 8.0],
    }
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["c1", "c2", "c3", "c4"],
        "acquired_at": pd.to_datetime(["2024-01-01", "2023-12-30", "2024-01-02", "2024-01-15"]),
    }
)


def test_first_purchase_birth_counts_repeat_days_and_averages_repeat_spend():
    summary = build_rfm_summary(TRANSACTIONS, "2024-01-10")
    c1, c2 = summary.loc["c1"], summary.loc["c2"]
    # c1 bought on Jan 1 (two orders, one period) and Jan 5; the window ends Jan 10
    assert (c1["frequency"], c1["recency"], c1["T"]) == (1, 4, 9)
    assert (c1["monetary_value"], c1["revenue"]) == (20.0, 35.0)
    assert (c2["frequency"], c2["recency"], c2["T"], c2["monetary_value"]) == (0, 0, 7, 0.0)


def test_a_purchase_on_the_acquisition_day_is_the_birth_and_later_ones_count_from_it():
    summary = build_rfm_summary(TRANSACTIONS, "2024-01-10", customers=CUSTOMERS)
    assert sorted(summary.index) == ["c1", "c2", "c3"]  # c4 is acquired after the window
    c1, c2 = summary.loc["c1"], summary.loc["c2"]
    # c1 bought on its acquisition day: that purchase is its birth, not a repeat
    assert (c1["frequency"], c1["recency"], c1["T"], c1["monetary_value"]) == (1, 4, 9, 20.0)
    assert (c1["paid"], c1["age"], c1["first_purchase_age"], c1["first_amount"]) == (
        True,
        9,
        0,
        15.0,
    )
    # c2 was acquired on Dec 30 and first bought on Jan 3: born at the acquisition, that
    # purchase counts
    assert (c2["frequency"], c2["recency"], c2["T"], c2["age"]) == (1, 4, 11, 11)
    assert (c2["first_purchase_age"], c2["monetary_value"], c2["revenue"]) == (4, 8.0, 8.0)


def test_customers_who_have_not_bought_are_kept_with_their_age():
    summary = build_rfm_summary(TRANSACTIONS, "2024-01-10", customers=CUSTOMERS)
    c3 = summary.loc["c3"]
    assert not c3["paid"]
    assert (c3["frequency"], c3["recency"], c3["T"], c3["age"], c3["revenue"]) == (0, 0, 8, 8, 0)
    assert pd.isna(c3["first_purchase_age"])


def test_recent_activity_counts_the_last_7_and_30_days():
    summary = build_rfm_summary(TRANSACTIONS, "2024-01-12", customers=CUSTOMERS)
    c1 = summary.loc["c1"]  # bought on Jan 1, 5 and 12: the last 7 days are Jan 6-12
    assert (c1["purchases_last_7"], c1["purchases_last_30"], c1["revenue_last_30"]) == (
        1,
        3,
        65.0,
    )


def test_holdout_columns_count_the_purchases_after_the_calibration_end():
    split = build_calibration_holdout(TRANSACTIONS, "2024-01-10", "2024-01-20")
    assert split.loc["c1", "frequency_holdout"] == 1
    assert split.loc["c1", "revenue_holdout"] == pytest.approx(30.0)
    assert split.loc["c2", "revenue_holdout"] == 0.0
    assert (split["duration_holdout"] == 10).all()


def test_holdout_must_end_after_the_calibration():
    with pytest.raises(ValueError, match="holdout_end"):
        build_calibration_holdout(TRANSACTIONS, "2024-01-10", "2024-01-10")


def test_purchases_of_unknown_customers_or_before_acquisition_are_ignored():
    stray = pd.DataFrame(
        {
            "customer_id": ["zz", "c3"],
            "occurred_at": pd.to_datetime(["2024-01-04", "2024-01-01"]),
            "amount": [99.0, 50.0],
        }
    )
    both = pd.concat([TRANSACTIONS, stray], ignore_index=True)
    summary = build_rfm_summary(both, "2024-01-10", customers=CUSTOMERS)
    assert "zz" not in summary.index
    assert summary.loc["c3", "revenue"] == 0.0  # bought the day before its acquisition
