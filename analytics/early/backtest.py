"""Rolling-origin backtest of the first-purchase procedure, by the LTV models' origins
(analytics.ltv.backtest.rolling_origins): per horizon h, every candidate kind is fitted at
as_of - 2h and the one with the lowest log loss over the feature ages is chosen; at as_of - h the
chosen kind is fitted again on what was known then and judged on the customers acquired in the
`JUDGED_DAYS` before it (at h = 30 all after the last customer it trained on), whose
outcomes (within h days of acquisition) end by as_of. The same customers are judged at every
feature age A, each scored as the deployed model would score them A days after their install.

Judged at each feature age A (D1, D3): AUC, PR AUC, Brier and a reliability table of the
not-yet-paid customers, with their payers (the AUCs withheld, "too few payers to judge", from
fewer than MIN_JUDGED_PAYERS); per weekly cohort (seven whole days of acquisitions, counted back
from the origin, so that no cohort is a stub of a calendar week cut by the window) the expected
payers (paid by A + Σ p) against the customers who paid within h, and the early predicted
revenue (expected payers × a payer's mean revenue within h in training) against the revenue
within h — the error of an early predicted ROAS, the spend being known. Each judged cohort's
figures are stored (``by_cohort``) with the median of their absolute percentage errors (the
statistic the pages show and `accuracy_at_age` reads, the one the LTV backtest keeps per cohort,
so the two versions' errors compare like with like) and, for continuity, their mean.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.early.features import FeatureTable
from analytics.early.first_purchase import (
    DAY,
    FEATURE_AGES,
    HORIZONS,
    KINDS,
    fit_first_purchase,
    outcome,
    p_column,
    unpaid_at_age,
)
from analytics.ltv.columns import ACQUIRED_AT, CUSTOMER_ID

JUDGED_DAYS = 28
#: Fewer payers than this among the judged customers and no AUC (nor PR AUC) is given: "too
#: few payers to judge". An AUC's standard error is about sqrt(AUC(1-AUC)/payers) or more
#: (Hanley-McNeil), ±0.11 at 10 payers for an AUC of 0.85, and a handful of payers makes it any
#: number: the 7-day horizon judged at D3 counts only the payers between day 3 and day 7 of
#: the last seven days' customers (0.752, then 0.297 on the demo world after a change of
#: calibration folds that raised every 30-day AUC).
MIN_JUDGED_PAYERS = 10
TOO_FEW_PAYERS = "too few payers to judge"
COHORT = "cohort"


def judged_customers(customers: pd.DataFrame, origin: pd.Timestamp, horizon: int) -> pd.DataFrame:
    """The customers acquired in the JUDGED_DAYS before `origin` that the model fitted at
    `origin` did not train on (it trains on those whose horizon had ended by then): at the
    30-day horizon all of them, at the 7-day horizon those of the last seven days."""
    acquired = customers[ACQUIRED_AT]
    unseen = acquired + horizon * DAY > origin  # fit_first_purchase trains on the others
    return customers[(acquired >= origin - JUDGED_DAYS * DAY) & unseen & (acquired < origin)]


def weekly_cohort(acquired: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    """The first day of each acquisition's weekly cohort: seven whole days counted back from
    `origin`."""
    weeks = ((acquired - origin) // (7 * DAY)).to_numpy()  # -1: the last seven days
    starts = origin + pd.to_timedelta(7 * weeks, unit="D")
    return starts.strftime("%Y-%m-%d").to_numpy()


def judge_at_age(model, table, first_paid, horizon_value, origin, age, horizon) -> dict | None:
    """The metrics of a fitted model on the customers judged at `origin`, `age` days old."""
    # scikit-learn and scipy only where a backtest runs (a worker), not in the web process that
    # reads this module's constants and stored accuracies
    from sklearn.metrics import log_loss

    from analytics.ltv.evaluation import churn_metrics, reliability_table

    judged = judged_customers(table.customers, origin, horizon)
    if judged.empty:
        return None
    unpaid = unpaid_at_age(judged, first_paid, age)
    y = outcome(unpaid, first_paid, horizon)
    p = model.predict_at(table, unpaid[CUSTOMER_ID], age)[p_column(horizon)].to_numpy()
    metrics = {k: _finite(v) for k, v in churn_metrics(y, p).items()}
    metrics.pop("churn_rate", None)
    if int(y.sum()) < MIN_JUDGED_PAYERS:  # a ranking of a handful of payers is noise
        metrics["auc"] = metrics["pr_auc"] = None
        metrics["auc_withheld"] = TOO_FEW_PAYERS
    metrics["log_loss"] = float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1]))
    metrics["customers"] = len(unpaid)
    metrics["payers"] = int(y.sum())
    metrics["reliability"] = reliability_table(y, p)
    metrics["cohorts"] = _cohort_errors(
        judged, unpaid, p, first_paid, horizon_value.get(horizon), age, horizon, model, origin
    )
    return metrics


def _cohort_errors(judged, unpaid, p, first_paid, value, age, horizon, model, origin) -> dict:
    """Expected payers and early predicted revenue per weekly cohort against the truth: each
    judged cohort's figures (``by_cohort``), the median and the mean of their absolute
    percentage errors, and the median customers per cohort."""
    frame = pd.DataFrame({CUSTOMER_ID: judged[CUSTOMER_ID].to_numpy()})
    frame[COHORT] = weekly_cohort(judged[ACQUIRED_AT], origin)
    paid = (judged[CUSTOMER_ID].map(first_paid) - judged[ACQUIRED_AT]).to_numpy()
    frame["paid_early"] = (paid < age * DAY).astype(int)
    frame["payer"] = outcome(judged, first_paid, horizon)
    values = value.reindex(judged[CUSTOMER_ID]).fillna(0.0).to_numpy() if value is not None else 0
    frame["revenue"] = values  # the truth, within the horizon
    probability = pd.Series(p, index=unpaid[CUSTOMER_ID].to_numpy())
    frame["p"] = frame[CUSTOMER_ID].map(probability).fillna(0.0)
    # known at age A: who has paid so far; every payer is worth a payer's mean (training)
    frame["expected"] = frame["paid_early"] + frame["p"]
    frame["predicted_revenue"] = frame["expected"] * model.payer_value.get(horizon, 0.0)
    grouped = frame.groupby(COHORT)
    weekly = grouped[["expected", "payer", "predicted_revenue", "revenue"]].sum()
    weekly["customers"] = grouped.size()
    weekly = weekly[weekly["payer"] > 0]
    payers_err = 100 * (weekly["expected"] - weekly["payer"]).abs() / weekly["payer"]
    earned = weekly[weekly["revenue"] > 0]  # refunds can leave a cohort's payers with none
    revenue_err = 100 * (earned["predicted_revenue"] - earned["revenue"]).abs() / earned["revenue"]
    return {
        "weeks": len(weekly),
        "expected_payers": float(weekly["expected"].sum()),
        "actual_payers": int(weekly["payer"].sum()),
        "expected_payers_err_pct": _finite(payers_err.mean()),
        "expected_payers_err_p50_pct": _finite(payers_err.median()),
        "expected_payers_total_err_pct": _finite(
            100 * abs(weekly["expected"].sum() - weekly["payer"].sum()) / weekly["payer"].sum()
        )
        if len(weekly)
        else None,
        "predicted_revenue_err_pct": _finite(revenue_err.mean()),
        "predicted_revenue_err_p50_pct": _finite(revenue_err.median()),
        "cohort_customers_p50": _finite(weekly["customers"].median()),
        "by_cohort": [
            {
                "cohort": str(cohort),
                "customers": int(row["customers"]),
                "expected_payers": float(row["expected"]),
                "payers": int(row["payer"]),
                "predicted_revenue": float(row["predicted_revenue"]),
                "revenue": float(row["revenue"]),
                "expected_payers_err_pct": _finite(payers_err[cohort]),
                "predicted_revenue_err_pct": _finite(revenue_err.get(cohort)),
            }
            for cohort, row in weekly.iterrows()
        ],
    }


def _finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def backtest_first_purchase(
    table: FeatureTable,
    first_paid: pd.Series,
    horizon_value: dict[int, pd.Series],
    as_of: pd.Timestamp,
) -> dict:
    """Choose the kind per horizon at its selection origin, judge it at its report origin
    (module docstring); the result is what a version stores as its metrics."""
    from analytics.ltv.backtest import rolling_origins

    chosen: dict[str, str] = {}
    selection: dict[str, dict] = {}
    report: dict[str, dict] = {}
    for horizon in HORIZONS:
        select_origin, report_origin = rolling_origins(as_of, horizon)
        losses = {}
        for kind in KINDS:
            model = fit_first_purchase(
                table, first_paid, horizon_value, select_origin, kind, (horizon,)
            )
            judged = [
                judge_at_age(model, table, first_paid, horizon_value, select_origin, age, horizon)
                for age in FEATURE_AGES
                if age < horizon
            ]
            scores = [j["log_loss"] for j in judged if j]
            losses[kind] = float(np.mean(scores)) if scores else math.inf
        kind = min(KINDS, key=lambda k: losses[k])
        chosen[str(horizon)] = kind
        selection[str(horizon)] = {"origin": select_origin.date().isoformat(), "log_loss": losses}
        model = fit_first_purchase(
            table, first_paid, horizon_value, report_origin, kind, (horizon,)
        )
        report[str(horizon)] = {
            "origin": report_origin.date().isoformat(),
            "kind": kind,
            "by_age": {
                f"D{age}": judge_at_age(
                    model, table, first_paid, horizon_value, report_origin, age, horizon
                )
                for age in FEATURE_AGES
                if age < horizon
            },
        }
    return {
        "procedure": "rolling-origin backtest of the deployed first-purchase procedure",
        "criterion": "lowest log loss over the feature ages at the selection origin (as_of - 2h)",
        "chosen": chosen,
        "selection": selection,
        "horizons": report,
    }


def feature_age(age_days: float) -> int:
    """The feature age (days: 1, 3) a customer `age_days` old at the scoring is scored with."""
    return max([age for age in FEATURE_AGES if age <= age_days] or [FEATURE_AGES[0]])


def feature_age_label(age_days: float) -> str:
    """The feature age's label (D1, D3)."""
    return f"D{feature_age(age_days)}"


