"""The suspect-traffic rule: a campaign of the scope whose share of suspect customers (analytics/
early/traffic.py: no activity after the install, an instant first event, install bursts,
refunded purchases) among those acquired over the last days is above the given level, judged as
the Traffic quality page judges it (`judge_share`: from MIN_CUSTOMERS customers on, the lower
bound of the share's 95% Wilson interval above the level)."""

from __future__ import annotations

import datetime as dt

from marshmallow import fields, validate

from backend.models import ScopeType, Severity
from backend.services.alerts.rules.base import AlertRule, BudgetContext, Figure, Finding

NAME = "suspect_traffic"


def suspect_traffic(ctx: BudgetContext, config: dict) -> list[Finding]:
    from analytics.early.traffic import CONFIDENCE, REASON_LABELS
    from backend.services.early.data import campaign_names, read_early_inputs
    from backend.services.early.report import traffic_report

    share_pct = float(config.get("share_pct", 10))
    days = int(config.get("days", 7))
    accounts = [a.id for a in ctx.accounts if ctx.scope.covers(a)]
    if not accounts:
        return []
    campaign = ctx.scope.campaign_id if ctx.scope.type == ScopeType.CAMPAIGN else None
    # a customer is judged once a day old: the window ends a day ago
    since = ctx.now - dt.timedelta(days=days + 1)
    inputs = read_early_inputs(ctx.now, since=since, account_ids=accounts, campaign_id=campaign)
    if inputs.customers.empty:
        return []
    shares = traffic_report(inputs, window_days=days, limit=share_pct / 100)["campaigns"]
    flagged = shares[shares["flagged"]].sort_values("share", ascending=False)
    if flagged.empty:
        return []
    names = campaign_names(list(flagged["campaign"]))
    listed = "; ".join(
        f"{names.get(row.campaign) or row.campaign_external_id or row.campaign}: "
        f"{row.share:.0%} of {row.customers} customers "
        f"({CONFIDENCE:.0%} interval {row.share_low:.0%}–{row.share_high:.0%}; "
        + ", ".join(
            REASON_LABELS.get(reason, reason).lower()
            for reason in sorted(row.reasons, key=row.reasons.get, reverse=True)
        )
        + ")"
        for row in flagged.itertuples()
    )
    message = (
        f"Suspect traffic in {ctx.scope_label} ({ctx.budget.name}): over the last {days} days "
        f"more than {share_pct:g}% of the customers of {len(flagged)} campaign(s) look fake, "
        f"even at the low end of their {CONFIDENCE:.0%} interval — "
        f"{listed}."
    )
    figures = {
        "share_pct": share_pct,
        "days": days,
        "highest_suspect_share_pct": round(100 * float(flagged["share"].max()), 1),
        "suspect_customers": int(flagged["suspects"].sum()),
        "suspect_campaigns": listed,
    }
    return [Finding(NAME, Severity.WARNING, message, figures)]


RULE = AlertRule(
    name=NAME,
    label="Suspect traffic",
    description=(
        "A campaign's share of suspect customers (no activity, instant first events, install "
        "bursts, refunds) over the last days is above this level even at the low end of its "
        "95% interval; campaigns with too few customers to judge are left out."
    ),
    enabled_by_default=True,
    parameters={
        "share_pct": fields.Float(
            validate=validate.Range(1, 100),
            allow_nan=False,
            metadata={"title": "Suspect share above", "x-unit": "%"},
        ),
        "days": fields.Integer(
            validate=validate.Range(1, 90), metadata={"title": "Over the last", "x-unit": "days"}
        ),
    },
    defaults={"share_pct": 10, "days": 7},
    judge=suspect_traffic,
    figures={
        "share_pct": Figure("Suspect share limit (%)"),
        "days": Figure("Days judged"),
        "highest_suspect_share_pct": Figure("Highest suspect share (%)"),
        "suspect_customers": Figure("Suspect customers"),
        "suspect_campaigns": Figure("Campaigns"),
    },
)
