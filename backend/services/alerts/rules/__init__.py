"""The alert rules: each judges one budget's context and returns what fires now.

An alert rule is one `AlertRule` object (base.py) in a module of its own: its name, label,
description, whether a new budget has it on, its parameter schema with their defaults, and its
judge function. `RULES` below lists them once; everything else asks this list: a budget's default
rules and their merging (services/budgets.py), the API's validation and OpenAPI document
(`GET /api/alerts/rules` serves `catalog()`; api/budgets.py nests each rule's schema), the budget
form and the alert labels of the dashboard, the mail's labels and figures (`figure`) and the
evaluation (`judge`).

A rule returns `Finding`s, one per alert it keeps alive (the threshold rule one per crossed
level). A finding with `create=False` keeps an existing alert alive without opening a new one.
Rules are switched on and configured per budget (`Budget.rules`); a rule that is off, or has
nothing to judge, fires nothing — which resolves its open alerts.

Adding a rule touches two files:
1. a new module here, e.g. `suspect_traffic.py`, with `NAME`, a judge function
   `(ctx: BudgetContext, config: dict) -> list[Finding]` and `RULE = AlertRule(...)` (copy
   `stale_data.py`: parameters are marshmallow fields with `title` and `x-unit` in their
   metadata, which the form shows; `defaults` gives each parameter's value for a new budget;
   `figures` declares each figure its findings add: its label and how the mail shows it, e.g.
   `Figure("Projected overspend", Shown.MONEY)`);
2. a line in `RULES` below (the order is the order of the form).
Then test the judge in tests/backend/budgets/ like the others. Budgets stored before the rule
get its defaults when read or changed (`merged_rules`); nothing else needs to change — no
migration (`alerts.rule` is a plain string), no front-end code, no mail template. (The front
end's tests read the rules from frontend/src/test/alertRules.json; regenerate it, as
tests/backend/budgets/test_rule_catalog.py says, only when a test there should use the new rule.)
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from backend.services.alerts.rules import (
    anomaly,
    credentials,
    predicted_roas,
    projected_overspend,
    reallocation,
    stale_data,
    suspect_traffic,
    threshold,
)
from backend.services.alerts.rules.base import (
    BASE_FIGURES,
    AlertRule,
    BudgetContext,
    Cohort,
    Figure,
    Finding,
    Shown,
)

__all__ = [
    "RULES",
    "AlertRule",
    "BudgetContext",
    "Cohort",
    "Figure",
    "Finding",
    "Shown",
]

RULES: tuple[AlertRule, ...] = (
    threshold.RULE,
    projected_overspend.RULE,
    predicted_roas.RULE,
    anomaly.RULE,
    reallocation.RULE,
    stale_data.RULE,
    credentials.RULE,
    suspect_traffic.RULE,
)
BY_NAME: dict[str, AlertRule] = {rule.name: rule for rule in RULES}
#: The figures of `base_figures` and of every rule, by key.
FIGURES: dict[str, Figure] = {
    **BASE_FIGURES,
    **{key: shown for rule in RULES for key, shown in rule.figures.items()},
}


def label(name: str) -> str:
    """The rule's label; an unknown name (a rule since removed) as it is."""
    rule = BY_NAME.get(name)
    return rule.label if rule else name


def figure(key: str) -> Figure:
    """How the mail names and shows a figure of a finding; one no rule declares (a rule since
    removed) as text, under its key."""
    return FIGURES.get(key) or Figure(key.replace("_", " ").capitalize())


def figure_label(key: str) -> str:
    return figure(key).label


def default_rules() -> dict[str, dict]:
    """The rules of a new budget: every rule's default configuration."""
    return {rule.name: rule.default_config() for rule in RULES}


def merged_rules(current: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults, overlaid with the current rules, overlaid with the given ones."""
    rules = default_rules()
    for source in (current, given):
        for name, values in (source or {}).items():
            if name in rules and isinstance(values, Mapping):
                rules[name].update(copy.deepcopy(dict(values)))
    for rule in RULES:
        if rule.normalize:
            rules[rule.name] = rule.normalize(rules[rule.name])
    return rules


def judge(ctx: BudgetContext) -> list[Finding]:
    """Every finding of the budget's enabled rules."""
    out: list[Finding] = []
    for rule in RULES:
        config = (ctx.budget.rules or {}).get(rule.name) or {}
        if config.get("enabled"):
            out.extend(rule.judge(ctx, config))
    return out


def catalog() -> list[dict[str, Any]]:
    """Every rule as the API serves it, its parameters as a JSON schema."""
    return [
        {
            "name": rule.name,
            "label": rule.label,
            "description": rule.description,
            "enabled_by_default": rule.enabled_by_default,
            "defaults": rule.default_config(),
            "parameters": _json_schema(rule),
            "needs_target_roas": rule.needs_target_roas,
        }
        for rule in RULES
    ]


@cache
def _converter():
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    APISpec("alert rules", "1", "3.0.2", plugins=[plugin])
    return plugin.converter


def _json_schema(rule: AlertRule) -> dict[str, Any]:
    """The JSON schema of the rule's parameters (apispec's conversion, as in the OpenAPI
    document), without the `enabled` switch every rule has."""
    schema = _converter().schema2jsonschema(rule.schema)
    schema["properties"].pop("enabled", None)
    schema["required"] = [r for r in schema.get("required", []) if r != "enabled"]
    return schema
