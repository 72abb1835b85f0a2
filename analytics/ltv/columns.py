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
