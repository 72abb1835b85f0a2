"""The first-purchase version's by_age summary is what FirstPurchaseModelSchema serves: numbers
only, also when an AUC was withheld for too few payers (a reason string in it made every
/api/cohorts answer a 500)."""

from __future__ import annotations

from analytics.early.backtest import TOO_FEW_PAYERS
from backend.api.roi import FirstPurchaseModelSchema
from backend.services.predictions.first_purchase import summary


def _judged(auc, payers, **more) -> dict:
    return {
        "auc": auc,
        "payers": payers,
        "brier": 0.04,
        "cohorts": {"expected_payers_err_p50_pct": 6.0, "predicted_revenue_err_p50_pct": 9.0},
        **more,
    }


def test_a_withheld_auc_leaves_a_summary_of_numbers_the_api_serves():
    backtest = {
        "horizons": {
            "7": {"by_age": {"D3": _judged(None, 3, auc_withheld=TOO_FEW_PAYERS)}},
            "30": {"by_age": {"D1": _judged(0.91, 140), "D3": _judged(0.95, 120)}},
        }
    }
    by_age = summary(backtest)
    assert by_age["D3"]["auc_7"] is None and by_age["D3"]["payers_7"] == 3
    assert by_age["D1"]["auc_30"] == 0.91 and by_age["D1"]["payers_30"] == 140
    for figures in by_age.values():
        for name, value in figures.items():
            assert value is None or isinstance(value, int | float), (name, value)
    dumped = FirstPurchaseModelSchema().dump({"id": 1, "by_age": by_age})
    assert dumped["by_age"]["D3"]["auc_7"] is None
    assert dumped["by_age"]["D3"]["payers_7"] == 3.0
