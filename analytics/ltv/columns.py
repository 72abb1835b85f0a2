"""Column names shared by the LTV and churn models: inputs, the RFM summary and model outputs."""

from __future__ import annotations

# Inputs: one row per revenue event, one row per acquired customer.
CUSTOMER_ID = "customer_id"
OCCURRED_AT = "occurred_at"
AMOUNT = "amount"
ACQUIRED_AT = "acquired_at"
PLATFORM = "platform"
COUNTRY = "country"
DEVICE = "device"  # OS / device family, as in the customers table
CATEGORICAL_FEATURES = (PLATFORM, COUNTRY, DEVICE)

# RFM summary at the end of a calibration window (time in periods, days by default).
FREQUENCY = "frequency"
RECENCY = "recency"
T = "T"
MONETARY_VALUE = "monetary_value"
REVENUE = "revenue"
PAID = "paid"  # has bought by the end of the window
AGE = "age"  # periods since acquisition
FIRST_PURCHASE_AGE = "first_purchase_age"  # periods from acquisition to the first purchase
FIRST_AMOUNT = "first_amount"  # revenue of the first purchase period
PURCHASES_LAST_7 = "purchases_last_7"  # purchase periods among the last 7 (recent activity)
PURCHASES_LAST_30 = "purchases_last_30"
REVENUE_LAST_30 = "revenue_last_30"
DAYS_SINCE_LAST = "days_since_last"  # periods from the last purchase to the end of the window
FREQUENCY_HOLDOUT = "frequency_holdout"
REVENUE_HOLDOUT = "revenue_holdout"
DURATION_HOLDOUT = "duration_holdout"

# Model outputs per customer.
P_ALIVE = "p_alive"
EXPECTED_PURCHASES = "expected_purchases"
EXPECTED_VALUE = "expected_average_value"
PREDICTED_REVENUE = "predicted_revenue"


def clv_column(horizon_days: int) -> str:
    """Name of the predicted-LTV column for a horizon, e.g. ``clv_90``."""
    return f"clv_{int(horizon_days)}"


def churn_column(horizon_days: int) -> str:
    """Name of the churn-probability column for a horizon, e.g. ``churn_90``."""
    return f"churn_{int(horizon_days)}"
