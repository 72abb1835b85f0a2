"""Channel ROI: the report behind GET /api/roi and its CSV export.

Spend-side figures come from the rollups (`queries.read_spend`), customer-side figures from
the customers acquired in the range and their revenue in the reporting currency, and the
predictions of the active model versions; `analytics.cohorts.roi_table` computes every metric
(one definition each, in `analytics.metrics`). Incomplete D7/D30 figures are null, never zero;
amounts that could not be converted make their totals null, never smaller.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from defusedcsv import csv
from flask import current_app
from sqlalchemy import text

from analytics import cohorts, metrics
from backend.errors import Invalid
from backend.extensions import db
from backend.models.types import utcnow
from backend.services.predictions import accuracy
from backend.services.predictions.shown_roas import covers, shown_predicted_roas
from backend.services.roi import early as early_figures
from backend.services.roi import queries
from connectors import platform_label, platforms

GROUP_BY = ("platform", "account", "campaign", "country", "device", "weekday", "hour")
HORIZONS = (30, 90, 365)
#: Longest range a report covers (about three years).
MAX_RANGE_DAYS = 1100
#: The connectors' normalized device vocabulary, as people read it; other codes are spelled out
#: ("smart_tv" → "Smart tv").
DEVICE_LABELS = {
    "iphone": "iPhone",
    "ipad": "iPad",
    "android_phone": "Android phone",
    "android_tablet": "Android tablet",
    "mobile": "Mobile",
    "tablet": "Tablet",
    "desktop": "Desktop",
    "other": "Other devices",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOUR_NOTE = (
    "The ad platforms report daily figures, so there is no breakdown by hour; "
    "totals are those of the whole selection."
)
MONEY = ("spend", "revenue", "revenue_d7", "revenue_d30")
COUNTS = ("impressions", "clicks", "installs", "customers", "payback_days", "suspects")


@dataclass(frozen=True)
class RoiRequest:
    start: dt.date
    end: dt.date
    group_by: str = "platform"
    platform: str | None = None
    account_id: int | None = None
    campaign_id: int | None = None
    horizon: int = 365


def check_range(start: dt.date | None, end: dt.date | None) -> None:
    """Invalid (422, naming the field) for a missing date, an end before the start, or a range
    longer than MAX_RANGE_DAYS."""
    if start is None:
        raise Invalid("start is required (YYYY-MM-DD)", field="start")
    if end is None:
        raise Invalid("end is required (YYYY-MM-DD)", field="end")
    if end < start:
        raise Invalid("end must not be before start", field="end")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(f"the range must not exceed {MAX_RANGE_DAYS} days", field="end")


def reporting_currency() -> str:
    return current_app.config["REPORTING_CURRENCY"]


def margin_rate() -> float:
    """Share of revenue that is margin, for payback and LTV:CAC (SPENDLENS_ROI_MARGIN_RATE,
    default 1)."""
    return float(current_app.config.get("ROI_MARGIN_RATE") or 1.0)


def today() -> dt.date:
    return utcnow().date()


def selection_of(request: RoiRequest) -> queries.Selection:
    return queries.Selection(
        start=request.start,
        end=request.end,
        reporting_currency=reporting_currency(),
        platforms=platforms(),
        platform=request.platform,
        account_id=request.account_id,
        campaign_id=request.campaign_id,
    )


def reads_for(concurrent: bool) -> queries.Reads:
    """Where a report's queries run: concurrently in one snapshot (`queries.Reads`) when
    asked (a GET request, whose transaction has written nothing) and configured
    (SPENDLENS_ROI_CONCURRENT_READS), else on the session; the concurrent reads with
    SPENDLENS_ROI_READ_WORK_MEM.

    Every concurrent read of one transaction shares its first exported snapshot: one
    pg_export_snapshot a request instead of one per part of an answer (the overview has
    seven), and all parts of an answer read the same data."""
    work_mem = current_app.config.get("ROI_READ_WORK_MEM")
    if not (concurrent and current_app.config["ROI_CONCURRENT_READS"]):
        return queries.Reads(False, work_mem)
    session = db.session()
    transaction = session.get_transaction()
    kept = session.info.get(_SHARED_READS)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1]
    reads = queries.Reads(True, work_mem)  # begins the session's transaction if none is open
    session.info[_SHARED_READS] = (session.get_transaction(), reads)
    return reads


#: Session.info's key of the transaction whose snapshot `reads_for` shares, and its Reads.
_SHARED_READS = "spendlens_roi_reads"


Frames = tuple[cohorts.CohortFrames, pd.DataFrame]


def load_frames(
    selection: queries.Selection,
    grouping: queries.Grouping,
    as_of: dt.date,
    customer_key: str | None = None,
    reads: queries.Reads | None = None,
) -> Frames:
    """The cohort frames of a selection, and the raw spend frame (labels, FX gaps); the three
    queries go through `reads` (default: the session)."""
    return read_frames(selection, grouping, as_of, customer_key, reads)()


def read_frames(
    selection: queries.Selection,
    grouping: queries.Grouping,
    as_of: dt.date,
    customer_key: str | None = None,
    reads: queries.Reads | None = None,
) -> Callable[[], Frames]:
    """`load_frames` in two steps: the queries are submitted now, the returned function
    waits for them and builds the frames (so that a caller can read other things meanwhile)."""
    reads = reads or queries.Reads()
    spend_read = queries.read_spend(selection, grouping, reads)
    lived, lifetimes = queries.read_customers(
        selection, customer_key or grouping.customer_key, as_of, reads
    )

    def collect() -> Frames:
        spend = queries.frame(spend_read.result())
        customers = queries.customers(lived.result(), lifetimes.result())
        spend_figures = {c: spend[c].to_numpy(dtype=float) for c in cohorts.SPEND_COLUMNS}
        frames = cohorts.CohortFrames(
            spend=cohorts.numeric_frame(spend[cohorts.KEY].tolist(), spend_figures),
            customers=customers,
        )
        return frames, spend

    return collect


def report_grouping(request: RoiRequest) -> queries.Grouping:
    """How the report groups (by platform for the totals-only hourly report)."""
    return queries.GROUPINGS["platform" if request.group_by == "hour" else request.group_by]


def read_report_frames(
    request: RoiRequest, as_of: dt.date, concurrent: bool = False
) -> Callable[[], Frames]:
    """The report's queries submitted now (`read_frames`), for `roi_report`'s `frames`."""
    check_range(request.start, request.end)
    return read_frames(
        selection_of(request), report_grouping(request), as_of, reads=reads_for(concurrent)
    )


def roi_report(
    request: RoiRequest,
    as_of: dt.date | None = None,
    concurrent: bool = False,
    frames: Callable[[], Frames] | None = None,
    totals_only: bool = False,
) -> dict:
    """{currency, group_by, start, end, rows, totals, note} (see the module docstring).
    `concurrent`: for a caller whose transaction has written nothing (a GET request);
    `frames`: the request's queries already submitted (`read_report_frames` with this
    `as_of`); `totals_only`: no rows (nor their early figures) for a caller that reads the
    totals alone (the overview), as the hourly report."""
    check_range(request.start, request.end)
    as_of = as_of or today()
    hourly = request.group_by == "hour"
    grouping = report_grouping(request)
    frames, spend = (frames or read_report_frames(request, as_of, concurrent))()
    # a payback within the range's age is one the revenue to date reached (as its accuracy says)
    age = range_age(request, as_of)
    totals = cohorts.roi_table(
        frames.combined(), as_of, request.end, request.horizon, margin_rate(), lambda _: age
    )
    rows = []
    if not (hourly or totals_only):
        table = cohorts.roi_table(
            frames, as_of, request.end, request.horizon, margin_rate(), lambda _: age
        )
        rows = _rows(request.group_by, table, spend)
    notes = [HOUR_NOTE] if hourly else []
    notes += _fx_notes(spend, frames)
    total_values = metric_values(totals)[0]
    models = queries.active_models()
    _add_accuracy([*rows, total_values], request, as_of, models)
    first_purchase = early_figures.FirstPurchaseVersion.active(models)
    _add_early(
        rows, total_values, request, grouping, hourly or totals_only, first_purchase, as_of,
        concurrent,
    )  # fmt: skip
    _add_prediction([*rows, total_values], request, as_of, models)
    return {
        "currency": reporting_currency(),
        "group_by": request.group_by,
        "start": request.start,
        "end": request.end,
        "as_of": as_of,
        "horizon": request.horizon,
        "ltv_horizon": metrics.LTV_HORIZON_DAYS,
        "margin_rate": margin_rate(),
        "rows": rows,
        "totals": total_values,
        "note": " ".join(notes) or None,
        "churn_accuracy": accuracy.churn_accuracy(
            (models.get("churn") or {}).get("metrics"), range_age(request, as_of)
        ),
        "age_days": range_age(request, as_of),
        "early_range": early_figures.young_range(request.start, request.end, as_of),
        "first_purchase_model": early_figures.model_summary(first_purchase),
    }


def _add_early(rows, totals, request, grouping, no_rows, version, as_of, concurrent) -> None:
    """`early` of every row and of the totals: expected payers and the early predicted ROAS of
    the customers acquired in the range's days younger than EARLY_AGE_DAYS (`roi.early`), None
    when there are none or no first-purchase version is active."""
    selection = selection_of(request)
    reads = reads_for(concurrent)
    total = early_figures.early_by_key(selection, early_figures.ALL, version, as_of, reads)
    totals["early"] = total.get("all")
    by_key = (
        {} if no_rows else early_figures.early_by_key(selection, grouping, version, as_of, reads)
    )
    for row in rows:
        row["early"] = by_key.get(row["key"])


def _add_prediction(rows: list[dict], request: RoiRequest, as_of: dt.date, models: dict) -> None:
    """`prediction` of every row: the one predicted ROAS the page shows, from the LTV
    version's or the early figures (`predictions.shown_roas`). A row whose customers are all
    young (its early figures cover them) is judged at their age, the middle of the young days,
    not at the range's (a campaign launched days ago in a month's range is not a D30 cohort)."""
    backtest = (models.get("ltv") or {}).get("metrics")
    age = range_age(request, as_of)
    for row in rows:
        early, customers = row.get("early"), row.get("customers")
        judged, interval, at = row.get("accuracy"), row.get("predicted_roas_interval"), age
        if covers(early, customers):
            at = max((as_of - (early["from"] + (early["to"] - early["from"]) / 2)).days, 0)
            judged = accuracy.accuracy_at(backtest, request.horizon, at, customers)
            interval = accuracy.interval(row.get("predicted_roas"), row.get("roas"), judged)
        row["prediction"] = shown_predicted_roas(
            row.get("predicted_roas"),
            request.horizon,
            judged,
            interval,
            early,
            backtest,
            at,
            customers,
        )


def range_age(request: RoiRequest, as_of: dt.date) -> int:
    """Days from the middle of the acquisition range to `as_of`: the age the accuracy of a
    row's predictions is read at."""
    middle = request.start + (request.end - request.start) / 2
    return max((as_of - middle).days, 0)


