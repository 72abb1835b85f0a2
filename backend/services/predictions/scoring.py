"""Per-customer outputs of a trained model: LTV from acquisition at 30/90/365 days, churn, P(alive).

The models predict revenue over windows after the scoring date; a stored LTV counts from the
customer's acquisition (model_outputs' definition): predicted_ltv_N = revenue of days 1..N of
life already realized by the scoring date + the predicted revenue of the r = N - 1 - age days of
those N that are still to come (age 0 = acquired on the scoring date; r = 0 once N days have
passed), interpolated between the deployed 30/90/365-day windows along the customer's BTYD curve
(`analytics.ltv.lifetime`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics.ltv.columns import (
    ACQUIRED_AT,
    CUSTOMER_ID,
    P_ALIVE,
    churn_column,
)
from backend.models.model_runs import LTV_HORIZONS_DAYS
from backend.services.predictions.data import ModelInputs, realized_revenue

if TYPE_CHECKING:
    from analytics.ltv import LTVModel
    from analytics.ltv.churn_model import ChurnClassifier

#: `churn_probability` = P(no purchase within this many days after the scoring date).
CHURN_HORIZON_DAYS = 90
OUTPUT_COLUMNS = (
    "predicted_ltv_30",
    "predicted_ltv_90",
    "predicted_ltv_365",
    "churn_probability",
    "p_alive",
)


def score_customers(
    model: LTVModel, inputs: ModelInputs, churn_classifier: ChurnClassifier | None = None
) -> pd.DataFrame:
    """The outputs of every customer acquired by the scoring date, indexed by customer id;
    `churn_probability` from `churn_classifier` when the backtest chose one, else BTYD's."""
    # the models' code (scipy, scikit-learn) only where a worker scores, not in the web process
    from analytics.ltv import build_rfm_summary, score_ltv
    from analytics.ltv.lifetime import btyd_at_anchors, predicted_remainder

    as_of = pd.Timestamp(inputs.as_of)
    customers, transactions = inputs.customers, inputs.transactions
    summary = build_rfm_summary(transactions, as_of, customers)
    windows = score_ltv(
        model,
        transactions,
        customers,
        as_of,
        churn_horizons_days=(CHURN_HORIZON_DAYS,),
        summary=summary,
    ).reindex(summary.index)
    anchors = btyd_at_anchors(model, summary, customers)
    realized = realized_revenue(inputs, LTV_HORIZONS_DAYS).reindex(summary.index)
    birth = customers.set_index(CUSTOMER_ID)[ACQUIRED_AT].dt.normalize().reindex(summary.index)
    age = (as_of.normalize() - birth).dt.days.to_numpy(dtype=float)
    out = pd.DataFrame(index=summary.index)
    for horizon in LTV_HORIZONS_DAYS:
        days = np.maximum(horizon - 1 - age, 0.0)
        future = predicted_remainder(model, summary, customers, windows, days, anchors)
        out[f"predicted_ltv_{horizon}"] = realized[f"realized_{horizon}"].to_numpy() + np.maximum(
            future, 0.0
        )
    out["churn_probability"] = windows[churn_column(CHURN_HORIZON_DAYS)].to_numpy()
    if churn_classifier is not None:
        out["churn_probability"] = churn_classifier.predict(summary, customers)
    out["p_alive"] = windows[P_ALIVE].to_numpy()
    out.index.name = CUSTOMER_ID
    return out
