"""Acquisition cohorts (GET /api/cohorts): per cohort period and platform, the customers, the
spend of that period, the cumulative revenue curve (actual, then projected), actual and predicted
ROAS, payback, churn, the Kaplan-Meier survival curve and the churn drivers of each cohort
(`analytics.cohort_churn`), with the active LTV model that made the predictions; `prediction`
is the one predicted ROAS the page shows (`predictions.shown_roas`), and the curve's projection
is that prediction's: a young cohort shown early signals' 30-day figure has a curve that ends on
it at day 30, not the LTV model's (a second, disagreeing prediction beside the bar)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from analytics import cohorts
from analytics.cohort_churn import cohort_churn_drivers, cohort_survival
from analytics.revenue_curves import daily
from backend.errors import Invalid
from backend.services.predictions import accuracy
from backend.services.predictions.shown_roas import LTV, shown_predicted_roas
from backend.services.roi import early as early_figures
from backend.services.roi import queries
from backend.services.roi import report as roi

GRAINS = ("day", "week", "month")
#: Days since acquisition shown on the curves (day n = the first n days, as D7 or LTV_365).
CURVE_DAYS = (*range(1, 15), 21, 30, 45, 60, 90, 120, 150, 180, 270, 365)
SURVIVAL_DAYS = (0, *CURVE_DAYS)
#: Predicted ROAS on the cohorts page is at this horizon (days from acquisition).
PREDICTED_HORIZON_DAYS = 365
_HALF_PERIOD_DAYS = {"day": 0, "week": 3, "month": 15}


def _grouping(grain: str) -> tuple[queries.Grouping, str]:
    def key(date: str, platform: str) -> str:
        return f"to_char(date_trunc('{grain}', {date}), 'YYYY-MM-DD') || '|' || {platform}"

    spend = key("r.date", "r.platform")
    return queries.Grouping("none", spend, "", needs_days=True), key(
        "c.acquisition_date", "c.platform"
    )


def cohort_report(
    start: dt.date,
    end: dt.date,
    grain: str = "week",
    platform: str | None = None,
    as_of: dt.date | None = None,
    concurrent: bool = False,
) -> dict:
    """`concurrent`: the queries in parallel, for a caller whose transaction has written
    nothing (a GET request; `roi.reads_for`)."""
    roi.check_range(start, end)
    if grain not in GRAINS:
        raise Invalid(f"cohort must be one of {', '.join(GRAINS)}", field="cohort")
    as_of = as_of or roi.today()
    request = roi.RoiRequest(start, end, platform=platform)
    grouping, customer_key = _grouping(grain)
    selection = roi.selection_of(request)
    reads = roi.reads_for(concurrent)
    lifetimes_read, traits_read = queries.read_churn(selection, customer_key, as_of, reads)
    frames, _ = roi.load_frames(selection, grouping, as_of, customer_key, reads)
    keys = sorted(frames.keys())
    table = cohorts.roi_table(
        frames,
        as_of,
        end,
        365,
        roi.margin_rate(),
        age_days=lambda key: cohort_age(key.partition("|")[0], grain, as_of),
    )
    survival = cohort_survival(queries.lifetimes_frame(lifetimes_read.result()), SURVIVAL_DAYS)
    models = queries.active_models()
    channel_drivers = accuracy.churn_drivers((models.get("churn") or {}).get("metrics"), platform)
    drivers = cohort_churn_drivers(
        queries.churn_frame(traits_read.result()), _driver_order(keys, channel_drivers)
    )
    rows = []
    metric_rows = dict(zip(table.index, roi.metric_values(table), strict=True))
    ltv_metrics = (models.get("ltv") or {}).get("metrics")
    churn_metrics = (models.get("churn") or {}).get("metrics")
    first_purchase = early_figures.FirstPurchaseVersion.active(models)
    early = _early(selection, keys, metric_rows, first_purchase, as_of, reads, customer_key)
    predictions = {}
    for key in keys:
        values = metric_rows[key]
        age = cohort_age(key.partition("|")[0], grain, as_of)
        at_age = accuracy.accuracy_at(
            ltv_metrics, PREDICTED_HORIZON_DAYS, age, customers=values["customers"]
        )
        interval = accuracy.interval(values["predicted_roas"], values["roas"], at_age)
        prediction = shown_predicted_roas(
            values["predicted_roas"],
            PREDICTED_HORIZON_DAYS,
            at_age,
            interval,
            early.get(key),
            ltv_metrics,
            age,
            values["customers"],
        )
        predictions[key] = (age, at_age, interval, prediction)
    curves = cohorts.revenue_curves(frames, keys, anchored=_anchors(predictions, metric_rows))
    points = _curves(curves, len(keys))
    for index, key in enumerate(keys):
        values = metric_rows[key]
        cohort, _, cohort_platform = key.partition("|")
        age, at_age, interval, prediction = predictions[key]
        rows.append(
            {
                "cohort": cohort,
                "platform": cohort_platform or None,
                "customers": values["customers"],
                "spend": values["spend"],
                "curve": points[index],
                "roas_actual": values["roas"],
                "roas_predicted": values["predicted_roas"],
                "payback_days": values["payback_days"],
                "churn_rate": values["churn_rate"],
                "suspects": values["suspects"],
                "suspect_share": values["suspect_share"],
                "churn_accuracy": accuracy.churn_at_age(churn_metrics, age),
                "survival": survival.get(key, []),
                "churn_drivers": drivers.get(key, []),
                "age_days": age,
                "accuracy": at_age,
                "roas_predicted_interval": interval,
                "payback_accuracy": accuracy.payback_accuracy(
                    ltv_metrics, values["payback_days"], PREDICTED_HORIZON_DAYS, age
                ),
                "early": early.get(key),
                "prediction": prediction,
            }
        )
    return {
        "currency": roi.reporting_currency(),
        "cohort_grain": grain,
        "model": _model(models.get("ltv"), models.get("churn")),
        "churn_accuracy": accuracy.churn_accuracy(churn_metrics),
        "churn_drivers": channel_drivers,
        "first_purchase_model": early_figures.model_summary(first_purchase),
        "cohorts": rows,
    }


def _anchors(predictions: dict, values: dict) -> dict[str, tuple[int, float]]:
    """The cohorts whose shown prediction is not the LTV model's (early signals' 30-day figure
    of a young cohort): their curves end on that figure at its horizon, as their bars do."""
    out = {}
    for key, (*_, prediction) in predictions.items():
        spend = values[key]["spend"]
        if prediction and prediction["source"] != LTV and spend and np.isfinite(spend):
            out[key] = (prediction["horizon_days"], prediction["roas"] * spend)
    return out


def _early(selection, keys, values, version, as_of, reads, customer_key) -> dict[str, dict]:
    """The early figures of the cohorts that began in the young days (`roi.early`), on each
    cohort's own spend."""
    young = early_figures.young_range(selection.start, selection.end, as_of)
    if young is None or version is None:
        return {}
    starts = {key: dt.date.fromisoformat(key.partition("|")[0]) for key in keys}
    spend = {key: values[key]["spend"] for key in keys if starts[key] >= young[0]}
    figures = early_figures.early_by_key(
        selection,
        queries.GROUPINGS["platform"],
        version,
        as_of,
        reads,
        customer_key=customer_key,
        spend=spend,
    )
    return {key: figure for key, figure in figures.items() if key in spend}


