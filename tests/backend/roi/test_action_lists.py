"""/api/action-lists on the ROI tests' small world: the customers likely to churn by the active
churn model's outputs, of a range, a platform or a campaign; the refusals."""

from __future__ import annotations

import csv
import io

import pytest

from backend.models import Role

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


def test_nobody_is_suspected_before_traffic_quality_has_judged_anyone(marketer, world):
    assert listed(marketer, "suspected") == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETER, Role.FINANCE])
def test_every_signed_in_role_exports_the_lists_like_the_other_customer_exports(
    client_for, world, role
):
    assert client_for(role).get("/api/action-lists/suspected").status_code == 200


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
