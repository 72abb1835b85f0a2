"""/api/action-lists on the ROI tests' small world: the customers likely to churn by the active
churn model's outputs, likely to pay by the active first-purchase version's stored outputs, of a
range, a platform or a campaign; the refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.models import ModelKind, ModelOutput, ModelVersion, Role
from backend.services.predictions import versions

from .conftest import add_customer

JANUARY = {"start": "2024-01-01", "end": "2024-01-31"}


def listed(client, kind: str, **query) -> list[dict]:
    answer = client.get(f"/api/action-lists/{kind}", query_string={**JANUARY, **query})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv" and answer.is_streamed
    assert "attachment" in answer.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_likely_to_churn_lists_the_customers_at_or_above_the_level_most_likely_first(
    marketer, world
):
    rows = listed(marketer, "likely_to_churn")
    assert [(r["customer_id"], r["churn_probability"]) for r in rows] == [
        ("c2", "0.6"),
        ("c3", "0.5"),
    ]
    assert rows[0]["campaign_external_id"] == "M1" and rows[0]["campaign_name"] == "Campaign M1"
    assert [r["customer_id"] for r in listed(marketer, "likely_to_churn", min_probability=0.1)] == [
        "c2",
        "c3",
        "c1",
    ]


def test_a_list_is_of_one_campaign_or_platform_when_asked(marketer, world):
    of_m1 = listed(marketer, "likely_to_churn", campaign_id=world["m1"], min_probability=0)
    assert {r["customer_id"] for r in of_m1} == {"c1", "c2"}
    of_google = listed(marketer, "likely_to_churn", platform="google_ads")
    assert [r["customer_id"] for r in of_google] == ["c3"]
    by_external = listed(
        marketer,
        "likely_to_churn",
        account_id=world["meta"].id,
        campaign_external_id="M1",
        min_probability=0,
    )
    assert {r["customer_id"] for r in by_external} == {"c1", "c2"}


def test_the_json_list_has_the_csv_columns(marketer, world):
    answer = marketer.get(
        "/api/action-lists/likely_to_churn", query_string={**JANUARY, "format": "json"}
    )
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert [r["customer_id"] for r in answer.json] == ["c2", "c3"]
    assert set(answer.json[0]) == {
        "customer_id", "platform", "campaign_external_id", "campaign_name", "acquired_at",
        "churn_probability",
    }  # fmt: skip


def first_purchase_version(db, world, *, active: bool = True) -> ModelVersion:
    """A stored first-purchase version scored on 2024-01-10: c5 and c6 (not paid) likely and
    unlikely to pay; c1 (paid) at 1, as a training stores the paid."""
    add_customer(db, "c6", dt.date(2024, 1, 6), "meta", world["meta"].id, world["m1"])
    version = ModelVersion(
        kind=ModelKind.FIRST_PURCHASE.value,
        algorithm="logistic",
        status="ready",
        is_active=False,
        trained_at=dt.datetime(2024, 1, 11, 3, tzinfo=dt.UTC),
        params={"scored_as_of": "2024-01-10"},
        metrics={},
        source="spendlens",
    )
    db.session.add(version)
    db.session.flush()
    ids = dict(db.session.execute(text("SELECT external_id, id FROM customers")).all())
    for external_id, p7, p30 in (("c5", "0.55", "0.8"), ("c6", "0.1", "0.2"), ("c1", "1", "1")):
        db.session.add(
            ModelOutput(
                model_version_id=version.id,
                customer_id=ids[external_id],
                p_first_purchase_7=Decimal(p7),
                p_first_purchase_30=Decimal(p30),
            )
        )
    db.session.commit()
    if active:
        versions._make_active(version)
        db.session.commit()
    return version


def test_likely_to_pay_reads_the_active_first_purchase_versions_outputs_naming_it(
    marketer, db, world
):
    version = first_purchase_version(db, world)
    rows = listed(marketer, "likely_to_pay")
    assert [
        (r["customer_id"], r["p_first_purchase_7d"], r["p_first_purchase_30d"]) for r in rows
    ] == [("c5", "0.55", "0.8")]  # c1 paid; c6 under the level
    assert {(r["model_version_id"], r["scored_as_of"]) for r in rows} == {
        (str(version.id), "2024-01-10")
    }
    everyone = listed(marketer, "likely_to_pay", min_probability=0)
    assert [r["customer_id"] for r in everyone] == ["c5", "c6"]  # likeliest first; never c1
    as_json = marketer.get(
        "/api/action-lists/likely_to_pay", query_string={**JANUARY, "format": "json"}
    )
    assert as_json.json == [
        {
            "customer_id": "c5", "platform": "meta", "campaign_external_id": "",
            "campaign_name": "", "acquired_at": "2024-01-04T10:00:00+00:00",
            "p_first_purchase_7d": 0.55, "p_first_purchase_30d": 0.8,
            "model_version_id": version.id, "scored_as_of": "2024-01-10",
        }
    ]  # fmt: skip


def test_likely_to_pay_is_refused_until_a_first_purchase_model_is_active(marketer, db, world):
    first_purchase_version(db, world, active=False)  # stored, not active
    answer = marketer.get("/api/action-lists/likely_to_pay", query_string=JANUARY)
    assert answer.status_code == 422
    assert "first-purchase model must be trained" in answer.json["message"]
    assert answer.json["errors"] == {"kind": [answer.json["message"]]}


def test_nobody_is_suspected_before_traffic_quality_has_judged_anyone(marketer, world):
    assert listed(marketer, "suspected") == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETER, Role.FINANCE])
def test_every_signed_in_role_exports_the_lists_like_the_other_customer_exports(
    client_for, world, role
):
    assert client_for(role).get("/api/action-lists/suspected").status_code == 200


def test_likely_to_churn_is_refused_while_no_churn_model_is_active(marketer, db, world):
    assert listed(marketer, "likely_to_churn")  # the world's LTV version gives churn
    db.session.execute(text("UPDATE model_versions SET is_active = false"))
    db.session.commit()
    answer = marketer.get("/api/action-lists/likely_to_churn", query_string=JANUARY)
    assert answer.status_code == 422
    assert "churn model must be trained" in answer.json["message"]
    assert answer.json["errors"] == {"kind": [answer.json["message"]]}


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/action-lists/everyone", {}, "kind"),
        ("/api/action-lists/suspected", {"min_probability": 2}, "min_probability"),
        ("/api/action-lists/suspected", {"start": "2024-02-01", "end": "2024-01-01"}, "end"),
        ("/api/action-lists/suspected", {"format": "xml"}, "format"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(marketer, db, path, query, field):
    answer = marketer.get(path, query_string=query)
    assert answer.status_code == 422
    assert field in answer.get_data(as_text=True)


def test_anonymous_callers_are_refused(client):
    assert client.get("/api/action-lists/suspected").status_code == 401