def cohort_age(cohort: str, grain: str, as_of: dt.date) -> int:
    """Days from the middle of the cohort's period to `as_of` (0 = acquired that day)."""
    start = dt.date.fromisoformat(cohort)
    return max((as_of - start).days - _HALF_PERIOD_DAYS[grain], 0)


def _number(value: float) -> float | None:
    """A float rounded to cents, None for NaN (unknown)."""
    return None if value != value else round(value, 2)


#: Cohorts whose daily curves `_curves` builds at a time (two rows × 365 days × 8 bytes each).
_CURVE_BLOCK = 512


def _curves(curves: cohorts.Curves, count: int) -> list[list[dict]]:
    """Cumulative net revenue of the first n days of each of the first `count` cohorts: actual
    (each customer's own revenue up to its own age) while known, ending on the revenue to date;
    projected from the youngest customer's age on (that day carries both, so the two lines
    meet). The daily curves are computed for a block of cohorts at a time and read as Python
    floats once (not a NumPy scalar per point)."""
    out = []
    for begin in range(0, count, _CURVE_BLOCK):
        rows = slice(begin, min(begin + _CURVE_BLOCK, count))
        actual, projected = daily(curves.actual[rows]), daily(curves.projected[rows])
        for offset, index in enumerate(range(rows.start, rows.stop)):
            out.append(_curve(curves, index, actual[offset], projected[offset]))
    return out


def _curve(
    curves: cohorts.Curves, index: int, actual: np.ndarray, projected: np.ndarray
) -> list[dict]:
    """One cohort's points, from its daily curves."""
    last = int(curves.last_known_day[index])
    first = int(curves.first_projected_day[index])
    meet = {first + 1} if 0 <= first < max(CURVE_DAYS) else set()
    ends = {last + 1} if 0 <= last < max(CURVE_DAYS) else set()
    days = sorted(set(CURVE_DAYS) | meet | ends)
    at = [n - 1 for n in days]
    actual_at, projected_at = actual[at].tolist(), projected[at].tolist()
    return [
        {
            "day": n,
            "revenue": _number(value),
            "predicted": _number(predicted) if n - 1 >= first else None,
        }
        for n, value, predicted in zip(days, actual_at, projected_at, strict=True)
    ]


def _driver_order(keys: list[str], channel_drivers: dict[str, list[dict]]) -> dict[str, list]:
    """Per cohort key, the traits of its channel's drivers, the most important first."""
    order = {}
    for key in keys:
        platform = key.partition("|")[2]
        ranked = sorted(
            channel_drivers.get(platform, []), key=lambda d: -(d.get("importance") or 0.0)
        )
        order[key] = [d["trait"] for d in ranked]
    return order


def _model(version: dict | None, churn: dict | None) -> dict | None:
    """The active LTV version: what it predicts, on which customers it was trained, and its
    backtest by cohort age at the page's horizon (`accuracy.backtest_by_age`, report origins
    only); `metrics` are its top-level backtest numbers."""
    if version is None:
        return None
    metrics = version.get("metrics") or {}
    return {
        "id": version["id"],
        "kind": version["kind"],
        "algorithm": version["algorithm"],
        "trained_at": version["trained_at"],
        "training_start": version.get("training_start"),
        "scored_as_of": _date((version.get("params") or {}).get("scored_as_of")),
        "horizon_days": PREDICTED_HORIZON_DAYS,
        "by_age": accuracy.backtest_by_age(metrics, PREDICTED_HORIZON_DAYS),
        "churn_version_id": churn["id"] if churn else None,
        "metrics": _flat_numbers(metrics),
    }


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _flat_numbers(metrics: dict) -> dict:
    """Top-level numbers, and the numbers one level down as <group>_<name> (e.g. churn_auc);
    the per-candidate detail stays out."""
    out = {}
    for name, value in metrics.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[name] = value
        elif isinstance(value, dict) and name not in ("candidates", "backtest"):
            out.update(
                {
                    f"{name}_{k}": v
                    for k, v in value.items()
                    if isinstance(v, int | float) and not isinstance(v, bool)
                }
            )
    return out
