"""The upload, batch and summary endpoints, and the load-customers / load-revenue commands."""

from __future__ import annotations

import io

from .conftest import CUSTOMER_HEADER, REVENUE_HEADER, csv_text, rows

CUSTOMERS = csv_text(CUSTOMER_HEADER, "c1,2025-01-01T10:00:00Z,meta,act_1,,US,iphone")
REVENUE = csv_text(REVENUE_HEADER, "e1,c1,2025-01-02T10:00:00Z,9.99,USD")


def upload(client, url: str, body: str, filename: str = "data.csv"):
    return client.post(
        url,
        data={"file": (io.BytesIO(body.encode()), filename)},
        content_type="multipart/form-data",
    )


def test_finance_uploads_customers_and_revenue(finance, meta_account):
    answer = upload(finance, "/api/customers/upload", CUSTOMERS)
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "kind": "customers",
        "rows": 1,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
    }
    answer = upload(finance, "/api/revenue/upload", REVENUE)
    assert answer.status_code == 200, answer.json
    assert answer.json["inserted"] == 1


def test_a_bad_upload_is_a_422_naming_line_and_field(admin, meta_account, db):
    body = csv_text(CUSTOMER_HEADER, "c1,2025-01-01,,,,,", "c2,2025-13-01,,,,,")
    answer = upload(admin, "/api/customers/upload", body)
    assert answer.status_code == 422
    assert answer.json["errors"] == {
        "line 3": {"acquired_at": ["not an ISO 8601 date-time (e.g. 2025-03-01T14:05:00Z)"]}
    }
    assert "nothing was loaded" in answer.json["message"]
    assert rows(db, "SELECT count(*) FROM customers") == [(0,)]


def test_an_upload_without_a_file_or_not_in_utf8_is_refused(admin):
    assert admin.post("/api/customers/upload", data={}).status_code == 422
    answer = upload(admin, "/api/customers/upload", "")
    assert answer.status_code == 422
    latin1 = (CUSTOMER_HEADER + "\nc\xe9,2025-01-01,,,,,\n").encode("latin-1")
    answer = admin.post(
        "/api/customers/upload",
        data={"file": (io.BytesIO(latin1), "x.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"line 2": {"customer_id": ["not valid UTF-8 text"]}}


def test_a_marketer_may_not_load(marketer):
    assert upload(marketer, "/api/customers/upload", CUSTOMERS).status_code == 403
    assert marketer.post("/api/revenue/batch", json={"events": []}).status_code == 403


def test_batches_load_json_and_report_items(admin, meta_account):
    answer = admin.post(
        "/api/customers/batch",
        json={
            "customers": [
                {
                    "customer_id": "c1",
                    "acquired_at": "2025-01-01",
                    "platform": "meta",
                    "account_external_id": "act_1",
                }
            ]
        },
    )
    assert answer.status_code == 200, answer.json
    answer = admin.post(
        "/api/revenue/batch",
        json={
            "events": [
                {
                    "event_id": "e1",
                    "customer_id": "c1",
                    "occurred_at": "2025-01-02",
                    "amount": "x",
                    "currency": "USD",
                }
            ]
        },
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"item 0": {"amount": ["not a number"]}}


def test_an_empty_or_malformed_batch_is_a_422(admin):
    assert admin.post("/api/customers/batch", json={"customers": []}).status_code == 422
    assert admin.post("/api/customers/batch", json={"customers": [1]}).status_code == 422
    assert admin.post("/api/revenue/batch", json={}).status_code == 422


def test_every_role_reads_the_summary(marketer, finance, meta_account):
    upload(finance, "/api/customers/upload", CUSTOMERS)
    upload(finance, "/api/revenue/upload", REVENUE)
    answer = marketer.get("/api/customers/summary")
    assert answer.status_code == 200
    assert answer.json["customers"] == 1
    assert answer.json["customers_by_platform"] == {"meta": 1}
    assert answer.json["revenue_reporting"] == "9.990000"
    assert answer.json["revenue_events_by_fx_status"] == {"exact": 1}


def test_uploads_are_audited_with_the_user(finance, meta_account, db):
    upload(finance, "/api/customers/upload", CUSTOMERS, filename="january.csv")
    actor, action, after = rows(
        db, "SELECT actor_email, action, after FROM audit_log WHERE action = 'customers.load'"
    )[0]
    assert actor == finance.user.email and after["source"] == "upload:january.csv"


def test_the_commands_load_files_and_report_bad_lines(runner, meta_account, tmp_path, db):
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS)
    result = runner.invoke(args=["load-customers", str(customers)])
    assert result.exit_code == 0, result.output
    assert "1 customers rows: 1 inserted" in result.output
    revenue = tmp_path / "revenue.csv"
    revenue.write_text(
        csv_text(
            REVENUE_HEADER, "e1,c1,2025-01-02T10:00:00Z,1,usd", "e2,c9,2025-01-02T10:00:00Z,1,USD"
        )
    )
    result = runner.invoke(args=["load-revenue", str(revenue)])
    assert result.exit_code != 0
    assert "line 3: customer_id: no such customer" in result.output
    assert rows(db, "SELECT count(*) FROM revenue_events") == [(0,)]