def _add_accuracy(rows: list[dict], request: RoiRequest, as_of: dt.date, models: dict) -> None:
    """Of every row (`accuracy` module): `accuracy` (predicted LTV and ROAS at the horizon) and
    `predicted_roas_interval`, `ltv_cac_accuracy` (LTV at its own horizon) and
    `payback_accuracy` (None when the payback is observed)."""
    backtest = (models.get("ltv") or {}).get("metrics")
    age = range_age(request, as_of)
    ltv_cac = accuracy.accuracy_at(backtest, metrics.LTV_HORIZON_DAYS, age)
    for row in rows:
        sized = accuracy.accuracy_at(backtest, request.horizon, age, row.get("customers"))
        row["accuracy"] = sized
        row["predicted_roas_interval"] = accuracy.interval(
            row.get("predicted_roas"), row.get("roas"), sized
        )
        row["ltv_cac_accuracy"] = ltv_cac
        row["payback_accuracy"] = accuracy.payback_accuracy(
            backtest, row.get("payback_days"), request.horizon, age
        )


def metric_columns(table: pd.DataFrame) -> dict[str, list]:
    """Each metric of a table as a list of JSON values: None for unknown, money rounded to
    cents (unit costs to 4 decimals), ratios to 4 decimals, counts as integers."""
    out: dict[str, list] = {}
    block = table[list(cohorts.ROI_METRICS)].to_numpy(dtype=float)
    for index, name in enumerate(cohorts.ROI_METRICS):
        numbers = block[:, index]
        if name.endswith("_complete"):
            out[name] = [bool(v) for v in numbers.tolist()]
            continue
        if name in COUNTS:
            out[name] = [None if v != v else int(v) for v in numbers.tolist()]
        else:
            rounded = np.round(numbers, 2 if name in MONEY else 4).tolist()
            out[name] = [None if v != v else v for v in rounded]
    return out


