"""The tables of the ROI read model: what the dashboards read, never the fact tables.

- `DailyRollup`: the campaign-level facts per (date, account, campaign, breakdown, country,
  device) in the reporting currency, with the native amounts, the rate used and whether it was
  the day's own rate ('exact'), an earlier one carried forward ('carried') or none at all
  ('missing': reporting amounts NULL, never zero). Refreshed for exactly the slice a sync
  touched (`rollups.refresh_rollups`).
- `MonthlyRollup`: the daily rollups summed per calendar month. A query over a long range reads
  the whole months inside it from here and only the partial months at its ends from the daily
  rollups, so its cost depends on campaigns and months, not days. Reporting amounts are NULL
  when any day of the month had no rate (`fx_missing_days` counts them).
- `RoiCustomer`: each customer with its acquisition attributes, revenue and active predictions.
- `roi_customer_days`, `roi_customer_lifetimes`: the customer side summed per acquisition day
  and campaign, country, device, kept by a trigger on roi_customers (`sql/customer_groups.py`);
  `roi_customer_platform_days`, `roi_customer_platform_lifetimes`: the same per day and platform,
  kept by triggers on those; `roi_customer_campaign_days`, `roi_customer_country_days`: the days
  per day and campaign, and per day, country and device, kept the same way.
- `RoiDataChange`: the data version the answer cache is keyed by.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from analytics.revenue_curves import CHECKPOINTS
from backend.extensions import db
from backend.models.types import Money
from backend.services.roi.sql import customer_groups, prediction_sums


class RollupFigures:
    """What the daily and the monthly rollups both hold: the key besides the period, and the
    figures."""

    ad_account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    breakdown: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    device: Mapped[str] = mapped_column(String(32), primary_key=True)
    reporting_currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    spend_native: Mapped[Decimal] = mapped_column(Money)
    impressions: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    installs: Mapped[int] = mapped_column(BigInteger)
    conversions: Mapped[Decimal] = mapped_column(Money)
    spend: Mapped[Decimal | None] = mapped_column(Money)
    conversion_value: Mapped[Decimal | None] = mapped_column(Money)


class DailyRollup(RollupFigures, db.Model):
    __tablename__ = "daily_rollups"
    __table_args__ = (
        CheckConstraint("fx_status IN ('exact', 'carried', 'missing')", name="fx_status_known"),
        Index("ix_daily_rollups_breakdown_date_platform", "breakdown", "date", "platform"),
        Index("ix_daily_rollups_campaign_date", "campaign_id", "date"),
    )

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    # not part of the daily key: one reporting currency a day's row
    reporting_currency: Mapped[str] = mapped_column(String(3))
    conversion_value_native: Mapped[Decimal] = mapped_column(Money)
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(24, 12))
    fx_date: Mapped[dt.date | None] = mapped_column(Date)
    fx_status: Mapped[str] = mapped_column(String(16))


class MonthlyRollup(RollupFigures, db.Model):
    __tablename__ = "monthly_rollups"
    __table_args__ = (
        Index("ix_monthly_rollups_breakdown_month", "breakdown", "month"),
        Index("ix_monthly_rollups_campaign_month", "campaign_id", "month"),
    )

    #: First day of the month.
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    fx_missing_days: Mapped[int] = mapped_column(Integer)


#: Days since acquisition at which each customer's cumulative revenue is kept (the first n days;
#: day 1 is the UTC acquisition date): the curves' checkpoints.
REVENUE_CHECKPOINTS = CHECKPOINTS


def revenue_column(days: int) -> str:
    """Cumulative revenue of the first `days` days, e.g. ``revenue_7d``."""
    return f"revenue_{days}d"


class RoiCustomer(db.Model):
    """Each customer as the ROI dashboards read it: its acquisition attributes, its revenue in
    the reporting currency (the total, the cumulative revenue at each checkpoint, the day of the
    last purchase), so that a report reads one index range of one table; the predictions of the
    active model versions are the view roi_customer_predictions since migration 0036
    (`sql/prediction_sums.py`).

    Maintained by triggers in the writer's transaction (migration 0008): a row for every
    customer, attributes following the customers table, revenue following revenue_events (and a
    new acquisition date). Amounts are double precision for fast sums (revenue_events keeps the
    exact ones); an amount without an exchange rate makes every figure that includes it NaN, so
    sums over it stay unknown, never smaller. A customer without payments has zeros.
    """

    __tablename__ = "roi_customers"
    __table_args__ = (Index("ix_roi_customers_acquisition_date", "acquisition_date"),)

    customer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    acquisition_date: Mapped[dt.date] = mapped_column(Date)
    platform: Mapped[str | None] = mapped_column(Text)
    ad_account_id: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(BigInteger)
    country: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str | None] = mapped_column(Text)
    events: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[float] = mapped_column(Double)
    #: Days from the acquisition date to the last purchase's UTC date (0: the acquisition date,
    #: or no purchase).
    last_purchase_day: Mapped[int] = mapped_column(Integer)
    #: Whether traffic quality judged the customer suspect (written with `customer_suspicion`
    #: by backend.services.early.suspicion; false until scored).
    suspect: Mapped[bool] = mapped_column(Boolean, server_default=false())
    #: Cumulative revenue of the first n days, one column per REVENUE_CHECKPOINTS (a test checks
    #: that they agree).
    revenue_1d: Mapped[float] = mapped_column(Double)
    revenue_3d: Mapped[float] = mapped_column(Double)
    revenue_7d: Mapped[float] = mapped_column(Double)
    revenue_14d: Mapped[float] = mapped_column(Double)
    revenue_30d: Mapped[float] = mapped_column(Double)
    revenue_60d: Mapped[float] = mapped_column(Double)
    revenue_90d: Mapped[float] = mapped_column(Double)
    revenue_120d: Mapped[float] = mapped_column(Double)
    revenue_180d: Mapped[float] = mapped_column(Double)
    revenue_270d: Mapped[float] = mapped_column(Double)
    revenue_365d: Mapped[float] = mapped_column(Double)
    revenue_540d: Mapped[float] = mapped_column(Double)
    revenue_730d: Mapped[float] = mapped_column(Double)
    revenue_1095d: Mapped[float] = mapped_column(Double)


class RoiDataChange(db.Model):
    """A committed transaction that changed an input of the ROI answers (written by triggers,
    `sql/data_changes.sql`, `sql/data_change_days.sql`); Σ weight and max(id) of the changes
    that overlap an answer's days are the data version the answer cache keys it by. Old rows
    are folded into the newest one (its weight counts them, its days span theirs)."""

    __tablename__ = "roi_data_changes"

    id: Mapped[int] = mapped_column(
        BigInteger, server_default=text("nextval('roi_data_change_ids')"), primary_key=True
    )
    weight: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
    #: The days of acquisition or spend it changed (-infinity..infinity: every day).
    first_day: Mapped[dt.date] = mapped_column(Date, server_default=text("'-infinity'"))
    last_day: Mapped[dt.date] = mapped_column(Date, server_default=text("'infinity'"))


_GROUP_TYPES = {"date": Date, "text": Text, "integer": Integer, "bigint": BigInteger,
                "smallint": SmallInteger, "boolean": Boolean, "numeric": Numeric}  # fmt: skip


def _customer_group_table(name: str) -> Table:
    """`customer_groups.AGGREGATES[name]` (or COARSE) as a table of the metadata (migrations
    0020 and 0024 create them and their triggers): the key's columns, then the sums."""
    key, aggregates = customer_groups.definition(name)
    # the prediction sums are kept apart since migration 0036 (`prediction_sums`)
    aggregates = {
        n: value for n, value in aggregates.items() if n not in customer_groups.PREDICTION_NAMES
    }
    columns = []
    for column in key:
        kind = customer_groups.KEY_TYPES[column]
        columns.append(
            Column(column, _GROUP_TYPES[kind.split()[0]](), nullable="NOT NULL" not in kind)
        )
    columns += [
        Column(column, _GROUP_TYPES[kind](), nullable=False)
        for column, (kind, _) in aggregates.items()
    ]
    indexes = [
        Index(f"ux_{name}_key", *key, unique=True, postgresql_nulls_not_distinct=True),
        Index(f"ix_{name}_empty", "acquisition_date", postgresql_where=text("customers = 0")),
    ]
    if name in customer_groups.LAST_PURCHASE_INDEXED:  # migration 0031
        included = customer_groups.last_purchase_included(name)
        indexes.append(
            Index(
                f"ix_{name}_last_purchase",
                "acquisition_date",
                "last_purchase_day",
                postgresql_include=included,
            )
        )
    return Table(name, db.metadata, *columns, *indexes)


