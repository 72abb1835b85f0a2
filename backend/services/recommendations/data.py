"""What a recommendation run fits on: each campaign's daily spend in the reporting currency
(the daily rollups) and the daily outcome of the customers it acquired, as one frame with the
columns of `analytics.response`.

Outcomes (`OUTCOMES`):
- ``predicted_revenue``: the acquired cohorts' predicted revenue at the horizon, from the active
  LTV model's predictions as the ROI read model serves them (roi_customer_predictions); a
  better model improves the recommendation with no change here;
- ``installs``: installs the platforms reported;
- ``revenue``: revenue to date of the acquired customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from flask import current_app
from sqlalchemy import text

from analytics.response import CAMPAIGN, CHANNEL, DATE, OUTCOME, SPEND
from backend.errors import Invalid
from backend.extensions import db
from backend.models.model_runs import LTV_HORIZONS_DAYS

PREDICTED_REVENUE, INSTALLS, REVENUE = "predicted_revenue", "installs", "revenue"
OUTCOMES = (PREDICTED_REVENUE, INSTALLS, REVENUE)
#: Days of history fitted on (two years) and the fewest a fit needs.
HISTORY_DAYS = 730
MIN_HISTORY_DAYS = 120


class NoActiveModel(Invalid):
    """The outcome is the LTV model's predictions and no LTV model is active."""


@dataclass(frozen=True)
class RunData:
    frame: pd.DataFrame
    start: dt.date
    end: dt.date
    model_version_id: int | None
    #: Campaign id (as text) -> name; platform -> label comes from the registry.
    campaign_names: dict[str, str]


def read_run_data(outcome: str, horizon_days: int, end: dt.date | None = None) -> RunData:
    """The frame of every campaign with spend in the last HISTORY_DAYS days up to `end`."""
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if outcome == PREDICTED_REVENUE and horizon_days not in LTV_HORIZONS_DAYS:
        raise Invalid(
            f"horizon_days must be one of {', '.join(map(str, LTV_HORIZONS_DAYS))}",
            field="horizon_days",
        )
    reporting = current_app.config["REPORTING_CURRENCY"]
    last = db.session.scalar(
        text(
            "SELECT max(date) FROM daily_rollups WHERE breakdown = 'none' "
            "AND reporting_currency = :rep"
        ),
        {"rep": reporting},
    )
    if last is None:
        raise Invalid("There is no spend to fit response curves on yet.")
    end = min(end or last, last)
    start = end - dt.timedelta(days=HISTORY_DAYS - 1)
    spend = _spend(start, end, reporting)
    version_id = None
    if outcome == PREDICTED_REVENUE:
        version_id = db.session.scalar(
            text(
                "SELECT id FROM model_versions WHERE kind = 'ltv' AND is_active "
                "AND status = 'ready'"
            )
        )
        if version_id is None:
            raise NoActiveModel(
                "No LTV model is active: activate one, or choose installs or revenue to date "
                "as the outcome.",
                field="outcome",
            )
        result = _customer_outcome(f"predicted_ltv_{horizon_days}", start, end)
    elif outcome == REVENUE:
        result = _customer_outcome("revenue", start, end)
    else:
        result = spend[[DATE, CAMPAIGN, "installs"]].rename(columns={"installs": OUTCOME})
    frame = spend.drop(columns="installs").merge(result, on=[DATE, CAMPAIGN], how="left")
    frame[OUTCOME] = frame[OUTCOME].fillna(0.0)
    if frame.empty or (frame[DATE].max() - frame[DATE].min()).days < MIN_HISTORY_DAYS:
        raise Invalid(
            f"Response curves need at least {MIN_HISTORY_DAYS} days of spend; there are "
            f"{0 if frame.empty else (frame[DATE].max() - frame[DATE].min()).days + 1}."
        )
    names = dict(
        db.session.execute(
            text("SELECT CAST(id AS text), name FROM campaigns WHERE id = ANY(:ids)"),
            {"ids": [int(c) for c in frame[CAMPAIGN].unique()]},
        ).all()
    )
    return RunData(frame, start, end, version_id, names)


def _spend(start: dt.date, end: dt.date, reporting: str) -> pd.DataFrame:
    rows = db.session.execute(
        text(
            """
            SELECT r.date, r.platform, CAST(r.campaign_id AS text),
                   CAST(sum(coalesce(r.spend, 0)) AS float8), CAST(sum(r.installs) AS float8)
            FROM daily_rollups r
            WHERE r.breakdown = 'none' AND r.reporting_currency = :rep
              AND r.date BETWEEN :start AND :end
            GROUP BY 1, 2, 3
            """
        ),
        {"rep": reporting, "start": start, "end": end},
    ).all()
    frame = pd.DataFrame(rows, columns=[DATE, CHANNEL, CAMPAIGN, SPEND, "installs"])
    frame[DATE] = pd.to_datetime(frame[DATE])
    return frame


def _customer_outcome(column: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """`column` of roi_customers, or of the customers' predictions (roi_customer_predictions,
    the active versions'), summed per acquisition day and campaign."""
    predicted = column.startswith("predicted_ltv_")
    join = "JOIN roi_customer_predictions p ON p.customer_id = c.customer_id" if predicted else ""
    rows = db.session.execute(
        text(
            f"""
            SELECT c.acquisition_date, CAST(c.campaign_id AS text),
                   CAST(sum(coalesce({"p" if predicted else "c"}.{column}, 0)) AS float8)
            FROM roi_customers c {join}
            WHERE c.campaign_id IS NOT NULL AND c.acquisition_date BETWEEN :start AND :end
            GROUP BY 1, 2
            """
        ),
        {"start": start, "end": end},
    ).all()
    frame = pd.DataFrame(rows, columns=[DATE, CAMPAIGN, OUTCOME])
    frame[DATE] = pd.to_datetime(frame[DATE])
    return frame
