"""/api/budgets: finance and admin create, change and delete budgets (audited, before and
after); marketers read; input is checked; pacing comes with the budget and on its own."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from backend.models import AuditLog, Campaign
from tests.backend.budgets.conftest import each_day, mark_synced, only, write_spend


def payload(**overrides) -> dict:
    body = {
        "name": "Q4 all channels",
        "scope": {"type": "all"},
        "period": "quarter",
        "period_start": "2026-10-01",
        "amount": "90000.00",
        "currency": "USD",
        "recipients": ["cfo@example.com"],
        "target_roas": 1.2,
        "rules": {"threshold": {"enabled": True, "levels": [80, 50, 100]}},
    }
    body.update(overrides)
    return body


def test_finance_creates_a_budget_with_the_default_rules_filled_in(finance, db):
    response = finance.post("/api/budgets", json=payload())
    assert response.status_code == 201, response.json
    budget = response.json
    assert budget["scope"] == {"type": "all"}
    assert (budget["period"], budget["period_start"], budget["period_end"]) == (
        "quarter",
        "2026-10-01",
        "2026-12-31",
    )
    assert (budget["amount"], budget["currency"], budget["target_roas"]) == (
        "90000.000000",
        "USD",
        "1.2000",
    )
    assert budget["rules"]["threshold"] == {"enabled": True, "levels": [50, 80, 100]}
    assert budget["rules"]["projected_overspend"] == {"enabled": True, "tolerance_pct": 5}
    assert budget["rules"]["stale_data"] == {"enabled": True, "hours": 24}


def test_changes_are_in_the_audit_log_with_before_and_after(finance, db):
    budget_id = finance.post("/api/budgets", json=payload()).json["id"]
    response = finance.patch(f"/api/budgets/{budget_id}", json={"amount": "95000"})
    assert response.status_code == 200, response.json
    assert finance.delete(f"/api/budgets/{budget_id}").status_code == 204
    entries = db.session.query(AuditLog).filter_by(entity_type="budget").order_by(AuditLog.id)
    actions = [(e.action, e.actor_email, e.before, e.after) for e in entries]
    assert [a[:2] for a in actions] == [
        ("budget.create", finance.user.email),
        ("budget.update", finance.user.email),
        ("budget.delete", finance.user.email),
    ]
    assert actions[1][2:] == ({"amount": "90000.000000"}, {"amount": "95000"})
    assert actions[2][2]["name"] == "Q4 all channels" and actions[2][3] is None


def test_marketers_read_budgets_but_cannot_change_them(finance, marketer, db):
    budget_id = finance.post("/api/budgets", json=payload()).json["id"]
    assert marketer.get("/api/budgets").status_code == 200
    assert marketer.get(f"/api/budgets/{budget_id}").status_code == 200
    assert marketer.post("/api/budgets", json=payload()).status_code == 403
    assert marketer.patch(f"/api/budgets/{budget_id}", json={"name": "x"}).status_code == 403
    assert marketer.delete(f"/api/budgets/{budget_id}").status_code == 403


def test_an_account_scope_takes_its_platform_from_the_account(admin, db, account):
    response = admin.post(
        "/api/budgets",
        json=payload(scope={"type": "account", "account_id": account.id}, period="month"),
    )
    assert response.status_code == 201, response.json
    assert response.json["scope"] == {
        "type": "account",
        "platform": "meta",
        "account_id": account.id,
        "account_name": account.name,
    }


def test_a_campaign_scope_accepts_the_id_as_a_string(admin, db, account):
    write_spend(db, account, {dt.date(2026, 10, 1): 10}, campaign="c9")
    campaign = db.session.query(Campaign).one()
    scope = {"type": "campaign", "platform": "meta", "campaign_id": str(campaign.id)}
    response = admin.post("/api/budgets", json=payload(scope=scope, period="month"))
    assert response.status_code == 201, response.json
    assert response.json["scope"]["account_id"] == account.id
    assert response.json["scope"]["campaign_name"] == "Campaign c9"


def test_invalid_budgets_are_refused_naming_the_field(finance, db, account):
    cases = [
        (payload(currency="EUR"), "currency"),
        (payload(period_start="2026-11-01"), "period_start"),
        (payload(period="month", period_start="2026-10-15"), "period_start"),
        (payload(amount="0"), "amount"),
        (payload(amount="1000000000000.01"), "amount"),
        (payload(amount="0.001"), "amount"),
        (payload(target_roas="0"), "target_roas"),
        (payload(target_roas="10000.5"), "target_roas"),
        (payload(recipients=["not an address"]), "recipients"),
        (payload(scope={"type": "account", "account_id": 999999}), "scope.account_id"),
        (
            payload(scope={"type": "account", "account_id": account.id, "platform": "google_ads"}),
            "scope.platform",
        ),
        (payload(scope={"type": "platform"}), "scope.platform"),
        (payload(rules={"threshold": {"enabled": True, "levels": [0]}}), "rules"),
    ]
    for body, field in cases:
        response = finance.post("/api/budgets", json=body)
        assert response.status_code == 422, (body, response.json)
        assert field in str(response.json.get("errors")), (field, response.json)
    assert db.session.execute(text("SELECT count(*) FROM budgets")).scalar() == 0


def test_pacing_comes_with_the_budget_and_on_its_own(finance, db, account):
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=3)).replace(day=1)
    write_spend(db, account, each_day(start - dt.timedelta(days=70), today, 100))
    body = payload(period="month", period_start=start.isoformat(), amount="3000")
    budget_id = finance.post("/api/budgets", json=body).json["id"]
    pacing = finance.get(f"/api/budgets/{budget_id}/pacing").json
    as_of = today - dt.timedelta(days=1)
    elapsed = (as_of - start).days + 1
    assert pacing["as_of"] == as_of.isoformat()
    assert pacing["spend_to_date"] == f"{100 * elapsed:.2f}"
    assert pacing["method"] in ("seasonal", "linear")
    assert set(pacing["mape"]) == {"seasonal", "linear"}
    assert set(pacing["mape"]["linear"]) == {"d5", "d10", "d20"}
    assert [p["date"] for p in pacing["series"]][-1] == as_of.isoformat()
    assert pacing["series"][-1]["cumulative"] == pacing["spend_to_date"]
    listed = finance.get("/api/budgets").json
    assert listed[0]["pacing"]["spend_to_date"] == pacing["spend_to_date"]


def test_pacing_says_through_which_day_the_spend_is_in(finance, db, account, make_account):
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=3)).replace(day=1)
    write_spend(db, account, each_day(start - dt.timedelta(days=40), today, 100))
    body = payload(period="month", period_start=start.isoformat(), amount="3000")
    budget_id = finance.post("/api/budgets", json=body).json["id"]
    # never synced: the last complete day (of the period)
    yesterday = today - dt.timedelta(days=1)
    period_last = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    never_synced = finance.get(f"/api/budgets/{budget_id}/pacing").json
    assert never_synced["data_through"] == min(yesterday, period_last).isoformat()
    # one account of the scope reports late: fetched through three days ago
    late = make_account(external_id="act_2")
    mark_synced(db, account, yesterday, dt.datetime.now(dt.UTC))
    mark_synced(db, late, today - dt.timedelta(days=3), dt.datetime.now(dt.UTC))
    pacing = finance.get(f"/api/budgets/{budget_id}/pacing").json
    assert pacing["as_of"] == min(yesterday, period_last).isoformat()
    assert pacing["data_through"] == (today - dt.timedelta(days=3)).isoformat()
    assert finance.get("/api/budgets").json[0]["pacing"]["data_through"] == pacing["data_through"]


def test_a_budget_set_through_the_api_is_judged_at_once(finance, db, account):
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=3)).replace(day=1)
    write_spend(db, account, each_day(start, today, 1000))
    body = payload(
        period="month",
        period_start=start.isoformat(),
        amount="100",
        rules=only("threshold", levels=[100]),
    )
    finance.post("/api/budgets", json=body)
    alerts = finance.get("/api/alerts").json
    assert [(a["rule"], a["level"], a["state"]) for a in alerts] == [("threshold", "100", "open")]
    # a line to read in the list; the whole message stays beside it
    assert alerts[0]["summary"] == "Spend of Q4 all channels crossed 100% of its budget"
    assert alerts[0]["message"].startswith(alerts[0]["summary"] + ": ")
    queued = db.session.execute(text("SELECT recipient, status FROM mail_outbox")).all()
    assert queued == [("cfo@example.com", "pending")]


def test_a_target_roas_given_with_a_new_budget_turns_its_rule_on(finance, db):
    response = finance.post("/api/budgets", json=payload(target_roas=1.0))
    assert response.status_code == 201, response.json
    assert response.json["rules"]["predicted_roas"] == {"enabled": True, "min_customers": 50}
    without = finance.post("/api/budgets", json=payload(target_roas=None))
    assert without.json["rules"]["predicted_roas"]["enabled"] is False


def test_setting_a_target_on_an_existing_budget_turns_its_rule_on(finance, db):
    created = finance.post("/api/budgets", json=payload(target_roas=None)).json
    assert created["rules"]["predicted_roas"]["enabled"] is False
    changed = finance.patch(f"/api/budgets/{created['id']}", json={"target_roas": 0.8})
    assert changed.status_code == 200, changed.json
    assert changed.json["rules"]["predicted_roas"]["enabled"] is True
    # the rule, once switched off with a target in place, stays off when the target changes
    off = {"rules": {"predicted_roas": {"enabled": False}}}
    finance.patch(f"/api/budgets/{created['id']}", json=off)
    again = finance.patch(f"/api/budgets/{created['id']}", json={"target_roas": 0.9})
    assert again.json["rules"]["predicted_roas"]["enabled"] is False


def test_a_change_that_sets_a_target_and_switches_the_rule_off_keeps_it_off(finance, db):
    created = finance.post("/api/budgets", json=payload(target_roas=None)).json
    body = {"target_roas": 0.8, "rules": {"predicted_roas": {"enabled": False}}}
    changed = finance.patch(f"/api/budgets/{created['id']}", json=body)
    assert changed.json["rules"]["predicted_roas"]["enabled"] is False
