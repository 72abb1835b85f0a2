"""What customer data is loaded: counts, date range, revenue in the reporting currency, and how
many events converted at their own day's rate, a carried rate, or none; how many in-app events."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Customer, CustomerEvent, RevenueEvent


def customer_data_summary() -> dict[str, Any]:
    count, first, last, linked = db.session.execute(
        select(
            func.count(Customer.id),
            func.min(Customer.acquisition_date),
            func.max(Customer.acquisition_date),
            func.count(Customer.campaign_id),
        )
    ).one()
    by_platform = db.session.execute(
        select(func.coalesce(Customer.platform, "(none)"), func.count(Customer.id)).group_by(
            Customer.platform
        )
    ).all()
    events, last_event, revenue = db.session.execute(
        select(
            func.count(RevenueEvent.event_id),
            func.max(RevenueEvent.occurred_at),
            func.sum(RevenueEvent.amount_reporting),
        )
    ).one()
    by_status = db.session.execute(
        select(RevenueEvent.fx_status, func.count(RevenueEvent.event_id)).group_by(
            RevenueEvent.fx_status
        )
    ).all()
    in_app, last_in_app = db.session.execute(
        select(func.count(CustomerEvent.event_id), func.max(CustomerEvent.occurred_at))
    ).one()
    return {
        "customers": count,
        "first_acquisition": first,
        "last_acquisition": last,
        "customers_by_platform": dict(by_platform),
        "customers_linked_to_campaigns": linked,
        "revenue_events": events,
        "last_event_at": last_event,
        "revenue_reporting": revenue,
        "reporting_currency": current_app.config["REPORTING_CURRENCY"],
        "revenue_events_by_fx_status": dict(by_status),
        "in_app_events": in_app,
        "last_in_app_event_at": last_in_app,
    }
