"""Recommendation runs: request (on demand, or weekly from beat), carry out in a worker, read,
what-if at another total budget, and CSV.

A run reads the data (`data.read_run_data`), fits the response curves of channels and
campaigns (`analytics.response.fit_response`), builds the recommendation under the run's
constraints, backtests the procedure on the last 28 days (`backtest_response`), and stores it
all with the LTV model version it used. Curves are stored without their residuals (only the
backtest needs them, and it has run); the what-if reallocates the stored curves.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from typing import Any

from defusedcsv import csv
from flask import current_app
from sqlalchemy import select, update

from analytics.response import (
    CAMPAIGN,
    CHANNEL,
    FittedItem,
    InfeasibleAllocation,
    ItemConstraint,
    backtest_response,
    build_recommendation,
    curve_points,
    fit_response,
)
from backend.celery_app import answer_as_queued, send_task
from backend.currencies import money_text
from backend.errors import Conflict, Invalid, NotFound, ServiceError
from backend.extensions import db
from backend.models.recommendations import RecommendationRun, RunStatus
from backend.models.types import utcnow
from backend.services import audit
from backend.services.recommendations.data import (
    PREDICTED_REVENUE,
    NoActiveModel,
    read_run_data,
)
from backend.services.transaction import unit_of_work
from connectors import platform_label

log = logging.getLogger("spendlens.recommendations")
RUN_TASK = "workers.tasks.recommendations.run_recommendation"
LEVELS = (CHANNEL, CAMPAIGN)
DEFAULT_INPUTS: dict[str, Any] = {
    "level": CHANNEL,
    "outcome": PREDICTED_REVENUE,
    "horizon_days": 365,
    "total_budget": None,
    "target_roas": None,
    "max_change": None,
    "constraints": {},
}
#: Period the "next period's budgets" cover.
PERIOD = "month"


def request_run(
    actor, inputs: dict | None = None, *, trigger: str = "request"
) -> RecommendationRun:
    """Store a queued run with its inputs and send its task."""
    merged = {**DEFAULT_INPUTS, **(inputs or {})}
    if merged["level"] not in LEVELS:
        raise Invalid(f"level must be one of {', '.join(LEVELS)}", field="level")
    if merged["total_budget"] is not None and merged["target_roas"] is not None:
        raise Invalid("Give a total budget or a target ROAS, not both.", field="target_roas")
    with unit_of_work():  # committed before the task is sent: the worker must find the run
        run = RecommendationRun(status=RunStatus.QUEUED.value, trigger=trigger, inputs=merged)
        run.requested_by = actor.id if actor else None
        db.session.add(run)
        db.session.flush()
        audit.record(actor, "recommendation.request", "recommendation_run", run.id, None, merged)
    answer_as_queued(run)
    send_task(current_app, RUN_TASK, run.id)
    return run


def carry_out(run_id: int) -> RecommendationRun:
    """Fit, recommend and backtest a queued run (a run already taken is left alone). A run
    whose inputs say `wait_for_model` goes back to the queue while no LTV model is active."""
    # committed at once: the run shows as running, and no other worker takes it
    with unit_of_work():
        claimed = db.session.execute(
            update(RecommendationRun)
            .where(
                RecommendationRun.id == run_id, RecommendationRun.status == RunStatus.QUEUED.value
            )
            .values(status=RunStatus.RUNNING.value, started_at=utcnow())
            .returning(RecommendationRun.id)
        ).scalar()
    run = get_run(run_id)
    if claimed is None:
        return run
    try:
        with unit_of_work():  # the result and the run's status together
            _compute(run)
            run.status, run.finished_at = RunStatus.READY.value, utcnow()
        return run
    except NoActiveModel as exc:
        run = get_run(run_id)
        if run.inputs.get("wait_for_model"):  # the demo's first run waits for its first model
            with unit_of_work():  # back in the queue, as it was before it was claimed
                run.status, run.started_at = RunStatus.QUEUED.value, None
            return run
        error = exc.message
    except (ServiceError, InfeasibleAllocation) as exc:
        error = getattr(exc, "message", str(exc))
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.exception("recommendation run %s failed", run_id)
    with unit_of_work():  # the failure, after the failed work was rolled back
        run = get_run(run_id)
        run.status, run.error, run.finished_at = RunStatus.FAILED.value, error, utcnow()
    return run


def _compute(run: RecommendationRun) -> None:
    inputs = run.inputs
    data = read_run_data(inputs["outcome"], int(inputs["horizon_days"]))
    fitted = fit_response(data.frame)
    level = inputs["level"]
    items = fitted.items(level)
    result = recommend(items, inputs, data.campaign_names)
    backtest = backtest_response(data.frame, level=CHANNEL)
    run.model_version_id = data.model_version_id
    run.data_start, run.data_end = data.start, data.end
    run.curves = {
        "channels": {k: _stored(v) for k, v in fitted.channels.items()},
        "campaigns": {k: _stored(v) for k, v in fitted.campaigns.items()},
        "names": data.campaign_names,
    }
    run.result = result
    run.backtest = backtest.to_dict()
    now = result["current"]["outcome"]
    run.expected_gain_share = result["gain"]["outcome"] / now if now else None


def _stored(item: FittedItem) -> dict:
    data = item.to_dict()
    curve = data["curve"]
    curve["residuals"] = []
    for part in curve.get("parts", []):
        part["residuals"] = []
    return data


def recommend(
    items: dict[str, FittedItem],
    inputs: dict,
    names: dict[str, str],
    total_budget: float | None = None,
) -> dict:
    """The recommendation of fitted items under the run's inputs (or another total budget)."""
    constraints = {k: _constraint(k, v) for k, v in (inputs.get("constraints") or {}).items()}
    unknown = sorted(set(constraints) - set(items))
    if unknown:
        raise Invalid(f"Constraints name unknown items: {', '.join(unknown)}", field="constraints")
    budget = total_budget if total_budget is not None else inputs.get("total_budget")
    target = None if total_budget is not None else inputs.get("target_roas")
    currency = current_app.config["REPORTING_CURRENCY"]
    try:
        result = build_recommendation(
            items,
            total_budget=budget,
            target_roas=target,
            constraints=constraints,
            max_change=inputs.get("max_change"),
            label=lambda key: item_label(key, names),
            money=lambda v: money_text(v, currency),
        )
    except InfeasibleAllocation as exc:
        raise Invalid(str(exc), field="total_budget") from exc
    for row in result["items"]:
        row["label"] = item_label(row["key"], names)
        row["channel_label"] = platform_label(row["channel"])
    result["currency"] = currency
    return result


