"""CLV at horizons from the BTYD and Gamma-Gamma models, with and without discounting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.ltv import (
    BTYDParams,
    GammaGammaParams,
    expected_average_value,
    expected_purchases,
    predict_clv,
)

PURCHASES = BTYDParams(0.5, 20.0, 0.8, 3.0, modified=True)
SPEND = GammaGammaParams(6.0, 4.0, 15.0)
SUMMARY = pd.DataFrame(
    {
        "frequency": [0.0, 2.0, 10.0, 2.0],
        "recency": [0.0, 30.0, 200.0, 30.0],
        "T": [40.0, 100.0, 210.0, 100.0],
        "monetary_value": [0.0, 25.0, 40.0, 25.0],
    },
    index=["new", "lapsed", "loyal", "lapsed_twin"],
)


def test_undiscounted_clv_is_expected_purchases_times_expected_value():
    clv = predict_clv(PURCHASES, SPEND, SUMMARY, horizons_days=[90])
    purchases = expected_purchases(
        PURCHASES, 90.0, SUMMARY["frequency"], SUMMARY["recency"], SUMMARY["T"]
    )
    value = expected_average_value(SPEND, SUMMARY["frequency"], SUMMARY["monetary_value"])
    np.testing.assert_allclose(clv["clv_90"], purchases * value)


def test_clv_grows_with_the_horizon_and_ranks_loyal_customers_first():
    clv = predict_clv(PURCHASES, SPEND, SUMMARY)
    assert list(clv.columns) == ["clv_30", "clv_90", "clv_365"]
    assert (clv["clv_30"] < clv["clv_90"]).all() and (clv["clv_90"] < clv["clv_365"]).all()
    assert clv["clv_365"].idxmax() == "loyal"
    assert clv.loc["lapsed", "clv_365"] == clv.loc["lapsed_twin", "clv_365"]


def test_discounting_lowers_long_horizons_more_than_short_ones():
    plain = predict_clv(PURCHASES, SPEND, SUMMARY)
    discounted = predict_clv(PURCHASES, SPEND, SUMMARY, daily_discount_rate=0.001)
    ratio = discounted / plain
    assert (ratio["clv_365"] < ratio["clv_30"]).all()
    assert ratio["clv_30"].to_numpy() == pytest.approx(1.001**-15, rel=1e-3)


def test_time_unit_converts_horizons_in_days_to_the_model_unit():
    weekly = BTYDParams(0.5, 20.0 / 7, 0.8, 3.0, modified=True)
    in_weeks = SUMMARY.assign(recency=SUMMARY["recency"] / 7, T=SUMMARY["T"] / 7)
    clv_weeks = predict_clv(weekly, SPEND, in_weeks, [70], time_unit_days=7.0)
    clv_days = predict_clv(PURCHASES, SPEND, SUMMARY, [70])
    np.testing.assert_allclose(clv_weeks["clv_70"], clv_days["clv_70"], rtol=1e-9)
