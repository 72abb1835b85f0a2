"""The reallocation-opportunity rule: off by default; on, it fires while the latest ready
recommendation expects more than the set share of extra revenue, and names its reasons."""

from __future__ import annotations

import datetime as dt

from backend.models import Alert, RecommendationRun
from backend.services.alerts.evaluation import evaluate_all
from backend.services.alerts.rules import BY_NAME
from tests.backend.budgets.conftest import only

NOW = dt.datetime(2026, 10, 21, 12, tzinfo=dt.UTC)


def store_run(db, gain_share: float) -> RecommendationRun:
    """A ready run as the worker stores it (only what the rule reads)."""
    item = {
        "action": "cut",
        "current_spend": 200.0,
        "recommended_spend": 120.0,
        "reason": "Meta is saturated: its last $10.00 a day brought $3.06.",
    }
    run = RecommendationRun(
        status="ready",
        trigger="schedule",
        inputs={},
        result={"items": [item], "gain": {"outcome": 42.0, "low": 30.0, "high": 55.0}},
        expected_gain_share=gain_share,
    )
    db.session.add(run)
    db.session.commit()
    return run


def alerts(db) -> list[Alert]:
    db.session.expire_all()
    return db.session.query(Alert).filter(Alert.rule == "reallocation_opportunity").all()


def test_the_rule_is_off_by_default():
    assert BY_NAME["reallocation_opportunity"].default_config()["enabled"] is False


def test_it_fires_when_the_expected_gain_exceeds_the_share_and_says_why(db, make_budget):
    make_budget(rules=only("reallocation_opportunity", min_gain_pct=5))
    run = store_run(db, 0.08)
    evaluate_all(NOW)
    (alert,) = alerts(db)
    assert alert.figures["run"] == run.id and alert.figures["expected_gain_pct"] == 8.0
    assert "8% more predicted revenue" in alert.message
    assert "Meta is saturated" in alert.message


def test_it_stays_quiet_under_the_share_and_without_a_run(db, make_budget):
    make_budget(rules=only("reallocation_opportunity", min_gain_pct=5))
    evaluate_all(NOW)
    assert alerts(db) == []
    store_run(db, 0.02)
    evaluate_all(NOW)
    assert alerts(db) == []