#: The customer side pre-aggregated per acquisition day and campaign, country, device
#: (`sql/customer_groups.py`): what the reports read instead of roi_customers.
roi_customer_days = _customer_group_table("roi_customer_days")
#: The same with the last purchase's day, the payments (0, 1, 2+) and whether the first week
#: paid nothing: what lifetimes, survival and churn drivers read.
roi_customer_lifetimes = _customer_group_table("roi_customer_lifetimes")
#: Both summed per acquisition day and platform only (`customer_groups.COARSE`): what reports
#: by platform, day or cohort read.
roi_customer_platform_days = _customer_group_table("roi_customer_platform_days")
roi_customer_platform_lifetimes = _customer_group_table("roi_customer_platform_lifetimes")
#: roi_customer_days summed per acquisition day and campaign (with its platform and account),
#: and per day, platform, country and device: what reports by campaign or account, and by
#: country or device read.
roi_customer_campaign_days = _customer_group_table("roi_customer_campaign_days")
roi_customer_country_days = _customer_group_table("roi_customer_country_days")
#: roi_customer_campaign_days summed per acquisition month (its first day), with the customers'
#: days into the month: what a report by campaign reads for its whole months.
roi_customer_campaign_months = _customer_group_table("roi_customer_campaign_months")
#: The same per ISO week (its Monday), for the whole weeks outside a report's months.
roi_customer_campaign_weeks = _customer_group_table("roi_customer_campaign_weeks")