def accuracy_at_age(metrics: dict | None, horizon: int, age_days: float) -> dict | None:
    """The backtested accuracy, stored in a first-purchase version's `metrics` (the result of
    `backtest_first_purchase`), of horizon-day expected payers and early predicted revenue
    (hence ROAS, the spend being known) of cohorts `age_days` old when scored: the median
    absolute percentage error per weekly cohort (``cohort_customers`` their median size) of
    customers judged ``age_days`` old (the feature age, ``age_bucket`` its label), with
    the AUC and Brier score of the probabilities and the customers judged (not yet paid at that
    age) over the `weeks` judged, with the payers among them (no AUC, `auc_withheld` saying
    why, from fewer than MIN_JUDGED_PAYERS). A version stored before the median was kept (only
    the mean per cohort) has no error here (None: not judged), never its mean in the median's
    place."""
    by_age = (((metrics or {}).get("horizons") or {}).get(str(horizon)) or {}).get("by_age")
    label = feature_age_label(age_days)
    judged = (by_age or {}).get(label)
    if not judged:
        return None
    cohorts = judged.get("cohorts") or {}
    return {
        "age_bucket": label,
        "age_days": feature_age(age_days),
        "horizon_days": horizon,
        "expected_payers_err_pct": _rounded(cohorts.get("expected_payers_err_p50_pct")),
        "predicted_roas_err_pct": _rounded(cohorts.get("predicted_revenue_err_p50_pct")),
        "auc": _rounded(judged.get("auc"), 4),
        "auc_withheld": judged.get("auc_withheld"),
        "payers": judged.get("payers"),
        "brier": _rounded(judged.get("brier"), 4),
        "weeks": int(cohorts.get("weeks") or 0),
        "customers": int(judged.get("customers") or 0),
        "cohort_customers": _rounded(cohorts.get("cohort_customers_p50")),
    }


def _rounded(value, digits: int = 1) -> float | None:
    return round(float(value), digits) if isinstance(value, int | float) else None
