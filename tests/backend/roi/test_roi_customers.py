"""roi_customers holds a row for every customer and follows every write: its revenue follows the
revenue events (the loaders' insert, then update of the same event, FX re-conversion, deletion, a
changed acquisition date), its attributes follow the customer, its predictions follow the
outputs of the active model versions and which versions are active."""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal

from sqlalchemy import text

from backend.models import FxRate, ModelKind, ModelStatus, ModelVersion
from backend.services.customers import load_customers_batch, load_revenue_batch
from backend.services.customers.fx import refresh_revenue_conversion
from backend.services.predictions import imports, versions


def summary(db, external_id: str = "u1") -> dict | None:
    row = (
        db.session.execute(
            text(
                "SELECT s.events, s.revenue, s.last_purchase_day, s.revenue_1d, s.revenue_7d, "
                "s.revenue_30d FROM roi_customers s JOIN customers c ON c.id = s.customer_id "
                "WHERE c.external_id = :e"
            ),
            {"e": external_id},
        )
        .mappings()
        .first()
    )
    return None if row is None else {k: (float(v) if isinstance(v, Decimal) else v)
                                     for k, v in row.items()}  # fmt: skip


def event(event_id: str, day: str, amount: str, currency: str = "USD") -> dict:
    return {
        "event_id": event_id,
        "customer_id": "u1",
        "occurred_at": f"{day}T12:00:00Z",
        "amount": amount,
        "currency": currency,
    }


def test_the_loaders_keep_each_customers_revenue_summary(db):
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z"}])
    assert summary(db) == {
        "events": 0,
        "revenue": 0.0,
        "last_purchase_day": 0,
        "revenue_1d": 0.0,
        "revenue_7d": 0.0,
        "revenue_30d": 0.0,
    }  # fmt: skip  (no payment yet)
    load_revenue_batch([event("e1", "2024-01-01", "10"), event("e2", "2024-01-05", "5")])
    assert summary(db) == {
        "events": 2, "revenue": 15.0, "last_purchase_day": 4,
        "revenue_1d": 10.0, "revenue_7d": 15.0, "revenue_30d": 15.0,
    }  # fmt: skip
    load_revenue_batch([event("e2", "2024-01-20", "7")])  # the same event, restated
    assert summary(db)["revenue_7d"] == 10.0 and summary(db)["revenue_30d"] == 17.0
    assert summary(db)["last_purchase_day"] == 19


def test_an_event_without_a_rate_is_unknown_until_converted(db):
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z"}])
    load_revenue_batch([event("e1", "2024-01-01", "10"), event("e2", "2024-01-10", "8", "EUR")])
    assert summary(db)["revenue_7d"] == 10.0  # the EUR payment is on day 9
    assert math.isnan(summary(db)["revenue"]) and math.isnan(summary(db)["revenue_30d"])
    db.session.add(FxRate(date=dt.date(2024, 1, 2), currency="EUR", reporting_currency="USD",
                          rate=Decimal("1.1"), source="test"))  # fmt: skip
    db.session.commit()
    refresh_revenue_conversion()
    db.session.commit()
    assert summary(db)["revenue"] == 18.8 and summary(db)["revenue_30d"] == 18.8


def test_deleting_events_or_moving_the_acquisition_date_recomputes(db):
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z"}])
    load_revenue_batch([event("e1", "2024-01-01", "10"), event("e2", "2024-01-05", "5")])
    load_customers_batch([{"customer_id": "u1", "acquired_at": "2023-12-30T09:00:00Z"}])
    assert summary(db)["revenue_1d"] == 0.0 and summary(db)["last_purchase_day"] == 6
    db.session.execute(text("DELETE FROM revenue_events WHERE event_id = 'e2'"))
    assert summary(db)["revenue"] == 10.0
    db.session.execute(text("DELETE FROM revenue_events"))
    assert summary(db)["events"] == 0 and summary(db)["revenue"] == 0.0


def row(db, external_id: str = "u1") -> dict:
    return dict(
        db.session.execute(
            text(
                "SELECT r.acquisition_date, r.platform, r.ad_account_id, r.campaign_id, r.country,"
                " r.device, p.ltv_scored, p.predicted_ltv_30, p.predicted_ltv_365,"
                " p.churn_probability FROM roi_customers r"
                " JOIN roi_customer_predictions p ON p.customer_id = r.customer_id"
                " JOIN customers c ON c.id = r.customer_id WHERE c.external_id = :e"
            ),
            {"e": external_id},
        )
        .mappings()
        .one()
    )


def test_a_customers_attributes_follow_every_update(db):
    load_customers_batch(
        [{"customer_id": "u1", "acquired_at": "2024-01-01T09:00:00Z", "platform": "meta",
          "country": "US", "device": "iphone"}]
    )  # fmt: skip
    assert row(db)["acquisition_date"] == dt.date(2024, 1, 1)
    assert (row(db)["platform"], row(db)["country"], row(db)["device"]) == ("meta", "US", "iphone")
    load_customers_batch(
        [{"customer_id": "u1", "acquired_at": "2024-01-03T09:00:00Z", "platform": "google_ads",
          "country": "DE"}]
    )  # fmt: skip
    assert row(db)["acquisition_date"] == dt.date(2024, 1, 3)
    assert (row(db)["platform"], row(db)["country"], row(db)["device"]) == (
        "google_ads",
        "DE",
        None,
    )
    db.session.execute(text("DELETE FROM customers"))
    assert db.session.execute(text("SELECT count(*) FROM roi_customers")).scalar_one() == 0