class RoiPredictionSet(db.Model):
    """A set of prediction sums of the customer groups for one pair of versions (LTV, churn:
    the sums depend on both, the churn falling back per customer), one of them active
    (`sql/prediction_sums.py`, migration 0036)."""

    __tablename__ = "roi_prediction_sets"
    __table_args__ = (
        Index(
            "ux_roi_prediction_sets_active",
            "active",
            unique=True,
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ltv_version_id: Mapped[int | None] = mapped_column(Integer)
    churn_version_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=false())


def _prediction_sums_table(group_table: str) -> Table:
    """The narrow table of a group table's prediction sums per set (`prediction_sums.TABLES`)."""
    name = prediction_sums.TABLES[group_table]
    key = customer_groups.definition(group_table)[0]
    columns = [Column("set_id", Integer(), nullable=False)]
    for column in key:
        kind = customer_groups.KEY_TYPES[column]
        columns.append(
            Column(column, _GROUP_TYPES[kind.split()[0]](), nullable="NOT NULL" not in kind)
        )
    sums = prediction_sums.sums_of(group_table)
    columns += [Column(n, _GROUP_TYPES[kind](), nullable=False) for n, (kind, _) in sums.items()]
    empty = " AND ".join(f"{n} = 0" for n, (kind, _) in sums.items() if kind == "bigint")
    indexes = [
        Index(f"ux_{name}_key", "set_id", *key, unique=True, postgresql_nulls_not_distinct=True),
        Index(f"ix_{name}_empty", "set_id", postgresql_where=text(empty)),
    ]
    return Table(name, db.metadata, *columns, *indexes)


#: The prediction sums of each group table per prediction set.
PREDICTION_SUMS_TABLES = {table: _prediction_sums_table(table) for table in prediction_sums.TABLES}
