"""Loading customers and revenue events: attribution, idempotent re-loads, and bad data that is
named by line and field and loads nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.services.customers import (
    LoadRejected,
    load_customers_batch,
    load_customers_csv,
    load_revenue_batch,
    load_revenue_csv,
)
from backend.services.customers.problems import LISTED

from .conftest import (
    CUSTOMER_HEADER,
    REVENUE_HEADER,
    add_campaign,
    add_rate,
    csv_text,
    rows,
)

CUSTOMERS = csv_text(
    CUSTOMER_HEADER,
    "c1,2025-01-01T23:30:00-05:00,meta,act_1,cmp_1,us,iphone",
    "c2,2025-01-02T08:00:00Z,meta,act_1,cmp_unsynced,,",
    "c3,2025-01-03,organic,,,,",
)
REVENUE = csv_text(
    REVENUE_HEADER,
    "e1,c1,2025-01-02T10:00:00Z,10.50,EUR",
    "e2,c1,2025-01-05T10:00:00Z,4.25,USD",
    "e3,c3,2025-01-04T00:00:00Z,7,EUR",
)


def customer_rows(db) -> list:
    return rows(
        db,
        """SELECT external_id, acquisition_date, platform, ad_account_id, campaign_id,
                  campaign_external_id, country, device
           FROM customers ORDER BY external_id""",
    )


def test_customers_are_attributed_to_the_stored_account_and_synced_campaign(db, meta_account):
    campaign = add_campaign(db, meta_account, "cmp_1")
    result = load_customers_csv(CUSTOMERS)
    assert (result.rows, result.inserted, result.updated) == (3, 3, 0)
    assert customer_rows(db) == [
        ("c1", dt.date(2025, 1, 2), "meta", meta_account.id, campaign.id, "cmp_1", "US", "iphone"),
        ("c2", dt.date(2025, 1, 2), "meta", meta_account.id, None, "cmp_unsynced", None, None),
        ("c3", dt.date(2025, 1, 3), "organic", None, None, None, None, None),
    ]


def test_acquisition_date_is_the_utc_date_of_acquired_at(db, meta_account):
    load_customers_csv(CUSTOMERS)
    acquired, day = rows(
        db, "SELECT acquired_at, acquisition_date FROM customers WHERE external_id = 'c1'"
    )[0]
    assert acquired == dt.datetime(2025, 1, 2, 4, 30, tzinfo=dt.UTC)
    assert day == dt.date(2025, 1, 2)


def test_loading_the_same_files_again_duplicates_nothing(db, meta_account):
    load_customers_csv(CUSTOMERS)
    load_revenue_csv(REVENUE)
    before = (customer_rows(db), rows(db, "SELECT * FROM revenue_events ORDER BY event_id"))
    again_customers = load_customers_csv(CUSTOMERS)
    again_revenue = load_revenue_csv(REVENUE)
    assert (again_customers.inserted, again_customers.updated, again_customers.unchanged) == (
        0,
        0,
        3,
    )
    assert (again_revenue.inserted, again_revenue.updated, again_revenue.unchanged) == (0, 0, 3)
    assert (customer_rows(db), rows(db, "SELECT * FROM revenue_events ORDER BY event_id")) == (
        before
    )


def test_a_changed_record_is_updated_in_place(db, meta_account):
    load_customers_csv(CUSTOMERS)
    load_revenue_csv(REVENUE)
    corrected = csv_text(REVENUE_HEADER, "e1,c1,2025-01-02T10:00:00Z,12.00,EUR")
    result = load_revenue_csv(corrected)
    assert (result.inserted, result.updated) == (0, 1)
    assert rows(db, "SELECT count(*), sum(amount) FROM revenue_events")[0] == (3, 23.25)


def test_a_campaign_synced_later_is_linked_before_training(db, meta_account):
    from backend.services.predictions.versions import prepare_data

    load_customers_csv(CUSTOMERS)
    campaign = add_campaign(db, meta_account, "cmp_unsynced")
    assert prepare_data()["customers_linked_to_campaigns"] == 1
    assert rows(db, "SELECT campaign_id FROM customers WHERE external_id = 'c2'") == [
        (campaign.id,)
    ]


BAD_CUSTOMERS = csv_text(
    CUSTOMER_HEADER,
    "ok1,2025-01-01,meta,act_1,,,",
    "bad1,yesterday,meta,act_1,,,",
    "bad2,2025-01-01,Meta Ads,,,USA,",
    "bad3,2025-01-01,meta,act_999,,,",
    "ok1,2025-01-02,,,,,",
    "bad4,2025-01-01,,act_1,,,",
    "bad5,2025-01-01,meta",
)


def test_a_bad_customers_file_names_each_line_and_field_and_loads_nothing(db, meta_account):
    load_customers_csv(CUSTOMERS)
    before = customer_rows(db)
    with pytest.raises(LoadRejected) as rejected:
        load_customers_csv(BAD_CUSTOMERS)
    errors = rejected.value.errors
    assert set(errors) == {"line 3", "line 4", "line 5", "line 6", "line 7", "line 8"}
    assert list(errors["line 3"]) == ["acquired_at"]
    assert set(errors["line 4"]) == {"platform", "country"}
    assert errors["line 5"] == {"account_external_id": ["no meta ad account act_999"]}
    assert errors["line 6"] == {"customer_id": ["the same customer_id as line 2"]}
    assert errors["line 7"] == {"platform": ["required with account_external_id"]}
    assert errors["line 8"] == {"row": ["3 fields where the header has 7"]}
    assert "nothing was loaded" in rejected.value.message
    assert customer_rows(db) == before


def test_a_bad_revenue_file_loads_nothing(db, meta_account):
    load_customers_csv(CUSTOMERS)
    bad = csv_text(
        REVENUE_HEADER,
        "e1,c1,2025-01-02T10:00:00Z,10.50,EUR",
        "e2,c1,2025-01-02T10:00:00Z,ten,EUR",
        "e3,nobody,2025-01-02T10:00:00Z,1,EUR",
        "e4,c1,2025-01-02T10:00:00Z,1.1234567,euro",
        "e1,c2,2025-01-02T10:00:00Z,1,EUR",
    )
    with pytest.raises(LoadRejected) as rejected:
        load_revenue_csv(bad)
    assert rejected.value.errors == {
        "line 3": {"amount": ["not a number"]},
        "line 4": {"customer_id": ["no such customer (load the customers first)"]},
        "line 5": {
            "amount": ["more than six decimals"],
            "currency": ["not an ISO 4217 currency code"],
        },
        "line 6": {"event_id": ["the same event_id as line 2"]},
    }
    assert rows(db, "SELECT count(*) FROM revenue_events") == [(0,)]


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        ("customer_id,acquired_at,campaign", "campaign", "unknown column; expected customer_id"),
        ("customer_id,platform", "acquired_at", "required column is missing"),
        ("customer_id,acquired_at,acquired_at", "acquired_at", "appears twice"),
    ],
)
def test_header_problems_are_reported_on_line_1(db, header, field, message):
    with pytest.raises(LoadRejected) as rejected:
        load_customers_csv(header + "\nc1,2025-01-01\n")
    assert list(rejected.value.errors) == ["line 1"]
    [reported] = rejected.value.errors["line 1"][field]
    assert reported.startswith(message)


def test_an_empty_file_is_refused(db):
    with pytest.raises(LoadRejected) as rejected:
        load_customers_csv("")
    assert rejected.value.errors == {"file": {"file": ["the file is empty"]}}


def test_only_the_first_problems_are_listed_but_all_are_counted(db):
    lines = [f"c{n},not a date,,,,," for n in range(LISTED + 15)]
    with pytest.raises(LoadRejected) as rejected:
        load_customers_csv(csv_text(CUSTOMER_HEADER, *lines))
    assert len(rejected.value.errors) == LISTED
    assert f"{LISTED + 15} problems; the first {LISTED} are listed" in rejected.value.message
    assert list(rejected.value.errors)[0] == "line 2"


def test_a_record_spanning_lines_and_blank_lines_keep_the_line_numbers(db):
    text = CUSTOMER_HEADER + '\n"c1",2025-01-01,,,"multi\nline",,\n\nc2,nope,,,,,\n'
    with pytest.raises(LoadRejected) as rejected:
        load_customers_csv(text)
    assert rejected.value.errors == {
        "line 2": {"campaign_external_id": ["contains control characters"]},
        "line 5": {"acquired_at": ["not an ISO 8601 date-time (e.g. 2025-03-01T14:05:00Z)"]},
    }


def test_json_batches_load_like_files_and_name_items_by_index(db, meta_account):
    add_rate(db, dt.date(2025, 1, 1), "EUR", "1.1")
    result = load_customers_batch(
        [
            {
                "customer_id": "b1",
                "acquired_at": "2025-01-01T00:00:00Z",
                "platform": "meta",
                "account_external_id": "act_1",
            },
            {"customer_id": "b2", "acquired_at": "2025-01-01", "country": None},
        ]
    )
    assert result.inserted == 2
    loaded = load_revenue_batch(
        [
            {
                "event_id": "x1",
                "customer_id": "b1",
                "occurred_at": "2025-01-02",
                "amount": 3.5,
                "currency": "EUR",
            }
        ]
    )
    assert loaded.inserted == 1
    with pytest.raises(LoadRejected) as rejected:
        load_revenue_batch(
            [
                {
                    "event_id": "x2",
                    "customer_id": "b1",
                    "occurred_at": "2025-01-02",
                    "amount": True,
                    "currency": "EUR",
                },
                "not an object",
                {
                    "event_id": "x3",
                    "customer_id": "b1",
                    "occurred_at": "2025-01-02",
                    "amount": "1",
                    "currency": "EUR",
                    "note": "?",
                },
            ]
        )
    errors = rejected.value.errors
    assert errors["item 0"] == {"amount": ["must be a string or a number"]}
    assert errors["item 1"] == {"item": ["must be an object"]}
    assert list(errors["item 2"]) == ["note"]
    assert rows(db, "SELECT count(*) FROM revenue_events") == [(1,)]


def test_text_postgres_cannot_store_is_a_field_problem_not_an_error(db):
    with pytest.raises(LoadRejected) as rejected:
        load_customers_batch(
            [
                {"customer_id": "a\x00b", "acquired_at": "2025-01-01"},
                {"customer_id": "c", "acquired_at": "2025-01-01", "device": "\ud800"},
            ]
        )
    assert rejected.value.errors == {
        "item 0": {"customer_id": ["contains control characters"]},
        "item 1": {"device": ["not valid UTF-8 text"]},
    }


def test_loads_are_audited(db, meta_account):
    load_customers_csv(CUSTOMERS, source="file:customers.csv")
    entry = rows(db, "SELECT actor_email, action, after FROM audit_log")[0]
    assert entry[:2] == ("system", "customers.load")
    assert entry[2]["source"] == "file:customers.csv" and entry[2]["inserted"] == 3


def test_a_three_letter_code_that_is_no_currency_is_refused(db, meta_account):
    load_customers_csv(CUSTOMERS)
    with pytest.raises(LoadRejected) as rejected:
        load_revenue_csv(csv_text(REVENUE_HEADER, "e1,c1,2025-01-02T10:00:00Z,10,XYZ"))
    assert rejected.value.errors == {"line 2": {"currency": ["not an ISO 4217 currency code"]}}
    assert rows(db, "SELECT count(*) FROM revenue_events") == [(0,)]


def test_a_withdrawn_currency_is_still_a_currency(db, meta_account):
    load_customers_csv(CUSTOMERS)
    result = load_revenue_csv(csv_text(REVENUE_HEADER, "e1,c1,2025-01-02T10:00:00Z,75,HRK"))
    assert result.inserted == 1
