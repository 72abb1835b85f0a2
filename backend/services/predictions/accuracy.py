"""How far to trust a predicted figure: the active LTV version's backtest at the cohort's age.

A version's metrics hold, under ``backtest.by_age[<horizon>][<bucket>]``, how the deployed
procedure's LTV_<horizon> (realized + predicted remainder) compared with what happened for
customers of that age at the backtest's report origin: the bias of the total (``total_error``)
and the spread of the error of cohort totals (``cohort_abs_error_p50`` / ``_p80`` over the
acquisition-day x channel cohorts). Predicted LTV, predicted ROAS and LTV:CAC share that error
(spend and CAC are known); the interval of a predicted ROAS is the band of actual ÷ predicted
of backtested cohorts scaled to the row's customers (``size_model``, `analytics.ltv.cohort_error`),
never below the ROAS already realized.
"""

from __future__ import annotations

import datetime as dt

from analytics.ltv.age_buckets import AGE_BUCKETS
from analytics.ltv.churn_traits import MIN_RATIO
from analytics.ltv.cohort_error import abs_error_for_size, interval_for_size


def age_bucket(age_days: float) -> str | None:
    """The backtest's age bucket of a cohort `age_days` old (0 = acquired today)."""
    for label, (low, high) in AGE_BUCKETS.items():
        if low <= age_days <= high:
            return label
    return None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _round(value: object, digits: int = 4) -> float | None:
    return round(float(value), digits) if isinstance(value, int | float) else None


def accuracy_at(
    metrics: dict | None, horizon_days: int, age_days: float, customers: float | None = None
) -> dict | None:
    """The backtested accuracy of LTV_<horizon_days> predicted at `age_days`. When the history
    was too short to judge that horizon (365 days needs 395 days of data), the longest shorter
    horizon judged at that age stands in (`horizon_days` says which). None when no horizon up
    to the requested one was judged at that age. Given the `customers` of the cohort read,
    ``sized`` holds the error of a cohort of that size (`analytics.ltv.cohort_error`): its
    median and 80th percentile and the 80% band of actual ÷ predicted (None when the version
    stored no size model)."""
    if not metrics:
        return None
    bucket = age_bucket(age_days)
    by_age = (metrics.get("backtest") or {}).get("by_age") or {}
    judged, judged_horizon = None, None
    for horizon in sorted((int(h) for h in by_age), reverse=True):
        found = (by_age.get(str(horizon)) or {}).get(bucket) if bucket else None
        if horizon <= horizon_days and found and found.get("cohort_abs_error_p80") is not None:
            judged, judged_horizon = found, horizon
            break
    if judged is None:
        return None
    return {
        "horizon_days": judged_horizon,
        "age_bucket": bucket,
        "error_p50": _round(judged.get("cohort_abs_error_p50")),
        "error_p80": _round(judged.get("cohort_abs_error_p80")),
        "bias": _round(judged.get("total_error")),
        "normalized_gini": _round(judged.get("normalized_gini")),
        "cohorts": int(judged.get("cohorts") or 0),
        "customers": int(judged.get("customers") or 0),
        "cohort_customers": _round(judged.get("cohort_customers_p50"), 1),
        "sized": _sized(judged.get("size_model"), customers),
    }


def _sized(model: dict | None, customers: float | None) -> dict | None:
    if not model or not customers or customers <= 0:
        return None
    p50, p80 = abs_error_for_size(model, float(customers))
    low, high = interval_for_size(model, float(customers))
    return {
        "customers": int(customers),
        "error_p50": _round(p50),
        "error_p80": _round(p80),
        "low_ratio": _round(low),
        "high_ratio": _round(high),
    }


def typical_error(accuracy: dict | None) -> float | None:
    """The backtested error of a prediction as the pages show it: the median |predicted /
    actual - 1| of backtested cohorts of the row's size and age (``sized``), or of the
    backtest's own cohorts when the version stored no size model."""
    if not accuracy:
        return None
    sized = (accuracy.get("sized") or {}).get("error_p50")
    return sized if sized is not None else accuracy.get("error_p50")


def backtest_by_age(metrics: dict | None, horizon_days: int) -> list[dict]:
    """Per cohort age (D1 ... D365, youngest first), the backtested accuracy of
    LTV_<horizon_days> as `accuracy_at` reads it (the longest horizon judged up to it), with the
    report origin (``origin``) it was judged at; the ages not judged are left out."""
    horizons = ((metrics or {}).get("backtest") or {}).get("horizons") or {}
    out = []
    for low, _ in AGE_BUCKETS.values():
        found = accuracy_at(metrics, horizon_days, low)
        if found is not None:
            origin = (horizons.get(str(found["horizon_days"])) or {}).get("origin")
            out.append({**found, "origin": _date(origin)})
    return out