def metric_values(table: pd.DataFrame) -> list[dict]:
    """One dict of JSON metric values per row of a table."""
    columns = metric_columns(table)
    rows = zip(*columns.values(), strict=True)
    return [dict(zip(cohorts.ROI_METRICS, values, strict=True)) for values in rows]


def _rows(group_by: str, table: pd.DataFrame, spend: pd.DataFrame) -> list[dict]:
    labels = _labels(group_by, list(table.index), spend)
    values = metric_values(table)
    rows = [{"key": key, **labels[key], **v} for key, v in zip(table.index, values, strict=True)]
    if group_by == "weekday":
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (-(r["spend"] or 0), -(r["customers"] or 0), r["label"]))


def _labels(group_by: str, keys: list[str], spend: pd.DataFrame) -> dict[str, dict]:
    unattributed = "Not attributed" if group_by in ("account", "campaign") else "Unknown"
    labels: dict[str, dict] = {}
    for key in keys:
        if key == queries.UNATTRIBUTED:
            labels[key] = {"label": unattributed}
        elif group_by == "platform":
            labels[key] = {"label": platform_label(key), "platform": key}
        elif group_by == "weekday":
            labels[key] = {"label": WEEKDAYS[int(key)]}
        elif group_by == "device":
            labels[key] = {"label": device_label(key)}
        else:
            labels[key] = {"label": key}
    if group_by in ("account", "campaign"):
        _name_entities(group_by, labels)
    return labels


