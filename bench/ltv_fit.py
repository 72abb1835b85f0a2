"""Benchmark: fit and score the LTV models on 1,000,000 simulated customers.

Three acquisition channels (seeded MBG/NBD + Gamma-Gamma) acquired over 2024 and observed through
March 2025. Measures the RFM summary (the reference: a pass over every transaction), the
per-channel BTYD fit, the Poisson boosting fit, and scoring (CLV at 30/90/365 days with daily
discounting, P(alive), churn). The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pandas as pd

from analytics.ltv import BTYDParams, GammaGammaParams, build_calibration_holdout, revenue_metrics
from analytics.ltv.boosting import fit_revenue_regressor, predict_revenue
from analytics.ltv.btyd_model import fit_btyd_model, predict_btyd_churn, predict_btyd_clv
from analytics.ltv.simulation import simulate_customers

CUSTOMERS = int(os.environ.get("LTV_BENCH_CUSTOMERS", "1000000"))
CHANNELS = (
    ("meta", 0.40, BTYDParams(0.6, 15.0, 0.7, 3.0, modified=True), GammaGammaParams(6, 4, 20.0)),
    ("google", 0.35, BTYDParams(0.4, 25.0, 0.9, 2.0, modified=True), GammaGammaParams(6, 4, 10.0)),
    ("apple", 0.25, BTYDParams(0.5, 20.0, 0.8, 2.5, modified=True), GammaGammaParams(5, 3, 12.0)),
)
CALIBRATION_END, HOLDOUT_END = "2024-12-31", "2025-03-31"
BOOSTING_TRAIN_END = "2024-10-01"  # boosting learns the 91 days before the calibration end


def simulate() -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = [
        simulate_customers(
            int(CUSTOMERS * share),
            purchases,
            spend,
            "2024-01-01",
            CALIBRATION_END,
            HOLDOUT_END,
            seed=seed,
            platform=name,
            id_prefix=name[0],
        )
        for seed, (name, share, purchases, spend) in enumerate(CHANNELS)
    ]
    customers = pd.concat([f[0] for f in frames], ignore_index=True)
    return customers, pd.concat([f[1] for f in frames], ignore_index=True)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    (customers, transactions), simulate_s = timed(simulate)
    split, rfm_s = timed(
        build_calibration_holdout, transactions, CALIBRATION_END, HOLDOUT_END, customers
    )
    train, _ = timed(
        build_calibration_holdout, transactions, BOOSTING_TRAIN_END, CALIBRATION_END, customers
    )
    window = float(split["duration_holdout"].iloc[0])
    btyd, btyd_fit_s = timed(fit_btyd_model, split, True, customers)
    regressor, boost_fit_s = timed(
        fit_revenue_regressor, train, customers, train["revenue_holdout"], window
    )
    clv, clv_s = timed(predict_btyd_clv, btyd, split, customers, (30, 90, 365), 0.0005)
    churn, churn_s = timed(predict_btyd_churn, btyd, split, customers, (30, 90))
    boosted, boost_score_s = timed(predict_revenue, regressor, split, customers)
    holdout, _ = timed(predict_btyd_clv, btyd, split, customers, (int(window),))
    actual = split["revenue_holdout"]
    btyd_metrics = revenue_metrics(actual, holdout.iloc[:, 0])
    boosting_metrics = revenue_metrics(actual, boosted)
    fit_s, score_s = btyd_fit_s + boost_fit_s, clv_s + churn_s + boost_score_s
    print(f"customers {len(split):,}, transactions {len(transactions):,}")
    print(f"simulate {simulate_s:.2f}s, RFM summary {rfm_s:.2f}s (reference)")
    print(f"fit: BTYD per channel {btyd_fit_s:.2f}s, boosting {boost_fit_s:.2f}s")
    print(f"score: CLV {clv_s:.2f}s, churn {churn_s:.2f}s, boosting {boost_score_s:.2f}s")
    for name, metrics in (("btyd", btyd_metrics), ("boosting", boosting_metrics)):
        print(name, {key: round(value, 4) for key, value in metrics.items()})
    print(
        json.dumps(
            {
                "bench": "ltv_fit",
                "customers": int(len(split)),
                "transactions": int(len(transactions)),
                "fit_s": round(fit_s, 3),
                "score_s": round(score_s, 3),
                "btyd_fit_s": round(btyd_fit_s, 3),
                "boosting_fit_s": round(boost_fit_s, 3),
                "rfm_s": round(rfm_s, 3),
                "fit_to_rfm_ratio": round(fit_s / rfm_s, 3),
                "score_to_rfm_ratio": round(score_s / rfm_s, 3),
                "btyd_total_ratio": round(btyd_metrics["total_ratio"], 4),
                "btyd_normalized_gini": round(btyd_metrics["normalized_gini"], 4),
                "boosting_total_ratio": round(boosting_metrics["total_ratio"], 4),
                "boosting_normalized_gini": round(boosting_metrics["normalized_gini"], 4),
                "cpu_count": os.cpu_count(),
                "clv_365_mean": round(float(np.mean(clv["clv_365"])), 3),
                "churn_90_mean": round(float(np.mean(churn["churn_90"])), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
