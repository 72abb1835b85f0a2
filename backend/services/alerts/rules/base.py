"""What an alert rule is (`AlertRule`), what it judges (`BudgetContext`) and what it returns
(`Finding`), with the figures and formatting the rules share: each figure a finding carries is
declared as a `Figure` (its label and how the mail shows its value) by the rule that adds it,
the budget and pacing figures every rule may add in `BASE_FIGURES`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from marshmallow import Schema, fields

from backend.models import Budget
from backend.services.pacing import BudgetPacing, money
from backend.services.pacing.spend import AccountFacts, Scope


@dataclass(frozen=True)
class Cohort:
    """Customers acquired in the period within the scope: how many, how many the active LTV
    version scored, their predicted 365-day LTV scaled to all of them (each unscored customer
    at the scored ones' mean, as `analytics.cohorts.roi_table` counts them), and the backtested
    accuracy of that prediction at the cohort's age (`predictions.accuracy.accuracy_at`; None
    when that age was not judged)."""

    customers: int
    scored: int
    predicted_ltv_365: float
    accuracy: dict | None = None


@dataclass(frozen=True)
class BudgetContext:
    budget: Budget
    scope: Scope
    scope_label: str
    currency: str
    accounts: list[AccountFacts]
    pacing: BudgetPacing
    #: Days from this one on may still be restated (None: no enabled account in the scope).
    provisional_from: dt.date | None
    #: Last day whose spend is known to be complete (anomalies are judged up to it).
    data_through: dt.date | None
    cohort: Cohort | None
    now: dt.datetime

    def complete_through(self) -> dt.date:
        """The last day of the period whose spend is in: the last complete day in every
        account's time zone (the period's last once over), and no later than the day every
        synced account of the scope has been fetched through (accounts report late)."""
        return min(self.pacing.through, self.data_through or self.pacing.as_of)

    def provisional(self, day: dt.date) -> bool:
        return self.provisional_from is not None and day >= self.provisional_from

    def settled_spend(self) -> float:
        """Spend of the period's counted days that no sync will restate any more."""
        if self.provisional_from is None:
            return self.pacing.figures.spend_to_date
        last = min(self.pacing.as_of, self.provisional_from - dt.timedelta(days=1))
        return self.pacing.series.total(self.pacing.period_start, last)


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    figures: dict
    provisional: bool = False
    level: str = ""
    create: bool = True
    extra: dict = field(default_factory=dict)


Judge = Callable[[BudgetContext, dict], list[Finding]]


class Shown(StrEnum):
    """How the mail shows a figure's value."""

    #: as it is stored: a count, a day, names
    TEXT = "text"
    #: an amount in the reporting currency: "USD 1,234.50"
    MONEY = "money"
    #: a percentage as it was given: 80 → "80%", 2.5 → "2.5%"
    PERCENT = "percent"
    #: a measured percentage to one decimal: 83.44 → "83.4%"
    PERCENT_1DP = "percent_1dp"
    #: a ratio as a percentage to one decimal: 1.25 → "125.0%"
    RATIO = "ratio"
    #: not one of the mail's figures (its pacing block shows it, or it serves the rule only)
    NOT_SHOWN = "not_shown"


@dataclass(frozen=True)
class Figure:
    """A figure of a finding as the mail shows it: its label and how its value reads."""

    label: str
    shown: Shown = Shown.TEXT

    def text(self, value: Any, currency: str) -> str | None:
        """The value as the mail shows it; None when it is not shown."""
        if value is None or self.shown == Shown.NOT_SHOWN:
            return None
        if self.shown == Shown.MONEY:
            return fmt(float(value), currency)
        if self.shown == Shown.PERCENT:
            return f"{float(value):g}%"
        if self.shown == Shown.PERCENT_1DP:
            return f"{float(value):.1f}%"
        if self.shown == Shown.RATIO:
            return f"{float(value):.1%}"
        return str(value)


@dataclass(frozen=True)
class AlertRule:
    """One alert rule: everything the API, the budget form, the mail and the evaluation know of
    it. `parameters` are marshmallow fields (with `title` and `x-unit` in their metadata for the
    form); a budget's configuration of the rule is `{"enabled": bool, **parameters}`."""

    name: str
    #: How people read the rule: in the alert list, the mail's subject and the budget form.
    label: str
    #: One sentence on when the rule fires (the form shows it under the label).
    description: str
    enabled_by_default: bool
    parameters: Mapping[str, fields.Field]
    defaults: Mapping[str, Any]
    judge: Judge
    #: The figures this rule's findings add to `base_figures`, by key: how the mail shows them.
    figures: Mapping[str, Figure] = field(default_factory=dict)
    #: The rule needs the budget's target ROAS: setting a target switches it on.
    needs_target_roas: bool = False
    #: Tidies a configuration after merging (e.g. sorts the threshold levels).
    normalize: Callable[[dict], dict] | None = None

    @cached_property
    def schema(self) -> type[Schema]:
        """The marshmallow schema of a budget's configuration of this rule."""
        title = "".join(part.title() for part in self.name.split("_"))
        return Schema.from_dict(
            {"enabled": fields.Boolean(required=True), **self.parameters},
            name=f"{title}RuleSchema",
        )

    def default_config(self) -> dict[str, Any]:
        return {"enabled": self.enabled_by_default, **_copy(self.defaults)}


def _copy(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


def fmt(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{currency} {value:,.2f}"


#: The figures of `base_figures`; the pacing block of the mail shows those it does not list.
BASE_FIGURES: Mapping[str, Figure] = {
    "budget": Figure("Budget", Shown.MONEY),
    "currency": Figure("Currency", Shown.NOT_SHOWN),
    "spend_to_date": Figure("Spend to date", Shown.MONEY),
    "spent_pct": Figure("Share of the budget spent", Shown.PERCENT_1DP),
    "expected_to_date": Figure("Expected to date", Shown.NOT_SHOWN),
    "as_of": Figure("As of", Shown.NOT_SHOWN),
    "projected": Figure("Projected", Shown.NOT_SHOWN),
    "projected_low": Figure("Projected (low)", Shown.NOT_SHOWN),
    "projected_high": Figure("Projected (high)", Shown.NOT_SHOWN),
    "method": Figure("Forecast method", Shown.NOT_SHOWN),
}


def base_figures(ctx: BudgetContext) -> dict:
    """The budget and pacing figures most rules show with their own."""
    figures, projection = ctx.pacing.figures, ctx.pacing.projection
    return {
        "budget": money(float(ctx.budget.amount)),
        "currency": ctx.currency,
        "spend_to_date": money(figures.spend_to_date),
        "spent_pct": round(100 * figures.spend_to_date / float(ctx.budget.amount), 1),
        "expected_to_date": money(figures.expected_to_date),
        "as_of": ctx.pacing.through.isoformat(),
        "projected": money(projection.point) if projection else None,
        "projected_low": money(projection.low) if projection else None,
        "projected_high": money(projection.high) if projection else None,
        "method": figures.method,
    }
