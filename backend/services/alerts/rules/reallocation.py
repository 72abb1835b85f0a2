"""The reallocation-opportunity rule: the latest budget reallocation recommendation expects more
than a set share of extra predicted revenue from moving the same daily spend between channels
(or campaigns). Off by default; it mails the budget's recipients like every rule, once a period."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.models import Severity
from backend.services.alerts.rules.base import AlertRule, BudgetContext, Figure, Finding, fmt

NAME = "reallocation_opportunity"


def reallocation_opportunity(ctx: BudgetContext, config: dict) -> list[Finding]:
    from backend.services.recommendations.runs import latest_ready

    run = latest_ready()
    share = run.expected_gain_share if run is not None else None
    if share is None or share * 100 < float(config.get("min_gain_pct", 5)):
        return []
    result = run.result
    gain = result["gain"]
    moves = [i for i in result["items"] if i["action"] in ("raise", "cut")]
    moves.sort(key=lambda i: abs(i["recommended_spend"] - i["current_spend"]), reverse=True)
    reasons = " ".join(i["reason"] for i in moves[:2])
    message = (
        f"Reallocating the same daily spend is expected to bring {share:.0%} more predicted "
        f"revenue ({fmt(gain['outcome'], ctx.currency)} a day, 80% interval "
        f"{fmt(gain['low'], ctx.currency)} to {fmt(gain['high'], ctx.currency)}; "
        f"recommendation run {run.id}). {reasons}"
    )
    figures = {
        "run": run.id,
        "expected_gain_pct": round(100 * share, 1),
        "expected_gain_daily": round(gain["outcome"], 2),
    }
    return [Finding(NAME, Severity.INFO, message, figures)]


RULE = AlertRule(
    name=NAME,
    label="Reallocation opportunity",
    description=(
        "The latest reallocation recommendation expects more predicted revenue than this from "
        "moving the same daily spend between channels."
    ),
    enabled_by_default=False,
    parameters={
        "min_gain_pct": fields.Float(
            validate=validate.Range(0.1, 1000),
            allow_nan=False,
            metadata={"title": "Expected gain of at least", "x-unit": "%"},
        )
    },
    defaults={"min_gain_pct": 5},
    judge=reallocation_opportunity,
    figures={
        "run": Figure("Recommendation run"),
        "expected_gain_pct": Figure("Expected gain (%)"),
        "expected_gain_daily": Figure("Expected gain a day"),
    },
)
