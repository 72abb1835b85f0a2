"""The alert rules as one list: the API serves it (documented in OpenAPI), the budget API
validates each rule with the rule's own schema, and the dashboard's test fixture is the API's
answer (so the front end's tests speak of the rules that exist)."""

from __future__ import annotations

import json
from pathlib import Path

from backend.services.alerts import rules
from tests.backend.budgets.test_budgets_api import payload

FIXTURE = Path(__file__).resolve().parents[3] / "frontend" / "src" / "test" / "alertRules.json"


def test_every_role_reads_the_rules_in_the_order_of_the_form(marketer):
    response = marketer.get("/api/alerts/rules")
    assert response.status_code == 200
    listed = response.json
    assert [r["name"] for r in listed] == [rule.name for rule in rules.RULES]
    threshold = listed[0]
    assert threshold["label"] == "Budget threshold crossed"
    assert threshold["defaults"] == {"enabled": True, "levels": [50, 80, 100]}
    levels = threshold["parameters"]["properties"]["levels"]
    assert levels["items"] == {"type": "number", "minimum": 1, "maximum": 1000}
    assert (levels["title"], levels["x-unit"], levels["maxItems"]) == ("At", "% of budget", 10)
    assert "enabled" not in threshold["parameters"]["properties"]


def test_the_predicted_roas_rule_needs_a_target_and_starts_off(marketer):
    listed = {r["name"]: r for r in marketer.get("/api/alerts/rules").json}
    roas = listed["predicted_roas"]
    assert roas["needs_target_roas"] is True and roas["enabled_by_default"] is False
    for name in ("threshold", "projected_overspend", "anomaly", "stale_data", "credentials"):
        assert listed[name]["enabled_by_default"] is True
        assert listed[name]["needs_target_roas"] is False


def test_the_openapi_document_describes_the_list_and_each_rules_configuration(client):
    spec = client.get("/api/openapi.json").json
    assert "/api/alerts/rules" in spec["paths"]
    schemas = spec["components"]["schemas"]
    nested = schemas["Rules"]["properties"]
    assert set(nested) == {rule.name for rule in rules.RULES}
    stale = schemas["StaleDataRule"]["properties"]
    assert stale["hours"]["maximum"] == 24 * 31 and stale["enabled"]["type"] == "boolean"


def test_a_rule_parameter_out_of_its_range_is_refused_with_its_path(finance):
    body = payload(rules={"stale_data": {"enabled": True, "hours": 0}})
    response = finance.post("/api/budgets", json=body)
    assert response.status_code == 422
    assert "hours" in response.json["errors"]["rules"]["stale_data"]


def test_labels_come_from_the_rules_and_an_unknown_rule_keeps_its_name():
    assert rules.label("stale_data") == "Stale data"
    assert rules.label("retired_rule") == "retired_rule"
    assert rules.figure_label("stale_accounts") == "Accounts"
    assert rules.figure_label("new_figure") == "New figure"


def test_a_figure_shows_its_value_as_its_rule_declares():
    assert rules.figure("projected_over").text("1234.5", "EUR") == "EUR 1,234.50"
    assert rules.figure("level_pct").text(80, "EUR") == "80%"
    assert rules.figure("tolerance_pct").text(2.5, "EUR") == "2.5%"
    assert rules.figure("spent_pct").text(83.44, "EUR") == "83.4%"
    assert rules.figure("predicted_roas").text(1.25, "EUR") == "125.0%"
    assert rules.figure("stale_accounts").text("Meta EU", "EUR") == "Meta EU"
    assert rules.figure("projected").text(10, "EUR") is None  # the pacing block shows it
    assert rules.figure("budget").text(None, "EUR") is None
    assert rules.figure("retired_figure").text(3, "EUR") == "3"


def test_a_figure_two_rules_add_means_one_thing():
    """The mail shows a figure by its key: a rule that adds a figure the base or another rule
    declares declares it alike."""
    declared = [rules.BASE_FIGURES, *(rule.figures for rule in rules.RULES)]
    seen: dict[str, rules.Figure] = {}
    for figures in declared:
        for key, figure in figures.items():
            assert seen.setdefault(key, figure) == figure, key


def test_the_dashboards_fixture_says_what_the_api_says_of_each_rule_it_lists():
    """The front end's tests and mock server read the rules from this fixture. A rule added
    since needs no change there (the form is built from whatever the API lists); one changed
    does. Regenerate: python -c 'import json; from backend.services.alerts import rules;
    print(json.dumps(rules.catalog(), indent=2))' > frontend/src/test/alertRules.json"""
    served = {r["name"]: r for r in json.loads(json.dumps(rules.catalog()))}
    fixture = json.loads(FIXTURE.read_text())
    assert fixture, "the fixture lists no rule"
    for rule in fixture:
        assert rule == served.get(rule["name"]), f"regenerate the fixture: {rule['name']}"
