"""The CSV exports a marketer opens in a spreadsheet never hand it a formula: a customer id, a
campaign's name or id that starts with =, +, - or @ (text loaded from a customer CSV or named on
an ad platform) is written with a leading apostrophe, numbers stay numbers, and the JSON lists
keep the values as they are."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import text

from backend.models import CustomerSuspicion, RecommendationRun
from backend.services.recommendations.runs import run_csv

JANUARY = {"start": "2024-01-01", "end": "2024-01-31"}
FORMULAS = {"c1": "=HYPERLINK(1)", "c2": "+1+1", "c3": "@SUM(1)"}
CAMPAIGN = "-2+3 Spring"


def rows(answer) -> list[dict]:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def hostile_names(db, world) -> None:
    """The world's customers c1..c3 and campaign M1 renamed to what a spreadsheet would run."""
    for old, new in FORMULAS.items():
        db.session.execute(
            text("UPDATE customers SET external_id = :new WHERE external_id = :old"),
            {"new": new, "old": old},
        )
    db.session.execute(
        text("UPDATE campaigns SET name = :n WHERE id = :c"), {"n": CAMPAIGN, "c": world["m1"]}
    )
    db.session.commit()


def test_the_action_lists_quote_ids_and_names_that_would_start_a_formula(marketer, db, world):
    hostile_names(db, world)
    listed = rows(
        marketer.get(
            "/api/action-lists/likely_to_churn", query_string={**JANUARY, "min_probability": 0}
        )
    )
    assert {r["customer_id"] for r in listed} == {"'" + name for name in FORMULAS.values()}
    of_m1 = [r for r in listed if r["customer_id"] in ("'=HYPERLINK(1)", "'+1+1")]
    assert {r["campaign_name"] for r in of_m1} == {"'" + CAMPAIGN}
    assert all(float(r["churn_probability"]) >= 0 for r in listed)
    as_json = marketer.get(
        "/api/action-lists/likely_to_churn",
        query_string={**JANUARY, "min_probability": 0, "format": "json"},
    ).json
    assert {r["customer_id"] for r in as_json} == set(FORMULAS.values())


def test_the_suspected_list_quotes_them_too(marketer, db, world):
    hostile_names(db, world)
    customer_id = db.session.execute(
        text("SELECT id FROM customers WHERE external_id = :e"), {"e": FORMULAS["c2"]}
    ).scalar_one()
    db.session.add(
        CustomerSuspicion(
            customer_id=customer_id,
            score=0.9,
            reasons=["no_activity"],
            suspect=True,
            scored_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        )
    )
    db.session.commit()
    (suspect,) = rows(marketer.get("/api/action-lists/suspected", query_string=JANUARY))
    assert suspect["customer_id"] == "'+1+1" and suspect["campaign_name"] == "'" + CAMPAIGN
    assert float(suspect["suspicion"]) == 0.9


def test_the_roi_export_quotes_a_campaign_name_and_keeps_its_figures_numbers(marketer, db, world):
    hostile_names(db, world)
    answer = marketer.get(
        "/api/roi/export.csv", query_string={**JANUARY, "end": "2024-01-10", "group_by": "campaign"}
    )
    table = rows(answer)
    m1 = next(r for r in table if r["campaign_id"] == str(world["m1"]))
    assert m1["label"] == "'" + CAMPAIGN and float(m1["spend"]) == 100.0


def test_the_recommendation_export_quotes_an_item_label():
    run = RecommendationRun(
        status="ready",
        result={"items": [{"label": "=cmd", "channel_label": "@Meta", "current_spend": -1.5}]},
    )
    header, line = csv.reader(io.StringIO(run_csv(run)))
    assert line[:2] == ["'=cmd", "'@Meta"] and float(line[3]) == -1.5