def device_label(code: str) -> str:
    """A device code as people read it."""
    return DEVICE_LABELS.get(code) or code.replace("_", " ").strip().capitalize() or code


def _name_entities(group_by: str, labels: dict[str, dict]) -> None:
    ids = [int(k) for k in labels if k != queries.UNATTRIBUTED]
    if group_by == "account":
        sql = "SELECT a.id, a.name, a.platform, a.id AS account_id FROM ad_accounts a"
    else:
        sql = (
            "SELECT c.id, c.name, a.platform, c.ad_account_id AS account_id FROM campaigns c "
            "JOIN ad_accounts a ON a.id = c.ad_account_id"
        )
    where = " WHERE a.id = ANY(:ids)" if group_by == "account" else " WHERE c.id = ANY(:ids)"
    for row in db.session.execute(text(sql + where), {"ids": ids}).mappings():
        entry = labels[str(row["id"])]
        entry.update(label=row["name"], platform=row["platform"], account_id=row["account_id"])
        if group_by == "campaign":
            entry["campaign_id"] = row["id"]


def _fx_notes(spend: pd.DataFrame, frames: cohorts.CohortFrames) -> list[str]:
    notes = []
    missing = sorted({c for cs in spend.get("fx_missing", []) if cs for c in cs})
    rep = reporting_currency()
    if missing:
        notes.append(
            f"No exchange rate to {rep} for {', '.join(missing)} on some days: "
            "spend that includes them is unknown."
        )
    if frames.customers[cohorts.REVENUE].isna().any():
        notes.append(
            f"Some revenue has no exchange rate to {rep}: revenue that includes it is unknown."
        )
    return notes


CSV_IDENTITY = ("key", "label", "platform", "account_id", "campaign_id")
#: The columns after predicted_roas that say what it is, from the row's `prediction` (the one
#: predicted ROAS the page shows): CSV column -> field of `prediction`.
CSV_PREDICTION = {
    "predicted_roas_horizon_days": "horizon_days",
    "predicted_roas_source": "source",
    "predicted_roas_error_pct": "error_pct",
}


def roi_csv(request: RoiRequest, as_of: dt.date | None = None, concurrent: bool = False) -> str:
    """The ROI table as CSV: one line per row, then a 'total' line; money in `currency`.
    predicted_roas is the figure the page shows (`prediction`), followed by its horizon, source
    and backtested error (CSV_PREDICTION)."""
    report = roi_report(request, as_of, concurrent)
    names = list(cohorts.ROI_METRICS)
    after = names.index("predicted_roas") + 1
    columns = [*names[:after], *CSV_PREDICTION, *names[after:]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_IDENTITY, "currency", *columns])
    total = {"key": "total", "label": "Total", **report["totals"]}
    for row in [*report["rows"], total]:
        shown = row.get("prediction") or {}
        values = row | {"predicted_roas": shown.get("roas")}
        values |= {column: shown.get(name) for column, name in CSV_PREDICTION.items()}
        identity = [row.get(name) for name in CSV_IDENTITY]
        figures = [values.get(name) for name in columns]
        writer.writerow([_cell(v) for v in [*identity, report["currency"], *figures]])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
