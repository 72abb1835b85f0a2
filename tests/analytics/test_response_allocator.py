"""The allocator: budget and target-ROAS modes, constraints, and the recommendation's reasons."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.response import (
    AllocationItem,
    FittedItem,
    InfeasibleAllocation,
    ItemConstraint,
    ResponseCurve,
    allocate,
    build_recommendation,
)


def curve(beta: float, half: float, shape: float = 1.0) -> ResponseCurve:
    return ResponseCurve(*(np.array([v]) for v in (beta, half, shape, 0.3)))


#: "saturated" earns little at the margin; "room" a lot.
CURVES = {"saturated": curve(300.0, 50.0), "room": curve(2000.0, 400.0), "mid": curve(900.0, 150.0)}


def items(**constraints: ItemConstraint) -> list[AllocationItem]:
    return [
        AllocationItem(key, c, 100.0, 150.0, constraints.get(key, ItemConstraint()))
        for key, c in CURVES.items()
    ]


def total_revenue(allocation) -> float:
    return float(allocation.outcome_after[:, 0].sum())


def test_budget_mode_spends_the_budget_and_beats_every_nearby_allocation():
    result = allocate(items(), total_budget=300.0)
    assert result.recommended.sum() == pytest.approx(300.0)
    best = total_revenue(result)
    rng = np.random.default_rng(0)
    for _ in range(200):  # moving money between two items never helps
        i, j = rng.choice(3, 2, replace=False)
        moved = result.recommended.copy()
        step = min(moved[i], 5.0)
        moved[i] -= step
        moved[j] += step
        revenue = sum(c.revenue(moved[k])[0] for k, c in enumerate(CURVES.values()))
        assert revenue <= best + 1e-6


def test_budget_moves_from_the_saturated_item_to_the_one_with_room():
    result = allocate(items(), total_budget=300.0)
    spend = dict(zip(result.keys, result.recommended, strict=True))
    assert spend["saturated"] < 100.0 < spend["room"]
    assert result.marginal_now[0] < result.marginal_now[1]


def test_a_locked_item_keeps_its_spend():
    result = allocate(items(saturated=ItemConstraint(locked=True)), total_budget=300.0)
    assert result.recommended[0] == pytest.approx(100.0)
    assert result.recommended.sum() == pytest.approx(300.0)


def test_minimum_maximum_and_maximum_change_hold():
    constrained = items(saturated=ItemConstraint(minimum=80.0), room=ItemConstraint(maximum=130.0))
    result = allocate(constrained, total_budget=300.0, max_change=0.25)
    spend = dict(zip(result.keys, result.recommended, strict=True))
    assert spend["saturated"] >= 80.0 - 1e-9
    assert spend["room"] <= 125.0 + 1e-9  # the ±25% bound is tighter than the maximum
    assert all(75.0 - 1e-9 <= s <= 125.0 + 1e-9 for s in result.recommended)
    assert result.recommended.sum() == pytest.approx(300.0)


def test_impossible_constraints_are_refused_with_the_reason():
    with pytest.raises(InfeasibleAllocation, match="outside what the constraints allow"):
        allocate(items(), total_budget=1000.0, max_change=0.1)
    with pytest.raises(InfeasibleAllocation, match="minimum"):
        allocate(items(room=ItemConstraint(minimum=500.0, maximum=100.0)), total_budget=300.0)


def test_target_roas_raises_spend_wherever_the_marginal_roas_exceeds_the_target():
    target = 2.0
    result = allocate(items(), target_roas=target)
    for i in range(3):
        if result.marginal_now[i] > target:
            assert result.recommended[i] > result.current[i]
        else:
            assert result.recommended[i] < result.current[i]
    interior = (result.recommended > 0) & (result.recommended < 225.0)
    np.testing.assert_allclose(result.marginal_after[interior], target, rtol=0.05)


def test_target_roas_mode_spends_more_when_the_target_is_lower():
    low = allocate(items(), target_roas=1.0).recommended.sum()
    high = allocate(items(), target_roas=3.0).recommended.sum()
    assert low > high


def test_recommendation_gives_each_item_figures_and_one_reason():
    fitted = {key: FittedItem(key, key, c, 100.0, 150.0) for key, c in CURVES.items()}
    names = {"saturated": "Meta", "room": "Apple Search Ads", "mid": "Google Ads"}
    result = build_recommendation(fitted, total_budget=300.0, label=names.get)
    rows = {row["key"]: row for row in result["items"]}
    assert rows["saturated"]["action"] == "cut" and rows["room"]["action"] == "raise"
    cut = rows["saturated"]["reason"]
    assert cut.startswith("Meta is saturated: its last $10.00 a day brought $")
    assert "Apple Search Ads' last $10.00 brought $" in cut
    assert rows["room"]["reason"].startswith("Apple Search Ads has room to grow")
    for row in rows.values():
        assert row["expected_low"] <= row["expected_outcome"] <= row["expected_high"]
    assert result["recommended"]["outcome"] > result["current"]["outcome"]
    assert result["gain"]["outcome"] > 0