PREDICTIONS = """customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365,churn_probability
u1,9,12,30,0.4
u2,1,2,3,
"""


def import_predictions(body: str = PREDICTIONS, name: str = "ds") -> list:
    return imports.import_outputs(io.StringIO(body), name)


def activate(version_id: int) -> None:
    """An admin's request, carried out here as the worker would."""
    versions.record_activation_request(None, version_id)
    assert versions.carry_out_activation(version_id) == "activated"


def predictions(db, external_id: str = "u1") -> tuple:
    r = row(db, external_id)
    return r["ltv_scored"], r["predicted_ltv_30"], r["predicted_ltv_365"], r["churn_probability"]


def test_predictions_are_those_of_the_active_versions(db):
    load_customers_batch(
        [{"customer_id": u, "acquired_at": "2024-01-01T09:00:00Z"} for u in ("u1", "u2", "u3")]
    )
    ltv, churn = import_predictions()
    assert predictions(db) == (False, None, None, None)  # imported, not active
    activate(ltv.id)
    assert predictions(db) == (True, 9.0, 30.0, 0.4)  # the LTV model's own churn
    assert predictions(db, "u2") == (True, 1.0, 3.0, None)
    assert predictions(db, "u3") == (False, None, None, None)  # not scored
    other = "customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365,churn_probability\n"
    second_ltv, second_churn = import_predictions(other + "u2,5,6,7,0.9\n", name="second")
    activate(second_churn.id)
    assert predictions(db, "u2") == (True, 1.0, 3.0, 0.9)  # the churn model's churn
    assert predictions(db) == (True, 9.0, 30.0, 0.4)  # not scored by it: the LTV model's
    activate(second_ltv.id)
    assert predictions(db) == (False, None, None, None)
    assert predictions(db, "u2") == (True, 5.0, 7.0, 0.9)
    db.session.execute(
        text("UPDATE model_outputs SET predicted_ltv_365 = 70 WHERE model_version_id = :v"),
        {"v": second_ltv.id},
    )
    assert predictions(db, "u2") == (True, 5.0, 70.0, 0.9)
    db.session.execute(text("DELETE FROM model_versions WHERE id = :v"), {"v": second_ltv.id})
    db.session.commit()  # a change of the active versions is applied once, at commit
    assert predictions(db, "u2") == (False, None, None, 0.9)
    db.session.execute(text("DELETE FROM model_outputs WHERE model_version_id = :v"),
                       {"v": second_churn.id})  # fmt: skip
    assert predictions(db, "u2") == (False, None, None, None)


def test_switching_versions_rewrites_the_predictions_at_commit(db):
    load_customers_batch(
        [{"customer_id": u, "acquired_at": "2024-01-01T09:00:00Z"} for u in ("u1", "u2")]
    )
    first, _ = import_predictions()
    activate(first.id)
    body = "customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365\nu1,5,6,7\n"
    (second,) = import_predictions(body, name="second")

    versions._make_active(second)  # two statements: the old version off, the new one on
    assert predictions(db) == (True, 9.0, 30.0, 0.4)  # nothing rewritten before the commit
    db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # what the commit runs
    assert predictions(db) == (True, 5.0, 7.0, None)
    assert predictions(db, "u2") == (False, None, None, None)
    db.session.commit()
    assert predictions(db) == (True, 5.0, 7.0, None)


def ready_first_purchase_version(db) -> int:
    """A ready, inactive first-purchase version with outputs for u1 (as a training stores)."""
    version = ModelVersion(
        kind=ModelKind.FIRST_PURCHASE.value,
        algorithm="logistic",
        status=ModelStatus.READY,
        is_active=False,
        params={"scored_as_of": "2024-01-02"},
        metrics={},
        source="spendlens",
    )
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        text(
            "INSERT INTO model_outputs (customer_id, model_version_id, p_first_purchase_7, "
            "p_first_purchase_30) SELECT id, :v, 0.2, 0.4 FROM customers WHERE external_id = 'u1'"
        ),
        {"v": version.id},
    )
    db.session.commit()
    return version.id


def test_activating_a_first_purchase_version_leaves_the_roi_predictions_alone(db):
    load_customers_batch(
        [{"customer_id": u, "acquired_at": "2024-01-01T09:00:00Z"} for u in ("u1", "u2")]
    )
    ltv, _ = import_predictions()
    activate(ltv.id)
    # the active prediction set: only a refresh of the predictions would build another
    active_set = text("SELECT id FROM roi_prediction_sets WHERE active")
    built = db.session.execute(active_set).scalar_one()
    first_purchase = ready_first_purchase_version(db)
    activate(first_purchase)
    assert versions.active_version(ModelKind.FIRST_PURCHASE).id == first_purchase
    assert db.session.execute(active_set).scalar_one() == built  # not refreshed
    assert predictions(db) == (True, 9.0, 30.0, 0.4)
    (second,) = import_predictions(
        "customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365\nu1,5,6,7\n", "second"
    )
    activate(second.id)  # an LTV activation still refreshes every customer
    assert predictions(db) == (True, 5.0, 7.0, None)
    assert predictions(db, "u2") == (False, None, None, None)
