"""Rolling-origin backtests of the whole deployed LTV procedure, model selection on them, and the
metrics a version stores.

For each deployed horizon h the backtest uses two origins: the *selection* origin as_of - 2h
and the *report* origin as_of - h. At an origin t every candidate is fitted on the data through t
only (``fit_candidates``) and predicts the revenue of every customer in (t, t + h], which is then
compared with what happened. At the selection origin the kinds are compared and the horizon's
calibration factor (actual / predicted total of the chosen kind, clipped to [0.5, 2]) is measured;
its outcome window ends at the report origin, so nothing the report judges was seen. Each
channel's bias relative to the whole is measured on the longest selected window and applied on
top of every horizon's factor. A bias is corrected only when the selection origins of all
horizons agree on its direction (all under-, or all over-predicted): when they disagree, what they
measured is noise or the early origins' shorter history (a model fitted on a few months scores
older customers than it learned), not a bias of the procedure, and every factor is 1
(``calibration_note`` says so). At the report
origin the deployed procedure (the chosen kind, calibrated) is judged; those are the metrics a
version stores, by horizon and by cohort age at prediction time (D1, D3, D7, D14, D30: LTV_N from
acquisition, realized + predicted remainder, as the product stores it); the churn backtest is
kept by cohort age too (AUC, PR-AUC, Brier of the customers of each age at its report origin).

Selection criterion (lower wins): |log(total ratio)| + decile MAPE + (1 - normalized Gini). A
model that predicts zero has an infinite log ratio and an undefined Gini, so it can never win,
and neither can one that ranks well but misses the total. A horizon without a selection origin
(not enough history) takes the kind chosen for the nearest horizon that has one, uncalibrated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.ltv._optimize import DegenerateFit
from analytics.ltv.age_buckets import AGE_BUCKETS
from analytics.ltv.btyd_model import POOLED, predict_btyd_churn, segment_labels
from analytics.ltv.churn_model import (
    BTYD_CHURN,
    HGB,
    choose_churn_model,
    churn_drivers,
    fit_churn_classifiers,
)
from analytics.ltv.clv import DEFAULT_HORIZONS_DAYS
from analytics.ltv.cohort_error import fit_size_model
from analytics.ltv.columns import AGE, CUSTOMER_ID, PLATFORM, churn_column, clv_column
from analytics.ltv.evaluation import churn_metrics, reliability_table, revenue_metrics
from analytics.ltv.lifetime import predicted_remainder, remaining_days
from analytics.ltv.rfm import PurchasePeriods, period_index, purchase_periods
from analytics.ltv.selection import (
    BTYD,
    KINDS,
    LTVModel,
    combine_windows,
    fit_candidates,
    predict_windows,
)

CALIBRATION_LIMITS = (0.5, 2.0)
MIN_BUCKET_CUSTOMERS = 20
MIN_SEGMENT_CUSTOMERS = 500
CRITERION = (
    "lowest |log(total ratio)| + decile MAPE + (1 - normalized Gini) on the selection origin "
    "(as_of - 2h); predicting zero cannot win"
)


def rolling_origins(as_of: pd.Timestamp, horizon_days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(selection origin, report origin) of a horizon: as_of - 2h and as_of - h. Whatever is
    chosen at the first is judged at the second, on outcomes the choice never saw; every model
    (LTV, churn, first purchase) is backtested at these two origins."""
    return as_of - pd.Timedelta(days=2 * horizon_days), as_of - pd.Timedelta(days=horizon_days)


def selection_score(metrics: dict[str, float]) -> float:
    """The criterion of the module docstring (inf when it is undefined)."""
    ratio, gini, mape = (metrics.get(k) for k in ("total_ratio", "normalized_gini", "decile_mape"))
    values = (ratio, gini, mape)
    if any(v is None or not math.isfinite(v) for v in values) or ratio <= 0:
        return math.inf
    return abs(math.log(ratio)) + mape + (1.0 - gini)


