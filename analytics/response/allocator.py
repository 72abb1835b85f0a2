"""The allocator: daily spend per item that maximizes the predicted outcome under constraints.

Two modes:
- **budget**: the total daily spend is given; the allocation maximizes the sum of the items'
  steady-state outcome (draw 0 of each curve) with every item inside its bounds;
- **target ROAS**: no total; every item spends up to the point where its marginal ROAS falls to
  the target (so spend rises wherever the marginal ROAS exceeds it, and falls where it is below).

Bounds per item: a minimum and maximum daily spend, a maximum change (± share of current
spend) and locking (recommended = current). Without a maximum an item is not taken beyond
`EXTRAPOLATION_LIMIT` times the highest spend it has had: a curve says little beyond the data.

The solver evaluates each curve on a grid between the item's bounds and finds the Lagrange
multiplier (the common marginal return) whose per-item best responses spend the budget; the
per-item grid search keeps it right for S-shaped curves, where a marginal-greedy pass is not.
Whatever the multiplier leaves unspent (or overspent) is moved in grid steps by marginal return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

#: Without an explicit maximum, an item's spend stays below this multiple of its highest spend.
EXTRAPOLATION_LIMIT = 1.5
GRID_POINTS = 401
INTERVAL = (0.1, 0.9)


class Curve(Protocol):
    def revenue(self, spend: np.ndarray | float) -> np.ndarray: ...


class InfeasibleAllocation(ValueError):
    """The constraints cannot all hold (e.g. the minimums exceed the budget)."""


@dataclass(frozen=True)
class ItemConstraint:
    minimum: float | None = None
    maximum: float | None = None
    #: Largest change from current spend, as a share (0.3: ±30%).
    max_change: float | None = None
    locked: bool = False


@dataclass(frozen=True)
class AllocationItem:
    key: str
    curve: Curve
    current_spend: float
    highest_spend: float
    constraint: ItemConstraint = field(default_factory=ItemConstraint)

    def bounds(self, default_max_change: float | None = None) -> tuple[float, float]:
        c = self.constraint
        if c.locked:
            return self.current_spend, self.current_spend
        low = c.minimum if c.minimum is not None else 0.0
        high = c.maximum
        if high is None:
            high = EXTRAPOLATION_LIMIT * max(self.highest_spend, self.current_spend)
        change = c.max_change if c.max_change is not None else default_max_change
        if change is not None:
            low = max(low, self.current_spend * (1.0 - change))
            high = min(high, self.current_spend * (1.0 + change))
        if low > high:
            raise InfeasibleAllocation(
                f"{self.key}: its minimum {low:,.2f} is above its maximum {high:,.2f}"
            )
        return low, high


@dataclass(frozen=True)
class Allocation:
    keys: list[str]
    current: np.ndarray
    recommended: np.ndarray
    #: Steady-state daily outcome per item and draw at current and recommended spend.
    outcome_now: np.ndarray
    outcome_after: np.ndarray
    marginal_now: np.ndarray
    marginal_after: np.ndarray

    def total_interval(self, which: str = "after") -> tuple[float, float, float]:
        """Total daily outcome: point (draw 0) and the 80% interval over the draws."""
        draws = (self.outcome_after if which == "after" else self.outcome_now).sum(axis=0)
        low, high = _interval(draws)
        return float(draws[0]), low, high


def allocate(
    items: Sequence[AllocationItem],
    *,
    total_budget: float | None = None,
    target_roas: float | None = None,
    max_change: float | None = None,
) -> Allocation:
    """The recommended daily spend per item (exactly one of total_budget / target_roas)."""
    if (total_budget is None) == (target_roas is None):
        raise ValueError("give either a total budget or a target ROAS")
    bounds = np.array([item.bounds(max_change) for item in items], dtype=float).reshape(-1, 2)
    grid = np.linspace(bounds[:, 0], bounds[:, 1], GRID_POINTS, axis=1)  # (items, points)
    values = np.stack([_estimate(item.curve, grid[i]) for i, item in enumerate(items)])
    if target_roas is not None:
        if target_roas <= 0:
            raise ValueError("the target ROAS must be positive")
        chosen = _best_response(values, grid, target_roas)
    else:
        chosen = _spend_budget(values, grid, float(total_budget), bounds)
    recommended = np.array([_at(grid[i], chosen[i]) for i in range(len(items))])
    if total_budget is not None and len(items):
        recommended = _exact_total(recommended, bounds, float(total_budget))
    current = np.array([item.current_spend for item in items])
    return Allocation(
        keys=[item.key for item in items],
        current=current,
        recommended=recommended,
        outcome_now=np.stack([it.curve.revenue(current[i]) for i, it in enumerate(items)])
        if items
        else np.zeros((0, 1)),
        outcome_after=np.stack([it.curve.revenue(recommended[i]) for i, it in enumerate(items)])
        if items
        else np.zeros((0, 1)),
        marginal_now=np.array([_marginal(it.curve, current[i]) for i, it in enumerate(items)]),
        marginal_after=np.array(
            [_marginal(it.curve, recommended[i]) for i, it in enumerate(items)]
        ),
    )


def _at(points: np.ndarray, index: float) -> float:
    return float(points[int(index)])


def _best_response(values: np.ndarray, grid: np.ndarray, price: float) -> np.ndarray:
    """Per item, the grid index maximizing outcome - price * spend (ties: the lower spend)."""
    return (values - price * grid).argmax(axis=1)


def _spend_budget(
    values: np.ndarray, grid: np.ndarray, budget: float, bounds: np.ndarray
) -> np.ndarray:
    low_total, high_total = bounds[:, 0].sum(), bounds[:, 1].sum()
    if budget < low_total - 1e-6 or budget > high_total + 1e-6:
        raise InfeasibleAllocation(
            f"the total budget {budget:,.2f} is outside what the constraints allow "
            f"({low_total:,.2f} to {high_total:,.2f} a day)"
        )
    lo, hi = 0.0, max(float(np.nanmax(np.diff(values, axis=1) / _steps(grid))), 1e-9) * 2 + 1
    best = _best_response(values, grid, hi)
    for _ in range(60):  # bisection on the common marginal return
        mid = 0.5 * (lo + hi)
        chosen = _best_response(values, grid, mid)
        spent = grid[np.arange(len(grid)), chosen].sum()
        if spent > budget:
            lo = mid
        else:
            hi, best = mid, chosen
    return _fill(values, grid, best, budget)


def _steps(grid: np.ndarray) -> np.ndarray:
    return np.maximum(np.diff(grid, axis=1), 1e-12)


def _fill(values: np.ndarray, grid: np.ndarray, chosen: np.ndarray, budget: float) -> np.ndarray:
    """Spend what the multiplier left unspent, one grid step at a time, best return first."""
    chosen = chosen.copy()
    rows = np.arange(len(grid))
    last = grid.shape[1] - 1
    for _ in range(grid.shape[1] * 4):
        left = budget - grid[rows, chosen].sum()
        if left <= 1e-9:
            break
        room = chosen < last
        if not room.any():
            break
        nxt = np.minimum(chosen + 1, last)
        gain = np.where(room, (values[rows, nxt] - values[rows, chosen]), -np.inf)
        step = grid[rows, nxt] - grid[rows, chosen]
        rate = np.where(room & (step > 0), gain / np.maximum(step, 1e-12), -np.inf)
        pick = int(rate.argmax())
        if step[pick] > left:
            break  # the remainder is placed exactly by _exact_total
        chosen[pick] += 1
    return chosen


def _exact_total(spend: np.ndarray, bounds: np.ndarray, budget: float) -> np.ndarray:
    """Close the last sub-step gap to the budget on the items with room, proportionally."""
    gap = budget - spend.sum()
    if abs(gap) < 1e-9:
        return spend
    room = bounds[:, 1] - spend if gap > 0 else spend - bounds[:, 0]
    if room.sum() <= 0:
        return spend
    return spend + np.sign(gap) * room * min(abs(gap) / room.sum(), 1.0)


def _estimate(curve: Curve, spend: np.ndarray | float) -> np.ndarray:
    """Draw 0 of a curve (the fit itself), without computing the other draws when it can."""
    estimate = getattr(curve, "estimate", None)
    return estimate(spend) if estimate is not None else curve.revenue(spend)[0]


def _marginal(curve: Curve, spend: float) -> float:
    h = max(spend * 1e-3, 1e-6)
    low = max(spend - h, 0.0)
    return float((_estimate(curve, spend + h) - _estimate(curve, low)) / (spend + h - low))


def _interval(draws: np.ndarray) -> tuple[float, float]:
    return interval(draws)


def interval(draws: np.ndarray, noise: np.ndarray | None = None) -> tuple[float, float]:
    """The 80% interval of a quantity from draws (0: the estimate, 1..: bootstrap): the
    bootstrap's spread around its median, placed around the estimate (so the interval always
    holds it), plus `noise` per draw when given (the outcome's own variation)."""
    draws = np.asarray(draws, dtype=float)
    if len(draws) < 2:
        return float(draws[0]), float(draws[0])
    spread = draws[1:] - np.median(draws[1:]) + draws[0]
    if noise is not None:
        spread = spread + noise[1:]
    low, high = np.quantile(spread, INTERVAL)
    return float(low), float(high)
