"""The early-signal models' inputs read from the database as DataFrames in analytics' column
names: customers acquired before `until` (with their campaign), their in-app events and their
payments (reporting currency; negative for a refund) before `until`. Times are naive UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select, tuple_

from analytics.early.features import EVENT_NAME
from analytics.early.traffic import CAMPAIGN
from analytics.ltv.columns import (
    ACQUIRED_AT,
    AMOUNT,
    COUNTRY,
    CUSTOMER_ID,
    DEVICE,
    OCCURRED_AT,
    PLATFORM,
)
from backend.extensions import db
from backend.services.predictions.data import _copy_frame

CAMPAIGN_EXTERNAL_ID = "campaign_external_id"
DAY = pd.Timedelta(days=1)


@dataclass
class EarlyInputs:
    until: pd.Timestamp
    customers: pd.DataFrame
    events: pd.DataFrame
    payments: pd.DataFrame

    def first_paid(self) -> pd.Series:
        """Customer id → time of the first payment (refunds are not payments)."""
        paid = self.payments[self.payments[AMOUNT] > 0]
        return paid.groupby(CUSTOMER_ID)[OCCURRED_AT].min()

    def horizon_value(self, horizons: tuple[int, ...]) -> dict[int, pd.Series]:
        """Per horizon, customer id → net revenue within that many days of acquisition."""
        acquired = self.customers.set_index(CUSTOMER_ID)[ACQUIRED_AT]
        age = self.payments[OCCURRED_AT] - self.payments[CUSTOMER_ID].map(acquired)
        out = {}
        for horizon in horizons:
            within = self.payments[age < horizon * DAY]
            out[horizon] = within.groupby(CUSTOMER_ID)[AMOUNT].sum()
        return out


def read_early_inputs(
    until: dt.datetime,
    *,
    since: dt.datetime | None = None,
    account_ids: list[int] | None = None,
    campaign_id: int | None = None,
) -> EarlyInputs:
    """The customers acquired in [since, until) (of the given ad accounts or campaign), their
    in-app events and payments before `until`."""
    cursor = db.session.connection().connection.cursor()
    cursor.execute("SET LOCAL TimeZone = 'UTC'")
    params = {"until": until, "since": since, "accounts": account_ids, "campaign": campaign_id}
    chosen = """acquired_at < %(until)s
        AND (%(since)s::timestamptz IS NULL OR acquired_at >= %(since)s)
        AND (%(accounts)s::bigint[] IS NULL OR ad_account_id = ANY(%(accounts)s::bigint[]))
        AND (%(campaign)s::bigint IS NULL OR campaign_id = %(campaign)s)"""
    customers = _copy_frame(
        cursor,
        f"""SELECT id AS {CUSTOMER_ID}, acquired_at AS {ACQUIRED_AT}, platform AS {PLATFORM},
                   country AS {COUNTRY}, device AS {DEVICE},
                   concat_ws(':', platform, ad_account_id, campaign_external_id) AS {CAMPAIGN},
                   campaign_external_id AS {CAMPAIGN_EXTERNAL_ID}
            FROM customers WHERE {chosen} ORDER BY id""",
        params,
        dtype={CAMPAIGN: str, CAMPAIGN_EXTERNAL_ID: str, COUNTRY: str, DEVICE: str},
    )
    events = _copy_frame(
        cursor,
        f"""SELECT e.customer_id AS {CUSTOMER_ID}, e.occurred_at AS {OCCURRED_AT},
                   e.name AS {EVENT_NAME}
            FROM customer_events e JOIN customers c ON c.id = e.customer_id
            WHERE e.occurred_at < %(until)s AND {chosen.replace("acquired_at", "c.acquired_at")}""",
        params,
        dtype={EVENT_NAME: str},
    )
    payments = _copy_frame(
        cursor,
        f"""SELECT e.customer_id AS {CUSTOMER_ID}, e.occurred_at AS {OCCURRED_AT},
                   coalesce(e.amount_reporting, e.amount) AS {AMOUNT}
            FROM revenue_events e JOIN customers c ON c.id = e.customer_id
            WHERE e.occurred_at < %(until)s AND {chosen.replace("acquired_at", "c.acquired_at")}""",
        params,
    )
    for frame, column in ((customers, ACQUIRED_AT), (events, OCCURRED_AT), (payments, OCCURRED_AT)):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601").dt.tz_localize(
            None
        )
    payments[AMOUNT] = payments[AMOUNT].astype(float)
    for column in (PLATFORM, COUNTRY, DEVICE, CAMPAIGN, CAMPAIGN_EXTERNAL_ID):
        customers[column] = customers[column].astype(object)
    events[EVENT_NAME] = events[EVENT_NAME].astype(str)
    end = pd.Timestamp(until).tz_convert("UTC").tz_localize(None)
    return EarlyInputs(end, customers, events, payments)


def campaign_names(keys: list[str]) -> dict[str, str]:
    """The stored name of each campaign key ("platform:ad_account_id:campaign_external_id")."""
    from backend.models import Campaign

    wanted = {}
    for key in keys:
        _, account, external_id = key.split(":", 2)
        if account.isdigit() and external_id:
            wanted[(int(account), external_id)] = key
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Campaign.ad_account_id, Campaign.external_id, Campaign.name).where(
            tuple_(Campaign.ad_account_id, Campaign.external_id).in_(list(wanted))
        )
    ).all()
    return {wanted[(r.ad_account_id, r.external_id)]: r.name for r in rows}
