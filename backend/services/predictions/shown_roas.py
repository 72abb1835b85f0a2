"""The one predicted ROAS a row of the Cohorts and Channels pages shows (API field
`prediction`): its figure, horizon, source and backtested error at the row's age.

Two models predict a young row's return: the LTV version (predicted ROAS at the report's
horizon, 365 days on the Cohorts page) and, for customers too young for revenue history, the
first-purchase version (the early predicted ROAS, `metrics.EARLY_HORIZON_DAYS` = 30 days). Side
by side they disagree (two models, two horizons). Which one a row shows is decided from the
versions' stored report-origin backtests (rolling origin: each chose its candidates on earlier
origins than the one reported), never a fit on the data shown. Both were judged on 30-day
revenue at the age of prediction (the LTV version's ``backtest.by_age["30"]``, the
first-purchase version's ``horizons["30"].by_age``), so they are compared there (`compared`),
like with like:

- the same statistic: the median |predicted / actual - 1| per cohort (the LTV backtest's
  ``cohort_abs_error_p50``, the first-purchase backtest's ``predicted_revenue_err_p50_pct``
  over its weekly cohorts), never a mean against a median (a mean is the larger on skewed
  errors, and would hand young rows to the LTV model);
- the same cohort size: the LTV error read for a cohort of the first-purchase backtest's median
  weekly cohort (``cohort_customers``, its size model scaling it);
- the same age: the LTV error read at the age the first-purchase error was judged at (the
  feature age of the row's youngest customers: 1 or 3 days old, in the LTV buckets D3 and D7),
  not at the row's older middle.

A first-purchase version stored before the median was kept has no error (not judged): the LTV
figure is then shown wherever the LTV version predicts the row.

The early figure is shown when it covers all the row's customers and its backtested error is
the smaller, or the LTV version was not judged at that age, or scored none of them: it is then
a 30-day figure and says so. Otherwise the LTV figure at its own horizon is shown with its own
backtested error there (as the Backtested error column) and its interval.
"""

from __future__ import annotations

from analytics import metrics
from backend.services.predictions.accuracy import accuracy_at, typical_error

LTV, EARLY = "ltv", "early"


def shown_predicted_roas(
    ltv_roas: float | None,
    ltv_horizon: int,
    ltv_accuracy: dict | None,
    ltv_interval: dict | None,
    early: dict | None,
    ltv_metrics: dict | None,
    age_days: float,
    customers: float | None,
) -> dict | None:
    """The row's predicted ROAS (module docstring): {roas, horizon_days, source, age_bucket,
    error_pct, interval, compared}; None when neither model predicts it."""
    ltv = None
    if ltv_roas is not None:
        error = typical_error(ltv_accuracy)
        ltv = {
            "roas": ltv_roas,
            "horizon_days": ltv_horizon,
            "source": LTV,
            "age_bucket": (ltv_accuracy or {}).get("age_bucket"),
            "error_pct": _percent(error),
            "interval": ltv_interval,
            "compared": None,
        }
    judged = (early or {}).get("accuracy") or {}
    if not covers(early, customers) or early["predicted_roas"] is None:
        return ltv
    candidate = {
        "roas": early["predicted_roas"],
        "horizon_days": early["horizon_days"],
        "source": EARLY,
        "age_bucket": judged.get("age_bucket"),
        "error_pct": judged.get("predicted_roas_err_pct"),
        "interval": None,
    }
    compared = _compared(ltv_metrics, age_days, judged)
    candidate["compared"] = compared
    if ltv is None:
        return candidate
    ltv["compared"] = compared
    early_error, ltv_error = compared["early_error_pct"], compared["ltv_error_pct"]
    if early_error is not None and (ltv_error is None or early_error < ltv_error):
        return candidate
    return ltv


def covers(early: dict | None, customers: float | None) -> bool:
    """Whether a row's early figures are of all its customers (all of them young)."""
    return bool(early) and early["customers"] >= (customers or 0)


def _compared(ltv_metrics: dict | None, age_days: float, judged: dict) -> dict:
    """The two versions' backtested errors of 30-day revenue (median per cohort) at the age the
    early error was judged (the row's `age_days` when it was not), for a cohort of the size the
    first-purchase backtest judged (module docstring)."""
    horizon = metrics.EARLY_HORIZON_DAYS
    size = judged.get("cohort_customers")
    at = judged.get("age_days", age_days)
    ltv = accuracy_at(ltv_metrics, horizon, at, size)
    return {
        "horizon_days": horizon,
        "cohort_customers": None if size is None else round(size),
        "ltv_age_bucket": (ltv or {}).get("age_bucket"),
        "ltv_error_pct": _percent(typical_error(ltv)) if ltv else None,
        "early_age_bucket": judged.get("age_bucket"),
        "early_error_pct": judged.get("predicted_roas_err_pct"),
    }


def _percent(error: float | None) -> float | None:
    return None if error is None else round(100 * error, 1)
