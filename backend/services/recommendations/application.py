"""Turning a recommendation into next month's budgets (finance and admin), and undoing that.

Each item of the run becomes a monthly budget of next month: a channel a platform budget, a
campaign a campaign budget, its amount the recommended daily spend times the month's days. A
budget of that scope and month that already exists has its amount changed (its amount before is
kept with the run); otherwise one is created. Every budget change is audited by the budgets
service, and the application and its undoing by this one. Undoing deletes the budgets the
application created and puts the changed amounts back.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from analytics.response import CAMPAIGN
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.models import Budget
from backend.models.recommendations import RecommendationRun, RunStatus
from backend.models.types import utcnow
from backend.services import audit, budgets
from backend.services.recommendations.runs import get_run
from backend.services.transaction import unit_of_work


def next_month(today: dt.date | None = None) -> tuple[dt.date, int]:
    """The first day of next month and its number of days."""
    today = today or dt.datetime.now(dt.UTC).date()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first, calendar.monthrange(first.year, first.month)[1]


def apply_run(actor, run_id: int, today: dt.date | None = None) -> RecommendationRun:
    """Write the run's recommendation as next month's budgets."""
    with unit_of_work():  # the budgets and the run's application: all of them or none
        run = _locked(run_id)
        if run.status != RunStatus.READY.value:
            raise Conflict("Only a ready recommendation can be applied.")
        if run.applied_at is not None and run.undone_at is None:
            raise Conflict("This recommendation is already applied; undo it first.")
        first, days = next_month(today)
        level = run.inputs["level"]
        changes = []
        for row in run.result["items"]:
            amount = Decimal(str(row["recommended_spend"] * days)).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            if amount <= 0:
                continue
            scope = _scope(level, row["key"])
            existing = _existing(scope, first)
            if existing is not None:
                before = str(existing.amount)
                budgets.update_budget(actor, existing.id, {"amount": amount})
                changes.append({"budget_id": existing.id, "created": False, "before": before})
            else:
                created = budgets.create_budget(
                    actor,
                    {
                        "name": f"{row['label']} — {first:%B %Y} (recommended)",
                        "scope": scope,
                        "period": "month",
                        "period_start": first,
                        "amount": amount,
                    },
                )
                changes.append({"budget_id": created.id, "created": True, "before": None})
        run = _locked(run_id)
        run.applied_at, run.applied_by, run.undone_at = utcnow(), actor.id if actor else None, None
        run.application = {"period_start": first.isoformat(), "budgets": changes}
        audit.record(
            actor, "recommendation.apply", "recommendation_run", run.id, None, run.application
        )
    return run


def undo_run(actor, run_id: int) -> RecommendationRun:
    """Delete the budgets the application created and restore the amounts it changed."""
    with unit_of_work():  # the budgets put back and the run's undoing: all of them or none
        run = _locked(run_id)
        if run.applied_at is None or run.undone_at is not None:
            raise Conflict("This recommendation is not applied.")
        for change in reversed(run.application["budgets"]):
            try:
                if change["created"]:
                    budgets.delete_budget(actor, change["budget_id"])
                else:
                    budgets.update_budget(
                        actor, change["budget_id"], {"amount": Decimal(change["before"])}
                    )
            except NotFound:
                continue  # deleted by hand since: nothing to undo
        run = _locked(run_id)
        run.undone_at = utcnow()
        audit.record(
            actor, "recommendation.undo", "recommendation_run", run.id, run.application, None
        )
    return run


def _locked(run_id: int) -> RecommendationRun:
    get_run(run_id)
    stmt = select(RecommendationRun).where(RecommendationRun.id == run_id).with_for_update()
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def _scope(level: str, key: str) -> dict:
    if level == CAMPAIGN:
        return {"type": "campaign", "campaign_id": int(key)}
    return {"type": "platform", "platform": key}


def _existing(scope: dict, first: dt.date) -> Budget | None:
    stmt = select(Budget).where(
        Budget.period == "month",
        Budget.period_start == first,
        Budget.scope_type == scope["type"],
    )
    if scope["type"] == "campaign":
        stmt = stmt.where(Budget.campaign_id == scope["campaign_id"])
    else:
        stmt = stmt.where(Budget.platform == scope["platform"])
    return db.session.scalars(stmt.order_by(Budget.id)).first()