def interval(predicted: float | None, realized: float | None, accuracy: dict | None) -> dict | None:
    """{low, high} of a predicted ratio (ROAS) holding the actual 8 times in 10: the band of
    actual ÷ predicted of cohorts of its size in the backtest (``sized``) or, from a version
    without a size model, prediction x (1 -+ the p80 error of the backtest's own cohorts);
    never below the ratio already realized."""
    if predicted is None or accuracy is None:
        return None
    sized = accuracy.get("sized")
    if sized and sized.get("low_ratio") is not None:
        low, high = predicted * sized["low_ratio"], predicted * sized["high_ratio"]
    elif accuracy.get("error_p80") is not None:
        error = accuracy["error_p80"]
        low, high = predicted * max(1.0 - error, 0.0), predicted * (1.0 + error)
    else:
        return None
    if realized is not None:
        low = max(low, min(realized, predicted))
    return {"low": round(low, 4), "high": round(max(high, low), 4)}


def payback_accuracy(
    metrics: dict | None, payback_days: float | None, horizon_days: int, age_days: float
) -> dict | None:
    """The accuracy of a payback day that rests on predicted revenue: that of the revenue
    predicted through the payback day (the horizon when not paid back within it) at
    `age_days`. None when the cohort paid back by its age (observed) or nothing was judged."""
    if payback_days is not None and payback_days <= age_days:
        return None
    through = horizon_days if payback_days is None else min(int(payback_days), horizon_days)
    return accuracy_at(metrics, through, age_days)


def churn_at_age(metrics: dict | None, age_days: float | None) -> dict | None:
    """The churn backtest among the customers of the age bucket of `age_days` (the churn
    version's ``by_age``): AUC, PR-AUC, Brier, predicted and observed churn; None when that age
    was not judged."""
    bucket = age_bucket(age_days) if age_days is not None else None
    found = ((metrics or {}).get("by_age") or {}).get(bucket) if bucket else None
    return _churn_age_figures(bucket, found) if found else None


def _churn_age_figures(bucket: str, found: dict) -> dict:
    return {
        "age_bucket": bucket,
        "auc": _round(found.get("auc")),
        "pr_auc": _round(found.get("pr_auc")),
        "brier": _round(found.get("brier")),
        "predicted_rate": _round(found.get("predicted_rate")),
        "observed_rate": _round(found.get("churn_rate")),
        "customers": int(found.get("customers") or 0),
    }


def churn_accuracy(metrics: dict | None, age_days: float | None = None) -> dict | None:
    """The churn backtest's headline figures (horizon, AUC, PR-AUC, Brier), its calibration
    in total (the mean predicted churn and the share that churned, from the reliability
    table), the same figures by cohort age (``by_age``, youngest first) and, given
    `age_days`, those of that age (``at_age``); or None."""
    if not metrics or metrics.get("auc") is None:
        return None
    stored_ages = metrics.get("by_age") or {}
    by_age = [
        _churn_age_figures(bucket, stored_ages[bucket])
        for bucket in AGE_BUCKETS
        if stored_ages.get(bucket)
    ]
    bins = [b for b in metrics.get("reliability") or [] if b.get("customers")]
    customers = sum(b["customers"] for b in bins)
    predicted = observed = None
    if customers:
        predicted = sum(b["customers"] * b["predicted"] for b in bins) / customers
        observed = sum(b["customers"] * b["observed"] for b in bins) / customers
    return {
        "horizon_days": metrics.get("horizon_days"),
        "auc": _round(metrics.get("auc")),
        "pr_auc": _round(metrics.get("pr_auc")),
        "brier": _round(metrics.get("brier")),
        "model": metrics.get("chosen"),
        "predicted_rate": _round(predicted),
        "observed_rate": _round(observed),
        "customers": customers or None,
        "by_age": by_age,
        "at_age": churn_at_age(metrics, age_days),
    }


def churn_drivers(metrics: dict | None, platform: str | None = None) -> dict[str, list[dict]]:
    """The active churn version's drivers per channel (each: trait, feature, importance,
    churn_ratio, the two churn rates, customers_with, sentence), for one channel or all; a
    trait whose customers churn less than MIN_RATIO times as often is no driver worth a
    sentence ("1.0x as often")."""
    stored = (metrics or {}).get("drivers") or {}
    drivers = {
        channel: [d for d in items if (d.get("churn_ratio") or 0.0) >= MIN_RATIO]
        for channel, items in stored.items()
    }
    if platform is not None:
        return {platform: drivers[platform]} if platform in drivers else {}
    return drivers
