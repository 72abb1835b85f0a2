"""/api/roi, /api/roi/export.csv, /api/overview and /api/cohorts: shapes, validation errors that
name the field, access for every signed-in role, and the CSV content."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from backend.models import Role
from tests.backend.roi.conftest import typed

RANGE = {"start": "2024-01-01", "end": "2024-01-10"}
ROW_METRICS = {
    "spend", "impressions", "clicks", "installs", "cpi", "customers", "cac", "revenue",
    "revenue_d7", "revenue_d30", "d7_complete", "d30_complete", "roas", "predicted_ltv",
    "predicted_roas", "ltv_cac", "payback_days", "churn_rate", "suspects", "suspect_share",
    "cac_excluding_suspects", "roas_excluding_suspects",
}  # fmt: skip
#: How far to trust the predicted figures (the active LTV version's backtest at the range's age).
ACCURACY = {"accuracy", "predicted_roas_interval", "ltv_cac_accuracy", "payback_accuracy"}
#: Expected payers and the early predicted ROAS of the range's young days (null: none).
EARLY = {"early", "prediction"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETER, Role.FINANCE])
@pytest.mark.parametrize(
    "url", ["/api/roi", "/api/roi/export.csv", "/api/overview", "/api/cohorts"]
)
def test_every_signed_in_role_reads_the_reports(client_for, db, role, url):
    assert client_for(role).get(url, query_string=RANGE).status_code == 200


@pytest.mark.parametrize("url", ["/api/roi", "/api/roi/export.csv", "/api/overview"])
def test_anonymous_callers_are_refused(client, url):
    assert client.get(url, query_string=RANGE).status_code == 401


def test_roi_answers_the_documented_shape(marketer, world):
    body = marketer.get("/api/roi", query_string={**RANGE, "group_by": "campaign"}).json
    assert set(body) >= {
        "currency", "group_by", "start", "end", "rows", "totals", "note", "churn_accuracy",
        "age_days", "early_range", "first_purchase_model",
    }  # fmt: skip
    assert body["currency"] == "USD" and body["start"] == "2024-01-01"
    for row in body["rows"]:
        assert set(row) >= {"key", "label"} | ROW_METRICS | ACCURACY | EARLY
    assert set(body["totals"]) == ROW_METRICS | ACCURACY | EARLY
    m1 = next(r for r in body["rows"] if r["label"] == "Campaign M1")
    assert m1["spend"] == 100.0 and m1["campaign_id"] == world["m1"]


BAD_RANGES = [
    ({"end": "2024-01-10"}, "start"),
    ({"start": "2024-01-01"}, "end"),
    ({"start": "2024-13-01", "end": "2024-01-10"}, "start"),
    ({"start": "yesterday", "end": "2024-01-10"}, "start"),
    ({"start": "2024-01-10", "end": "2024-01-01"}, "end"),
    ({"start": "2020-01-01", "end": "2024-01-01"}, "end"),
]
BAD_FILTERS = [
    ({**RANGE, "group_by": "planet"}, "group_by"),
    ({**RANGE, "horizon": "45"}, "horizon"),
    ({**RANGE, "platform": "myspace"}, "platform"),
    ({**RANGE, "account_id": "x"}, "account_id"),
    ({**RANGE, "campaign_id": "99999999999999999999999"}, "campaign_id"),
]


@pytest.mark.parametrize(("query", "field"), BAD_RANGES + BAD_FILTERS)
@pytest.mark.parametrize("url", ["/api/roi", "/api/roi/export.csv"])
def test_bad_roi_requests_are_422_naming_the_field(marketer, url, query, field):
    response = marketer.get(url, query_string=query)
    assert response.status_code == 422, response.data
    assert field in response.json["errors"], response.json


@pytest.mark.parametrize(("query", "field"), BAD_RANGES)
@pytest.mark.parametrize("url", ["/api/overview", "/api/cohorts"])
def test_bad_ranges_are_422_naming_the_field(marketer, url, query, field):
    response = marketer.get(url, query_string=query)
    assert response.status_code == 422, response.data
    assert field in response.json["errors"], response.json


def test_cohorts_validate_the_grain(marketer):
    response = marketer.get("/api/cohorts", query_string={**RANGE, "cohort": "year"})
    assert response.status_code == 422 and "cohort" in response.json["errors"]


def test_hour_answers_no_rows_and_a_note(marketer, world):
    body = marketer.get("/api/roi", query_string={**RANGE, "group_by": "hour"}).json
    assert body["rows"] == [] and "daily" in body["note"]


def test_csv_export_is_the_same_table_with_a_total_line(marketer, world):
    query = {**RANGE, "group_by": "platform"}
    response = marketer.get("/api/roi/export.csv", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "roi_platform_2024-01-01_2024-01-10.csv" in response.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [line["key"] for line in lines] == ["google_ads", "meta", "total"]
    meta = lines[1]
    assert meta["label"] == "Meta Ads" and meta["currency"] == "USD"
    assert meta["spend"] == "150.0" and meta["revenue"] == "61.0" and meta["installs"] == "60"
    assert meta["d7_complete"] == "true" and meta["payback_days"] == ""
    assert lines[2]["spend"] == "370.0" and lines[2]["customers"] == "4"
    report = marketer.get("/api/roi", query_string=query).json
    assert lines[0]["roas"] == str(report["rows"][0]["roas"])


def test_csv_marks_an_incomplete_cohort_with_an_empty_cell(marketer, world, db):
    from tests.backend.roi.conftest import add_customer

    today = dt.datetime.now(dt.UTC).date()
    add_customer(db, "young", today - dt.timedelta(days=2), "meta", world["meta"].id)
    db.session.commit()
    query = {"start": str(today - dt.timedelta(days=3)), "end": str(today)}
    lines = list(
        csv.DictReader(
            io.StringIO(marketer.get("/api/roi/export.csv", query_string=query).get_data(True))
        )
    )
    total = lines[-1]
    assert total["customers"] == "1" and total["revenue"] == "0.0"
    assert total["d7_complete"] == "false" and total["revenue_d7"] == ""


def test_overview_compares_with_the_preceding_range(marketer, world):
    body = marketer.get("/api/overview", query_string=RANGE).json
    assert body["currency"] == "USD"
    current, previous = body["current"], body["previous"]
    assert set(current) >= {"spend", "revenue", "roas", "predicted_roas", "installs", "cpi",
                            "customers", "cac", "accuracy", "predicted_roas_interval"}  # fmt: skip
    assert (current["spend"], current["revenue"], current["customers"]) == (370.0, 161.0, 4)
    assert previous["start"] == "2023-12-22" and previous["end"] == "2023-12-31"
    assert previous["spend"] == 0.0 and previous["roas"] is None
    assert body["open_alerts"] == 0
    assert {f["name"] for f in body["freshness"]} == {"Meta US", "Google EU"}
    assert set(body["freshness"][0]) >= {
        "account_id", "name", "platform", "last_success_at", "freshness_hours"
    }  # fmt: skip


def test_overview_series_adds_up_to_the_totals(marketer, world):
    series = marketer.get("/api/overview", query_string=RANGE).json["series"]
    assert len({(p["date"], p["platform"]) for p in series}) == len(series) == 20
    assert sum(p["spend"] for p in series) == pytest.approx(370.0)
    assert sum(p["revenue"] for p in series) == pytest.approx(161.0)
    jan3 = next(p for p in series if p["date"] == "2024-01-03" and p["platform"] == "google_ads")
    assert (jan3["spend"], jan3["revenue"]) == (22.0, 100.0)


def test_overview_series_revenue_without_a_rate_is_unknown_not_smaller(marketer, world, db):
    from backend.models import Customer
    from tests.backend.roi.conftest import pay

    c1 = db.session.query(Customer).filter_by(external_id="c1").one()
    day = c1.acquisition_date.isoformat()
    pay(db, c1, dt.date(2024, 1, 3), "5", currency="JPY", reporting="missing")
    db.session.commit()
    series = marketer.get("/api/overview", query_string=RANGE).json["series"]
    unknown = [(p["date"], p["platform"]) for p in series if p["revenue"] is None]
    assert unknown == [(day, "meta")]
    jan3 = next(p for p in series if p["date"] == "2024-01-03" and p["platform"] == "google_ads")
    assert jan3["revenue"] == 100.0


def test_cohorts_by_week_and_platform(marketer, world):
    body = marketer.get("/api/cohorts", query_string={**RANGE, "cohort": "week"}).json
    assert body["currency"] == "USD"
    assert body["model"]["algorithm"] == "mbgnbd_gg" and body["model"]["kind"] == "ltv"
    assert body["model"]["metrics"] == {"normalized_gini": 0.61, "churn_auc": 0.8}
    cohorts = {(c["cohort"], c["platform"]): c for c in body["cohorts"]}
    assert set(cohorts) == {
        ("2024-01-01", "google_ads"), ("2024-01-01", "meta"),
        ("2024-01-08", "google_ads"), ("2024-01-08", "meta"),
    }  # fmt: skip
    google = cohorts[("2024-01-01", "google_ads")]
    assert (google["customers"], google["spend"]) == (1, 154.0)  # 7 days x 22
    assert google["roas_actual"] == pytest.approx(100 / 154, abs=1e-4)
    assert google["roas_predicted"] == pytest.approx(400 / 154, abs=1e-4)
    first = google["curve"][0]
    assert first == {"day": 1, "revenue": 100.0, "predicted": None}
    # c3 bought once, on day 0, and has not for far more than 90 days: its lifetime ended on day 0
    assert google["survival"][:2] == [
        {"day": 0, "p": 1.0, "observed": True},
        {"day": 1, "p": 0.0, "observed": True},
    ]
    assert google["churn_drivers"] == [] and "payback_accuracy" in google
    meta = cohorts[("2024-01-01", "meta")]
    assert (meta["customers"], meta["spend"]) == (3, 105.0)
    assert meta["churn_rate"] == 0.4
    assert cohorts[("2024-01-08", "meta")]["customers"] == 0


def test_the_overview_status_is_what_its_schema_documents(marketer, world):
    """The open alerts and freshness are read and dumped directly on every request."""
    from backend.api.roi import _OVERVIEW_STATUS, OverviewSchema
    from backend.services.roi.overview import overview_status

    body = marketer.get("/api/overview", query_string=RANGE).json
    documented = OverviewSchema(only=_OVERVIEW_STATUS).dump(overview_status())
    assert documented["freshness"]
    assert {k: body[k] for k in _OVERVIEW_STATUS} == json.loads(json.dumps(documented))


def test_a_status_with_a_last_success_is_dumped_as_its_schema_does():
    from backend.api.roi import _OVERVIEW_STATUS, OverviewSchema, _dumps

    status = {
        "open_alerts": 2,
        "freshness": [
            {"account_id": 1, "name": "Meta US", "platform": "meta", "status": "active",
             "last_success_at": dt.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC),
             "freshness_hours": 1.25, "data_through": dt.date(2024, 1, 1), "last_error": None}
        ],
    }  # fmt: skip
    documented = OverviewSchema(only=_OVERVIEW_STATUS).dump(status)
    assert_same_json(_dumps(status), json.dumps(documented))


@pytest.mark.parametrize("group_by", ["platform", "campaign", "hour"])
def test_the_roi_body_is_what_its_schema_documents(marketer, world, group_by):
    from backend.api.roi import RoiReportSchema
    from backend.services.roi.report import RoiRequest, roi_report

    query = {**RANGE, "group_by": group_by}
    body = marketer.get("/api/roi", query_string=query).json
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 10)
    documented = RoiReportSchema().dump(roi_report(RoiRequest(start, end, group_by)))
    assert body == json.loads(json.dumps(documented))


@pytest.mark.parametrize("grain", ["day", "week"])
def test_the_cohorts_body_is_what_its_schema_documents(marketer, world, grain):
    """The curves and survival points are dumped directly, the rest through the schema: the
    body is the schema's whole dump, its members in the schema's order."""
    from backend.api.roi import CohortReportSchema
    from backend.services.roi.cohorts import cohort_report

    response = marketer.get("/api/cohorts", query_string={**RANGE, "cohort": grain})
    body = json.loads(response.data)
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 10)
    documented = json.loads(json.dumps(CohortReportSchema().dump(cohort_report(start, end, grain))))
    assert any(point["predicted"] is not None for c in body["cohorts"] for point in c["curve"])
    assert any(c["survival"] for c in body["cohorts"])
    assert body == documented
    assert [list(c) for c in body["cohorts"]] == [list(c) for c in documented["cohorts"]]


def assert_same_json(body: bytes | str, expected: bytes | str) -> None:
    """The same JSON value: the same keys in the same order, ints as ints, floats as floats."""
    assert typed(json.loads(body)) == typed(json.loads(expected))


def _json_module(report: dict) -> str:
    """How the answers were encoded before orjson: the json module, dates as ISO text."""
    return json.dumps(report, default=lambda value: value.isoformat())


def test_the_answer_encoding_writes_what_the_json_module_wrote():
    import numpy as np

    from backend.api.roi import _dumps

    report = {
        "day": dt.date(2024, 1, 2),
        "at": dt.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC),
        "whole": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "numbers": [0, 1.0, -2.5, 1e-05, 1e16, 123456.789, 0.1 + 0.2, float(np.float64(0.3))],
        "numpy": np.float64(2.25),
        "nothing": None,
        "flags": [True, False],
        "label": 'Smart tv × Österreich "quoted" \n',
        "by_age": {7: 0.5, "D30": {"error_p50": 0.18}},
    }
    assert_same_json(_dumps(report), _json_module(report))


@pytest.mark.parametrize(
    "url, query",
    [
        ("/api/roi", {"group_by": "platform"}),
        ("/api/roi", {"group_by": "campaign"}),
        ("/api/overview", {}),
        ("/api/cohorts", {"cohort": "day"}),
        ("/api/cohorts", {"cohort": "week"}),
    ],
)
def test_each_answer_is_the_json_modules_encoding_of_its_report(marketer, world, url, query):
    from backend.api.roi import _dump_cohorts, _overview_figures
    from backend.services.roi import cohorts, overview
    from backend.services.roi.report import RoiRequest, roi_report, today

    body = marketer.get(url, query_string={**RANGE, **query}).data
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 10)
    if url == "/api/roi":
        report = roi_report(RoiRequest(start, end, query["group_by"]), today())
    elif url == "/api/overview":
        figures = _overview_figures.dump(overview.overview_figures(start, end, today()))
        report = figures | overview.overview_status()
    else:
        report = _dump_cohorts(cohorts.cohort_report(start, end, query["cohort"], as_of=today()))
    assert_same_json(body, _json_module(report))
