"""Benchmark: fit and score the LTV models on 1,000,000 simulated customers.

Three acquisition channels (seeded MBG/NBD + Gamma-Gamma, half of the customers also buying on
their acquisition day) acquired over 2024 and observed through March 2025. Measures the RFM
summary (the reference: a pass over every transaction), the deployed fit at the calibration end
(`train_ltv_model` with every kind: per-channel BTYD + first-purchase models, the boosting
regressor trained on several origins), and scoring (`score_ltv`: the deployed revenue at
30/90/365 days with daily discounting, P(alive), churn), then judges the 90-day predictions on
the holdout. The rolling-origin backtest a training adds runs the same fit at a few earlier
origins (about 4-5 times the fit); set LTV_BENCH_BACKTEST=1 to time it too.
Wall-clock seconds are printed beside CPU seconds (``*_cpu_s``): on a shared machine the first
grow with the others' load. The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pandas as pd

from analytics.ltv import (
    BLEND,
    BOOSTING,
    BTYD,
    BTYDParams,
    GammaGammaParams,
    backtest_ltv,
    build_calibration_holdout,
    revenue_metrics,
    score_ltv,
    train_ltv_model,
)
from analytics.ltv.selection import predict_windows
from analytics.ltv.simulation import simulate_customers

CUSTOMERS = int(os.environ.get("LTV_BENCH_CUSTOMERS", "1000000"))
CHANNELS = (
    ("meta", 0.40, BTYDParams(0.6, 15.0, 0.7, 3.0, modified=True), GammaGammaParams(6, 4, 20.0)),
    ("google", 0.35, BTYDParams(0.4, 25.0, 0.9, 2.0, modified=True), GammaGammaParams(6, 4, 10.0)),
    ("apple", 0.25, BTYDParams(0.5, 20.0, 0.8, 2.5, modified=True), GammaGammaParams(5, 3, 12.0)),
)
CALIBRATION_END, HOLDOUT_END = "2024-12-31", "2025-03-31"
HORIZONS = (30, 90, 365)


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
            day0_share=0.5,
        )
        for seed, (name, share, purchases, spend) in enumerate(CHANNELS)
    ]
    customers = pd.concat([f[0] for f in frames], ignore_index=True)
    return customers, pd.concat([f[1] for f in frames], ignore_index=True)


def timed(function, *args, **kwargs):
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    CPU_S[function.__name__] = time.process_time() - cpu
    return result, time.perf_counter() - start


#: CPU seconds of each timed step (this process, every thread): on a machine whose two cores
#: are shared, the wall-clock figures grow with the others' load and these do not.
CPU_S: dict[str, float] = {}


def main() -> None:
    (customers, transactions), simulate_s = timed(simulate)
    split, rfm_s = timed(
        build_calibration_holdout, transactions, CALIBRATION_END, HOLDOUT_END, customers
    )
    day_after = pd.Timestamp(CALIBRATION_END) + pd.Timedelta(days=1)
    known = transactions[transactions["occurred_at"] < day_after]
    chosen = {30: BTYD, 90: BLEND, 365: BOOSTING}  # every kind is fitted and used
    model, fit_s = timed(train_ltv_model, known, customers, CALIBRATION_END, chosen, HORIZONS)
    scores, score_s = timed(
        score_ltv, model, known, customers, CALIBRATION_END, daily_discount_rate=0.0005
    )
    windows = predict_windows(model, split, customers, [90])
    actual = split["revenue_holdout"]
    metrics = {kind: revenue_metrics(actual, w["clv_90"]) for kind, w in windows.items()}
    backtest_s = None
    if os.environ.get("LTV_BENCH_BACKTEST") == "1":
        _, backtest_s = timed(backtest_ltv, known, customers, CALIBRATION_END, HORIZONS)
    print(f"customers {len(split):,}, transactions {len(transactions):,}")
    print(f"simulate {simulate_s:.2f}s, RFM summary {rfm_s:.2f}s (reference)")
    print(f"fit {fit_s:.2f}s, score {score_s:.2f}s, backtest {backtest_s}")
    for name, values in metrics.items():
        print(name, {key: round(value, 4) for key, value in values.items()})
    print(
        json.dumps(
            {
                "bench": "ltv_fit",
                "customers": int(len(split)),
                "transactions": int(len(transactions)),
                "fit_s": round(fit_s, 3),
                "score_s": round(score_s, 3),
                "backtest_s": round(backtest_s, 3) if backtest_s is not None else None,
                "rfm_s": round(rfm_s, 3),
                "fit_cpu_s": round(CPU_S["train_ltv_model"], 3),
                "score_cpu_s": round(CPU_S["score_ltv"], 3),
                "rfm_cpu_s": round(CPU_S["build_calibration_holdout"], 3),
                "fit_to_rfm_ratio": round(fit_s / rfm_s, 3),
                "score_to_rfm_ratio": round(score_s / rfm_s, 3),
                "fit_target_s": 30,
                "score_target_s": 10,
                "boosting_windows": list(model.boosting.windows) if model.boosting else [],
                **{
                    f"{kind}_total_ratio_90": round(values["total_ratio"], 4)
                    for kind, values in metrics.items()
                },
                **{
                    f"{kind}_normalized_gini_90": round(values["normalized_gini"], 4)
                    for kind, values in metrics.items()
                },
                "cpu_count": os.cpu_count(),
                "clv_365_mean": round(float(np.mean(scores["clv_365"])), 3),
                "churn_90_mean": round(float(np.mean(scores["churn_90"])), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
