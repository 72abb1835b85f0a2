"""A recommendation: the allocation of fitted items, with per-item figures and a plain reason.

For each item: current and recommended daily spend, marginal ROAS now and after, the expected
daily outcome at the recommended spend with its 80% interval, and one sentence saying why, in
the terms a person checks ("Meta is saturated: its last $1,000 a day brought $310; Apple Search
Ads' brought $1,450").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from analytics.response.allocator import (
    Allocation,
    AllocationItem,
    ItemConstraint,
    allocate,
    interval,
)
from analytics.response.fitting import FittedItem

#: A change smaller than this share of current spend is "keep".
KEEP_BAND = 0.03


def last_step(spend: float) -> float:
    """A round amount about a tenth of `spend` (1, 2 or 5 times a power of ten)."""
    if spend <= 0:
        return 0.0
    target = spend / 10.0
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def last_step_return(item: FittedItem, spend: float) -> tuple[float, float]:
    """(step, what the last `step` a day of spend brings) at `spend` (draw 0)."""
    step = last_step(spend)
    if step <= 0:
        return 0.0, 0.0
    got = item.curve.revenue(spend)[0] - item.curve.revenue(spend - step)[0]
    return step, float(got)


def build_recommendation(
    fitted: Mapping[str, FittedItem],
    *,
    total_budget: float | None = None,
    target_roas: float | None = None,
    constraints: Mapping[str, ItemConstraint] | None = None,
    max_change: float | None = None,
    label: Callable[[str], str] = str,
    money: Callable[[float], str] = lambda v: f"${v:,.0f}" if abs(v) >= 100 else f"${v:,.2f}",
) -> dict:
    """The allocation with its figures and reasons, as plain data (JSON-ready)."""
    constraints = constraints or {}
    keys = list(fitted)
    items = [
        AllocationItem(
            key,
            fitted[key].curve,
            fitted[key].current_spend,
            fitted[key].highest_spend,
            constraints.get(key, ItemConstraint()),
        )
        for key in keys
    ]
    if total_budget is None and target_roas is None:
        total_budget = sum(item.current_spend for item in items)
    allocation = allocate(
        items, total_budget=total_budget, target_roas=target_roas, max_change=max_change
    )
    rows = [_row(allocation, i, fitted[k], constraints.get(k)) for i, k in enumerate(keys)]
    _add_reasons(rows, fitted, label, money)
    point_now, low_now, high_now = allocation.total_interval("now")
    point, low, high = allocation.total_interval("after")
    spend_after = float(allocation.recommended.sum())
    spend_now = float(allocation.current.sum())
    gain = allocation.outcome_after.sum(axis=0) - allocation.outcome_now.sum(axis=0)
    gain_low, gain_high = interval(gain)
    return {
        "mode": "target_roas" if target_roas is not None else "budget",
        "total_budget": spend_after,
        "target_roas": target_roas,
        "items": rows,
        "current": {
            "spend": spend_now,
            "outcome": point_now,
            "low": low_now,
            "high": high_now,
            "roas": point_now / spend_now if spend_now else None,
        },
        "recommended": {
            "spend": spend_after,
            "outcome": point,
            "low": low,
            "high": high,
            "roas": point / spend_after if spend_after else None,
            "roas_low": low / spend_after if spend_after else None,
            "roas_high": high / spend_after if spend_after else None,
        },
        "gain": {"outcome": float(gain[0]), "low": gain_low, "high": gain_high},
    }


def _row(
    allocation: Allocation, i: int, item: FittedItem, constraint: ItemConstraint | None
) -> dict:
    low, high = interval(allocation.outcome_after[i])
    current, recommended = float(allocation.current[i]), float(allocation.recommended[i])
    change = (recommended - current) / current if current > 0 else None
    if constraint is not None and constraint.locked:
        action = "locked"
    elif change is None:
        action = "raise" if recommended > 0 else "keep"
    else:
        action = "raise" if change > KEEP_BAND else "cut" if change < -KEEP_BAND else "keep"
    return {
        "key": item.key,
        "channel": item.channel,
        "pooled": item.pooled,
        "pooled_reason": item.reason,
        "current_spend": current,
        "recommended_spend": recommended,
        "change": change,
        "action": action,
        "marginal_roas_now": float(allocation.marginal_now[i]),
        "marginal_roas_after": float(allocation.marginal_after[i]),
        "outcome_now": float(allocation.outcome_now[i][0]),
        "expected_outcome": float(allocation.outcome_after[i][0]),
        "expected_low": low,
        "expected_high": high,
    }


def _add_reasons(
    rows: list[dict],
    fitted: Mapping[str, FittedItem],
    label: Callable[[str], str],
    money: Callable[[float], str],
) -> None:
    """One sentence per row, comparing its last dollars with the best (or worst) other item's."""
    returns = {}
    for row in rows:
        step, got = last_step_return(fitted[row["key"]], row["current_spend"])
        returns[row["key"]] = (step, got, got / step if step else 0.0)
    by_rate = sorted(returns, key=lambda k: returns[k][2])
    for row in rows:
        key = row["key"]
        step, got, rate = returns[key]
        others = [k for k in by_rate if k != key and returns[k][0] > 0]
        name = label(key)
        last = f"its last {money(step)} a day brought {money(got)}" if step else ""
        if row["action"] == "locked":
            row["reason"] = f"{name} is locked at {money(row['current_spend'])} a day."
        elif row["action"] == "cut":
            best = others[-1] if others else None
            tail = _compare(best, returns, label, money)
            row["reason"] = f"{name} is saturated: {last}{tail}."
        elif row["action"] == "raise":
            worst = others[0] if others else None
            tail = _compare(worst, returns, label, money)
            if step:
                row["reason"] = f"{name} has room to grow: {last}{tail}."
            else:
                row["reason"] = (
                    f"{name} spends nothing now; its first dollars are expected to return "
                    f"{row['marginal_roas_after']:.2f} each at the recommended level."
                )
        else:
            row["reason"] = (
                f"{name} is about right: {last}, a marginal ROAS of {row['marginal_roas_now']:.2f}."
                if step
                else f"{name} spends nothing and gains little from spending."
            )
        if row["pooled"]:
            row["reason"] += (
                f" It shares its channel's carryover and saturation: {row['pooled_reason']}."
            )


def _compare(
    other: str | None,
    returns: dict[str, tuple[float, float, float]],
    label: Callable[[str], str],
    money: Callable[[float], str],
) -> str:
    if other is None:
        return ""
    step, got, _ = returns[other]
    return f"; {possessive(label(other))} last {money(step)} brought {money(got)}"


def possessive(name: str) -> str:
    """ "Meta's", "Apple Search Ads'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def curve_points(item: FittedItem, upto: float, points: int = 60) -> dict:
    """The steady-state curve of an item from 0 to `upto` a day: spend, outcome and 80% band."""
    spend = np.linspace(0.0, max(upto, 1e-6), points)
    draws = item.curve.revenue(spend)
    if len(draws) > 1:  # the bootstrap's spread around its median, placed around the fit
        spread = draws[1:] - np.median(draws[1:], axis=0) + draws[0]
        low, high = np.maximum(np.quantile(spread, [0.1, 0.9], axis=0), 0.0)
    else:
        low = high = draws[0]
    return {
        "spend": spend.tolist(),
        "outcome": draws[0].tolist(),
        "low": low.tolist(),
        "high": high.tolist(),
    }