@dataclass
class LTVBacktest:
    """What the backtest chose and measured; ``as_metrics()`` is what a version stores."""

    as_of: pd.Timestamp
    chosen: dict[int, str] = field(default_factory=dict)
    calibration: dict[int, float] = field(default_factory=dict)
    segment_calibration: dict[int, dict[str, float]] = field(default_factory=dict)
    selection: dict[int, dict] = field(default_factory=dict)
    report: dict[int, dict] = field(default_factory=dict)
    by_age: dict[int, dict[str, dict]] = field(default_factory=dict)
    by_platform: dict[int, dict[str, dict]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    #: Why the measured calibration was not applied (empty when it was).
    calibration_note: str = ""
    #: Churn: P(no purchase in the next ``churn_horizon`` days) judged at as_of - that horizon.
    churn: dict = field(default_factory=dict)

    def as_metrics(self) -> dict:
        return {
            "procedure": "rolling-origin backtest of the deployed procedure",
            "criterion": CRITERION,
            "chosen": {str(h): k for h, k in self.chosen.items()},
            "calibration": {str(h): c for h, c in self.calibration.items()},
            "segment_calibration": {str(h): c for h, c in self.segment_calibration.items()},
            "calibration_note": self.calibration_note,
            "selection": {str(h): v for h, v in self.selection.items()},
            "horizons": {str(h): v for h, v in self.report.items()},
            "by_age": {str(h): v for h, v in self.by_age.items()},
            "by_platform": {str(h): v for h, v in self.by_platform.items()},
            "refused": dict(self.refused),
            "churn": self.churn,
        }


def _revenue_between(
    periods: PurchasePeriods, ids: pd.Index, after: np.ndarray, through: np.ndarray
) -> np.ndarray:
    """Revenue of each customer (``ids``) in the periods (after[i], through[i]]."""
    code = periods.ids.get_indexer(ids)
    lower = np.full(len(periods.ids), np.iinfo(np.int64).max)
    upper = np.full(len(periods.ids), np.iinfo(np.int64).min)
    lower[code], upper[code] = after, through
    rows = (periods.period > lower[periods.code]) & (periods.period <= upper[periods.code])
    total = np.bincount(periods.code[rows], periods.amount[rows], minlength=len(periods.ids))
    return total[code]


@dataclass
class _Origin:
    """The candidates fitted at one origin and their predictions over every horizon."""

    origin: pd.Timestamp
    model: LTVModel | None
    summary: pd.DataFrame | None
    windows: dict[str, pd.DataFrame]
    actual: dict[int, np.ndarray]
    error: str | None = None


def _at_origin(
    periods: PurchasePeriods,
    customers: pd.DataFrame | None,
    origin: pd.Timestamp,
    horizons: Sequence[int],
    observed_through: int,
    fit_options: dict,
) -> _Origin:
    try:
        model, summary = fit_candidates(periods, customers, origin, horizons, **fit_options)
    except DegenerateFit as exc:
        return _Origin(origin, None, None, {}, {}, str(exc))
    windows = predict_windows(model, summary, customers, horizons)
    start = int(period_index(origin))
    actual = {}
    for h in horizons:
        if start + h <= observed_through:
            n = len(summary)
            actual[h] = _revenue_between(
                periods, summary.index, np.full(n, start), np.full(n, start + h)
            )
    return _Origin(origin, model, summary, windows, actual)


def _deploy(model: LTVModel, result: LTVBacktest) -> LTVModel:
    """The model fitted at an origin, deployed as the backtest chose and calibrated it."""
    model.chosen, model.calibration = dict(result.chosen), dict(result.calibration)
    model.segment_calibration = dict(result.segment_calibration)
    return model


def _platforms(summary: pd.DataFrame, customers: pd.DataFrame | None) -> pd.Series:
    if customers is None or PLATFORM not in customers:
        return pd.Series("(all)", index=summary.index)
    labels = customers.set_index(CUSTOMER_ID)[PLATFORM].reindex(summary.index)
    return labels.astype(str).fillna("(none)")


def backtest_ltv(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    *,
    min_history_days: int = 30,
    churn_horizon_days: int = 90,
    channel_label: Callable[[str], str] = str,
    **fit_options,
) -> LTVBacktest:
    """Backtest, select and calibrate (module docstring); ``fit_options`` go to
    ``fit_candidates`` (modified, segment_column); ``channel_label`` names a channel in the
    churn drivers' sentences."""
    as_of = pd.Timestamp(as_of)
    horizons = sorted(int(h) for h in horizons_days)
    periods = purchase_periods(transactions, customers)
    first = pd.Timestamp(periods.first_period() * pd.Timedelta(days=1).value)
    end = int(period_index(as_of))
    earliest = first + pd.Timedelta(days=min_history_days)
    options = {"min_history_days": min_history_days, **fit_options}
    points: dict[pd.Timestamp, _Origin] = {}

    def point(origin: pd.Timestamp) -> _Origin:
        if origin not in points:
            points[origin] = _at_origin(periods, customers, origin, horizons, end, options)
        return points[origin]

    result = LTVBacktest(as_of)
    for h in horizons:
        origin = rolling_origins(as_of, h)[0]
        if origin < earliest:
            continue
        at = point(origin)
        if at.model is None:
            result.refused[f"selection {origin.date()}"] = at.error
            continue
        actual = at.actual[h]
        scores = {}
        metrics = {}
        for kind, frame in at.windows.items():
            metrics[kind] = revenue_metrics(actual, frame[clv_column(h)].to_numpy())
            scores[kind] = selection_score(metrics[kind])
        best = min(KINDS, key=lambda k: scores.get(k, math.inf))
        if not math.isfinite(scores.get(best, math.inf)):
            best = BTYD
        ratio = metrics[best]["total_ratio"]
        factor = 1.0 / ratio if ratio and math.isfinite(ratio) and ratio > 0 else 1.0
        result.chosen[h] = best
        result.calibration[h] = float(np.clip(factor, *CALIBRATION_LIMITS))
        result.segment_calibration[h] = _segment_factors(
            at, actual, at.windows[best][clv_column(h)].to_numpy(), customers
        )
        result.selection[h] = {
            "origin": origin.date().isoformat(),
            "customers": int(len(actual)),
            "scores": scores,
            "candidates": metrics,
        }
    _fill_unselected(result, horizons)
    _channel_relative_factors(result)
    _drop_disagreeing_calibration(result)
    result.churn = _churn_backtest(
        point, as_of, earliest, churn_horizon_days, customers, periods, channel_label
    )
    for h in horizons:
        origin = rolling_origins(as_of, h)[1]
        if origin < earliest:
            continue
        at = point(origin)
        if at.model is None:
            result.refused[f"report {origin.date()}"] = at.error
            continue
        _report(result, at, h, customers, periods)
    return result


def _segment_factors(
    at: _Origin, actual: np.ndarray, predicted: np.ndarray, customers: pd.DataFrame | None
) -> dict[str, float]:
    """Calibration factor of each segment with enough customers and revenue of its own."""
    labels = segment_labels(at.summary, customers, at.model.btyd.segment_column)
    out = {}
    for label in np.unique(labels):
        rows = labels == label
        total, guess = actual[rows].sum(), predicted[rows].sum()
        if label != POOLED and rows.sum() >= MIN_SEGMENT_CUSTOMERS and total > 0 and guess > 0:
            out[str(label)] = float(np.clip(total / guess, *CALIBRATION_LIMITS))
    return out


def _channel_relative_factors(result: LTVBacktest) -> None:
    """A channel's bias relative to all channels is measured on the longest selected window
    (the most revenue, the least noise) and applied on top of every horizon's own factor."""
    measured = [h for h in result.segment_calibration if result.segment_calibration[h]]
    if not measured:
        result.segment_calibration = {}
        return
    longest = max(measured)
    relative = {
        label: factor / result.calibration[longest]
        for label, factor in result.segment_calibration[longest].items()
    }
    result.segment_calibration = {
        h: {
            label: float(np.clip(result.calibration[h] * r, *CALIBRATION_LIMITS))
            for label, r in relative.items()
        }
        for h in result.calibration
    }


def _drop_disagreeing_calibration(result: LTVBacktest) -> None:
    """Every factor 1 when the selection origins disagree on the direction of the bias."""
    factors = [result.calibration[h] for h in result.selection]
    if any(f > 1.0 for f in factors) and any(f < 1.0 for f in factors):
        measured = ", ".join(f"{h} days x{result.calibration[h]:.3f}" for h in result.selection)
        result.calibration_note = (
            f"not applied: the selection origins disagree on the direction of the bias ({measured})"
        )
        result.calibration = dict.fromkeys(result.calibration, 1.0)
        result.segment_calibration = {}


def _fill_unselected(result: LTVBacktest, horizons: list[int]) -> None:
    for h in horizons:
        if h in result.chosen:
            continue
        selected = sorted(result.chosen, key=lambda s: abs(s - h))
        result.chosen[h] = result.chosen[selected[0]] if selected else BTYD
        result.calibration[h] = 1.0


def _report(
    result: LTVBacktest,
    at: _Origin,
    h: int,
    customers: pd.DataFrame | None,
    periods: PurchasePeriods,
) -> None:
    model = _deploy(at.model, result)
    labels = segment_labels(at.summary, customers, model.btyd.segment_column)
    deployed = combine_windows(model, at.windows, labels)
    actual = at.actual[h]
    predicted = deployed[clv_column(h)].to_numpy()
    metrics = revenue_metrics(actual, predicted)
    candidates = {
        kind: revenue_metrics(actual, frame[clv_column(h)].to_numpy())
        for kind, frame in at.windows.items()
    }
    result.report[h] = {
        **metrics,
        "total_error": metrics["total_ratio"] - 1.0,
        "origin": at.origin.date().isoformat(),
        "customers": int(len(actual)),
        "kind": result.chosen[h],
        "calibration": result.calibration[h],
        "candidates": candidates,
    }
    platforms = _platforms(at.summary, customers)
    result.by_platform[h] = {
        str(name): {
            "actual": float(actual[rows].sum()),
            "predicted": float(predicted[rows].sum()),
            "customers": int(rows.sum()),
        }
        for name in platforms.unique()
        for rows in [(platforms == name).to_numpy()]
    }
    result.by_age[h] = _by_age(result, at, h, deployed, platforms, periods, customers)


def _by_age(
    result: LTVBacktest,
    at: _Origin,
    horizon: int,
    deployed: pd.DataFrame,
    platforms: pd.Series,
    periods: PurchasePeriods,
    customers: pd.DataFrame | None,
) -> dict[str, dict]:
    """LTV_<horizon> from acquisition predicted at each cohort age, against what happened."""
    summary = at.summary
    age = summary[AGE].to_numpy(dtype=float) if AGE in summary else summary["T"].to_numpy()
    young = age < horizon - 1  # customers with part of their first `horizon` days to come
    if not young.any():
        return {}
    part = summary[young]
    model = at.model
    days = remaining_days(part, horizon)
    remainder = predicted_remainder(model, part, customers, deployed[young], days)
    start = int(period_index(at.origin))
    future = _revenue_between(
        periods, part.index, np.full(len(part), start), start + days.astype(np.int64)
    )
    birth = start - part[AGE].to_numpy(dtype=np.int64)
    realized = _revenue_between(periods, part.index, birth - 1, np.full(len(part), start))
    out = {}
    for label, (low, high) in AGE_BUCKETS.items():
        rows = (age[young] >= low) & (age[young] <= high)
        if rows.sum() < MIN_BUCKET_CUSTOMERS:
            continue
        actual_ltv = realized[rows] + future[rows]
        predicted_ltv = realized[rows] + remainder[rows]
        metrics = revenue_metrics(actual_ltv, predicted_ltv)
        cohorts = _cohort_errors(
            actual_ltv, predicted_ltv, birth[rows], platforms[young].to_numpy()[rows]
        )
        out[label] = {
            **metrics,
            "total_error": metrics["total_ratio"] - 1.0,
            "customers": int(rows.sum()),
            **cohorts,
        }
    return out


def _cohort_errors(actual, predicted, birth, platform) -> dict[str, float | int]:
    """Spread of the relative error of cohort totals (acquisition day x platform), and how it
    scales with a cohort's customers (`cohort_error.fit_size_model`: ``size_model``)."""
    frame = pd.DataFrame({"a": actual, "p": predicted, "day": birth, "platform": platform})
    totals = frame.groupby(["day", "platform"]).agg(a=("a", "sum"), p=("p", "sum"), n=("a", "size"))
    totals = totals[totals["a"] > 0]
    if totals.empty:
        return {"cohorts": 0}
    errors = np.abs(totals["p"] / totals["a"] - 1.0).to_numpy()
    return {
        "cohorts": int(errors.size),
        "cohort_abs_error_p50": float(np.quantile(errors, 0.5)),
        "cohort_abs_error_p80": float(np.quantile(errors, 0.8)),
        "cohort_customers_p50": float(totals["n"].median()),
        "size_model": fit_size_model(
            frame["a"].to_numpy(),
            frame["p"].to_numpy(),
            frame["day"].astype(str).to_numpy() + "|" + frame["platform"].astype(str).to_numpy(),
        ),
    }


def _churn_at(
    at: _Origin, horizon: int, customers: pd.DataFrame | None, periods: PurchasePeriods
) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """Outcomes at an origin and every churn candidate's probabilities (BTYD, classifiers)."""
    churn = predict_btyd_churn(at.model.btyd, at.summary, customers, [horizon])
    start = int(period_index(at.origin))
    n = len(at.summary)
    bought = _purchases_between(periods, at.summary.index, np.full(n, start), start + horizon)
    probabilities = {BTYD_CHURN: churn[churn_column(horizon)].to_numpy()}
    classifiers = fit_churn_classifiers(periods, customers, at.origin, horizon)
    for kind, classifier in classifiers.items():
        probabilities[kind] = classifier.predict(at.summary, customers)
    return (bought == 0).astype(int), probabilities, classifiers


def _churn_backtest(point, as_of, earliest, horizon, customers, periods, channel_label) -> dict:
    """Churn candidates chosen by log-loss at as_of - 2H, judged at as_of - H, with drivers."""
    chosen, selection = BTYD_CHURN, {}
    select_origin, report_origin = rolling_origins(as_of, horizon)
    if select_origin >= earliest and point(select_origin).model is not None:
        churned, probabilities, _ = _churn_at(point(select_origin), horizon, customers, periods)
        if 0 < churned.sum() < churned.size:
            selection = choose_churn_model(churned, probabilities)
            selection["origin"] = select_origin.date().isoformat()
            chosen = selection["chosen"]
    if report_origin < earliest or point(report_origin).model is None:
        return {}
    at = point(report_origin)
    churned, probabilities, classifiers = _churn_at(at, horizon, customers, periods)
    if chosen not in probabilities:
        chosen = BTYD_CHURN
    predicted = probabilities[chosen]
    drivers = churn_drivers(
        classifiers.get(chosen) or classifiers.get(HGB),
        at.summary,
        customers,
        churned,
        _platforms(at.summary, customers),
        label=channel_label,
    )
    return {
        "horizon_days": horizon,
        "origin": report_origin.date().isoformat(),
        "customers": int(churned.size),
        "chosen": chosen,
        **churn_metrics(churned, predicted),
        "reliability": reliability_table(churned, predicted),
        "by_age": _churn_by_age(at.summary, churned, predicted),
        "candidates": {kind: churn_metrics(churned, p) for kind, p in probabilities.items()},
        "selection": selection,
        "drivers": drivers,
    }


def _churn_by_age(
    summary: pd.DataFrame, churned: np.ndarray, predicted: np.ndarray
) -> dict[str, dict]:
    """The chosen churn model's AUC, PR-AUC and Brier score among the customers of each cohort
    age (AGE_BUCKETS, days since acquisition at the origin) with MIN_BUCKET_CUSTOMERS at least;
    AUC and PR-AUC are NaN where every customer of an age churned, or none did."""
    age = summary[AGE].to_numpy(dtype=float) if AGE in summary else summary["T"].to_numpy()
    out = {}
    for label, (low, high) in AGE_BUCKETS.items():
        rows = (age >= low) & (age <= high)
        if rows.sum() >= MIN_BUCKET_CUSTOMERS:
            out[label] = {
                **churn_metrics(churned[rows], predicted[rows]),
                "predicted_rate": float(predicted[rows].mean()),
                "customers": int(rows.sum()),
            }
    return out


def _purchases_between(periods, ids, after, through) -> np.ndarray:
    """Purchase periods of each customer in (after[i], through]."""
    code = periods.ids.get_indexer(ids)
    lower = np.full(len(periods.ids), np.iinfo(np.int64).max)
    lower[code] = after
    rows = (periods.period > lower[periods.code]) & (periods.period <= through)
    return np.bincount(periods.code[rows], minlength=len(periods.ids))[code]
