"""Recommendation runs through the API on real PostgreSQL: requested by finance and carried out
by a real Celery worker, read by every role, what-if at another budget, CSV, applied as next
month's budgets (audited) and undone; marketers read only."""

from __future__ import annotations

import csv
import io
import time

import pytest
from sqlalchemy import select

from backend.currencies import money_text
from backend.models import AuditLog, Budget, RecommendationRun, Role
from backend.services import budgets
from backend.services.recommendations import application, runs
from backend.services.recommendations.application import next_month

INSTALLS = {"outcome": "installs"}


def wait_for_run(client, run_id: int, timeout: float = 240.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/recommendations/{run_id}").get_json()
        if run["status"] in ("ready", "failed"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish")


def queued_run(db, inputs: dict) -> int:
    """A queued run whose task was not sent (this process carries it out)."""
    run = RecommendationRun(
        status="queued", trigger="request", inputs={**runs.DEFAULT_INPUTS, **inputs}
    )
    db.session.add(run)
    db.session.commit()
    return run.id


def ready_run(db, inputs: dict | None = None) -> int:
    """A run carried out in this process (the worker's own path is tested once, above)."""
    return runs.carry_out(queued_run(db, {**INSTALLS, **(inputs or {})})).id


def test_finance_requests_a_run_and_the_worker_fits_recommends_and_backtests_it(
    history, finance, marketer, celery_worker
):
    answer = finance.post("/api/recommendations", json=INSTALLS)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["status"] == "queued"
    run = wait_for_run(marketer, answer.get_json()["id"])
    assert run["status"] == "ready", run["error"]
    items = run["result"]["items"]
    assert {i["key"] for i in items} == {a.platform for a in history}
    assert {i["action"] for i in items} >= {"raise", "cut"}
    for item in items:
        assert item["reason"].startswith(item["label"])
        assert item["expected_low"] <= item["expected_outcome"] <= item["expected_high"]
    # the same total spent, up to the rounding of two sums taken in another order
    assert run["result"]["total_budget"] == pytest.approx(sum(i["current_spend"] for i in items))
    assert run["backtest"]["days"] == 28 and run["backtest"]["items"]
    assert run["model_version_id"] is None  # installs: no LTV model involved
    curve = run["curves"][0]
    assert len(curve["spend"]) == len(curve["outcome"]) == len(curve["low"]) == len(curve["high"])
    assert curve["current_spend"] > 0 and curve["recommended_spend"] > 0


def test_latest_answers_an_empty_state_until_a_run_is_ready(db, marketer):
    empty = marketer.get("/api/recommendations/latest")
    assert empty.status_code == 200
    assert empty.get_json()["run"] is None
    assert "No recommendation has been computed yet" in empty.get_json()["message"]
    run_id = queued_run(db, INSTALLS)
    queued = marketer.get("/api/recommendations/latest").get_json()
    assert queued["run"] is None and f"run {run_id}, queued" in queued["message"]


def test_reasons_name_amounts_in_the_reporting_currency_with_its_symbol():
    assert money_text(1234.5, "EUR") == "€1,234" and money_text(9.5, "GBP") == "£9.50"
    assert money_text(250, "USD") == "$250" and money_text(12, "JPY") == "¥12"


def test_marketers_read_but_cannot_request_apply_or_undo(history, db, marketer):
    run_id = ready_run(db)
    assert marketer.post("/api/recommendations", json=INSTALLS).status_code == 403
    assert marketer.post(f"/api/recommendations/{run_id}/apply").status_code == 403
    assert marketer.post(f"/api/recommendations/{run_id}/undo").status_code == 403
    latest = marketer.get("/api/recommendations/latest").get_json()
    assert latest["run"]["id"] == run_id and latest["message"] is None
    assert [r["id"] for r in marketer.get("/api/recommendations").get_json()] == [run_id]


def test_what_if_reallocates_another_total_and_refuses_an_impossible_one(history, db, finance):
    run_id = ready_run(db, {"max_change": 0.5})
    base = finance.get(f"/api/recommendations/{run_id}").get_json()["result"]
    more = finance.get(
        f"/api/recommendations/{run_id}/what-if?total_budget={base['total_budget'] * 1.3:.2f}"
    ).get_json()
    assert more["recommended"]["spend"] > base["recommended"]["spend"]
    assert more["recommended"]["outcome"] > base["recommended"]["outcome"]
    assert (
        more["recommended"]["low"] <= more["recommended"]["outcome"] <= more["recommended"]["high"]
    )
    too_much = finance.get(
        f"/api/recommendations/{run_id}/what-if?total_budget={base['total_budget'] * 3:.2f}"
    )
    assert too_much.status_code == 422
    assert "outside what the constraints allow" in too_much.get_json()["message"]
    assert finance.get(f"/api/recommendations/{run_id}/what-if?total_budget=-5").status_code == 422


def test_csv_export_has_a_line_per_item_with_its_reason(history, db, marketer):
    run_id = ready_run(db)
    answer = marketer.get(f"/api/recommendations/{run_id}/export.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert lines[0][0] == "Item" and lines[0][-1] == "Reason"
    assert len(lines) == 1 + len(history)
    assert all(line[-1] for line in lines[1:])


def test_applying_writes_next_months_budgets_and_undo_removes_them(history, db, finance):
    run_id = ready_run(db)
    applied = finance.post(f"/api/recommendations/{run_id}/apply")
    assert applied.status_code == 200, applied.get_json()
    changes = applied.get_json()["application"]["budgets"]
    assert len(changes) == len(history) and all(c["created"] for c in changes)
    stored = db.session.scalars(select(Budget)).all()
    result = finance.get(f"/api/recommendations/{run_id}").get_json()["result"]
    first, month_days = next_month()
    assert {b.period_start for b in stored} == {first}
    expected = {i["key"]: round(i["recommended_spend"] * month_days, 2) for i in result["items"]}
    assert {b.platform: float(b.amount) for b in stored} == expected
    assert finance.post(f"/api/recommendations/{run_id}/apply").status_code == 409
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"recommendation.apply", "budget.create"} <= actions
    undone = finance.post(f"/api/recommendations/{run_id}/undo")
    assert undone.status_code == 200 and undone.get_json()["undone_at"]
    db.session.expire_all()
    assert db.session.scalars(select(Budget)).all() == []
    assert "recommendation.undo" in set(db.session.scalars(select(AuditLog.action)))


def test_an_application_that_fails_part_way_writes_no_budget(history, db, make_user, monkeypatch):
    """The budgets and the run's application are one unit of work: all of them or none."""
    assert len(history) > 1
    run_id = ready_run(db)
    create, created = budgets.create_budget, []

    def create_then_fail(actor, data, **options):
        if created:
            raise RuntimeError("the connection was lost")
        created.append(create(actor, data, **options))
        return created[-1]

    monkeypatch.setattr(budgets, "create_budget", create_then_fail)
    with pytest.raises(RuntimeError):
        application.apply_run(make_user(Role.FINANCE), run_id)
    assert created, "no budget was written before the failure"
    db.session.expire_all()
    assert db.session.scalars(select(Budget)).all() == []
    assert db.session.get(RecommendationRun, run_id).applied_at is None
    assert "budget.create" not in set(db.session.scalars(select(AuditLog.action)))


def test_applying_changes_an_existing_budget_and_undo_puts_its_amount_back(history, db, finance):
    run_id = ready_run(db)
    first, _ = next_month()
    platform = history[0].platform
    made = finance.post(
        "/api/budgets",
        json={
            "name": "Existing",
            "scope": {"type": "platform", "platform": platform},
            "period": "month",
            "period_start": first.isoformat(),
            "amount": "1234.00",
        },
    )
    assert made.status_code == 201, made.get_json()
    finance.post(f"/api/recommendations/{run_id}/apply")
    budget = db.session.get(Budget, made.get_json()["id"])
    db.session.refresh(budget)
    assert float(budget.amount) != 1234.0
    finance.post(f"/api/recommendations/{run_id}/undo")
    db.session.refresh(budget)
    assert float(budget.amount) == 1234.0


def test_predicted_revenue_without_an_active_ltv_model_fails_with_the_reason(history, db):
    done = runs.carry_out(queued_run(db, {"outcome": "predicted_revenue"}))
    assert done.status == "failed"
    assert "No LTV model is active" in done.error


def test_a_request_with_both_a_total_and_a_target_is_refused(history, finance):
    answer = finance.post("/api/recommendations", json={"total_budget": 100.0, "target_roas": 1.5})
    assert answer.status_code == 422