def _constraint(key: str, raw: dict) -> ItemConstraint:
    return ItemConstraint(
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        max_change=raw.get("max_change"),
        locked=bool(raw.get("locked", False)),
    )


def item_label(key: str, names: dict[str, str]) -> str:
    """A channel's label, or a campaign's name."""
    return names.get(key) or platform_label(key)


def list_runs(limit: int = 50) -> list[RecommendationRun]:
    stmt = select(RecommendationRun).order_by(RecommendationRun.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def get_run(run_id: int) -> RecommendationRun:
    run = db.session.get(RecommendationRun, run_id) if 0 < run_id < 2**31 else None
    if run is None:
        raise NotFound("No such recommendation run")
    return run


def latest_ready() -> RecommendationRun | None:
    stmt = (
        select(RecommendationRun)
        .where(RecommendationRun.status == RunStatus.READY.value)
        .order_by(RecommendationRun.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def latest_message() -> str:
    """Why there is no ready run yet, and what comes next (the empty state of /latest)."""
    newest = db.session.scalar(
        select(RecommendationRun).order_by(RecommendationRun.id.desc()).limit(1)
    )
    if newest is None:
        return (
            "No recommendation has been computed yet: runs are weekly, or on demand "
            "(finance and admins: Run now)."
        )
    if newest.status in (RunStatus.QUEUED.value, RunStatus.RUNNING.value):
        return f"The first recommendation is being computed (run {newest.id}, {newest.status})."
    return (
        f"No recommendation could be computed yet: the last run ({newest.id}) failed: "
        f"{newest.error or 'no reason recorded'}."
    )


def stored_items(run: RecommendationRun, level: str | None = None) -> dict[str, FittedItem]:
    if run.status != RunStatus.READY.value or not run.curves:
        raise Conflict("The run has no recommendation (it is not ready).")
    group = "campaigns" if (level or run.inputs["level"]) == CAMPAIGN else "channels"
    return {k: FittedItem.from_dict(v) for k, v in run.curves[group].items()}


def what_if(run: RecommendationRun, total_budget: float) -> dict:
    """The run's recommendation at another total daily budget (same curves and constraints)."""
    if not math.isfinite(total_budget) or total_budget <= 0:
        raise Invalid("total_budget must be a positive amount", field="total_budget")
    items = stored_items(run)
    return recommend(items, run.inputs, run.curves.get("names", {}), total_budget=total_budget)


def channel_curves(run: RecommendationRun) -> list[dict]:
    """Each channel's curve (spend, outcome, 80% band) up to past its highest spend, with its
    current and recommended points."""
    items = stored_items(run, CHANNEL)
    recommended = {}
    if run.inputs["level"] == CHANNEL:
        recommended = {row["key"]: row["recommended_spend"] for row in run.result["items"]}
    else:
        for row in run.result["items"]:
            recommended[row["channel"]] = (
                recommended.get(row["channel"], 0.0) + row["recommended_spend"]
            )
    out = []
    for key, item in items.items():
        after = recommended.get(key, item.current_spend)
        upto = 1.6 * max(item.highest_spend, item.current_spend, after)
        points = curve_points(item, upto)
        out.append(
            {
                "key": key,
                "label": platform_label(key),
                **points,
                "current_spend": item.current_spend,
                "current_outcome": float(item.curve.estimate(item.current_spend)),
                "recommended_spend": after,
                "recommended_outcome": float(item.curve.estimate(after)),
            }
        )
    return out


CSV_COLUMNS = (
    ("label", "Item"),
    ("channel_label", "Channel"),
    ("action", "Action"),
    ("current_spend", "Current daily spend"),
    ("recommended_spend", "Recommended daily spend"),
    ("marginal_roas_now", "Marginal ROAS now"),
    ("marginal_roas_after", "Marginal ROAS after"),
    ("expected_outcome", "Expected daily outcome"),
    ("expected_low", "Expected low (80%)"),
    ("expected_high", "Expected high (80%)"),
    ("reason", "Reason"),
)


def run_csv(run: RecommendationRun) -> str:
    if run.status != RunStatus.READY.value:
        raise Conflict("The run has no recommendation (it is not ready).")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in CSV_COLUMNS])
    for row in run.result["items"]:
        writer.writerow([_cell(row.get(key)) for key, _ in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def schedule_weekly() -> RecommendationRun | None:
    """The weekly run beat asks for (default inputs), unless one is already queued or running."""
    busy = db.session.scalar(
        select(RecommendationRun.id).where(
            RecommendationRun.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
            RecommendationRun.created_at > utcnow() - dt.timedelta(hours=6),
        )
    )
    if busy is not None:
        return None
    return request_run(None, trigger="schedule")
