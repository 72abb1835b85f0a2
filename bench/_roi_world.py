"""The data of the ROI query benchmark, written the way a sync writes it.

3 platforms, 10 accounts (USD, EUR, GBP), 30 campaigns each, 3 ad groups of 10 ads per
campaign (9,000 ads): one ad-level row per ad and day, and the campaign-level rows a sync
fetches (totals, 3 countries, 2 devices). Every (account, 30-day chunk) goes through
replace_metric_slice for each level/breakdown and refresh_rollups for the campaign-level ones,
then commits, as `execute_sync_run` does. Customers, revenue events and model outputs are
generated in SQL.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator
from decimal import Decimal

from connectors import Level, SpendRow

ACCOUNTS = (
    ("meta", "USD", 4),
    ("google_ads", "EUR", 3),
    ("apple_search_ads", "GBP", 3),
)
CAMPAIGNS_PER_ACCOUNT = 30
AD_GROUPS, ADS_PER_GROUP = 3, 10
ADS_PER_ACCOUNT = CAMPAIGNS_PER_ACCOUNT * AD_GROUPS * ADS_PER_GROUP
COUNTRIES = ("US", "GB", "DE", "FR", "JP", "BR", "CA", "IN")
COUNTRY_SHARES = (5, 3, 2)  # tenths of a campaign's spend
DEVICES = (("iphone", 6), ("android_phone", 4))
CHUNK_DAYS = 30


def accounts() -> list[tuple[str, str, str]]:
    """(platform, external id, currency) of the 10 accounts."""
    out = []
    for platform, currency, count in ACCOUNTS:
        out += [(platform, f"{platform}-{n}", currency) for n in range(count)]
    return out


def chunks(start: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    for offset in range(0, days, CHUNK_DAYS):
        first = start + dt.timedelta(days=offset)
        yield first, start + dt.timedelta(days=min(offset + CHUNK_DAYS, days) - 1)


def _cents(seed: int, day_no: int) -> int:
    return (seed * 7919 + day_no * 104729 + (seed * day_no) % 977) % 4000 + 50


def _row(account: tuple[str, str, str], day: dt.date, campaign: int, cents: int, **extra):
    platform, external_id, currency = account
    return SpendRow(
        platform=platform,
        account_id=external_id,
        date=day,
        currency=currency,
        campaign_id=f"{external_id}-c{campaign}",
        campaign_name=f"Campaign {campaign} of {external_id}",
        spend=Decimal(cents).scaleb(-2),
        impressions=cents * 3,
        clicks=cents // 40,
        installs=cents // 300,
        **extra,
    )


def chunk_rows(
    platform: str, external_id: str, currency: str, first: dt.date, last: dt.date, day0: dt.date
) -> dict[tuple[Level, str], list[SpendRow]]:
    """The rows of every (level, breakdown) slice of one account and chunk."""
    account = (platform, external_id, currency)
    ads, totals, countries, devices = [], [], [], []
    account_no = sum(map(ord, external_id))
    for day_no in range((first - day0).days, (last - day0).days + 1):
        day = day0 + dt.timedelta(days=day_no)
        for c in range(CAMPAIGNS_PER_ACCOUNT):
            prefix, total = f"{external_id}-c{c}", 0
            for a in range(AD_GROUPS * ADS_PER_GROUP):
                cents = _cents(account_no * 1000 + c * 50 + a, day_no)
                total += cents
                group = a // ADS_PER_GROUP
                ads.append(
                    _row(account, day, c, cents, ad_group_id=f"{prefix}-g{group}",
                         ad_group_name=f"Group {group}", ad_id=f"{prefix}-a{a}", ad_name=f"Ad {a}")
                )  # fmt: skip
            totals.append(_row(account, day, c, total))
            names = [COUNTRIES[(c + i) % len(COUNTRIES)] for i in range(3)]
            for country, part in zip(names, _split(total, COUNTRY_SHARES), strict=True):
                countries.append(_row(account, day, c, part, country=country))
            parts = _split(total, tuple(share for _, share in DEVICES))
            for (device, _), part in zip(DEVICES, parts, strict=True):
                devices.append(_row(account, day, c, part, device=device))
    return {
        (Level.CAMPAIGN, "none"): totals,
        (Level.AD, "none"): ads,
        (Level.CAMPAIGN, "country"): countries,
        (Level.CAMPAIGN, "device"): devices,
    }


def _split(cents: int, shares: tuple[int, ...]) -> list[int]:
    parts = [cents * s // sum(shares) for s in shares]
    parts[0] += cents - sum(parts)
    return parts


FX_RATES = """
    INSERT INTO fx_rates (date, currency, reporting_currency, rate, source)
    SELECT d, cur, 'USD', base + 0.02 * sin(extract(doy FROM d) / 9.0), 'bench'
    FROM generate_series(CAST(:start AS date) - 7, CAST(:end AS date), interval '1 day') d,
         (VALUES ('EUR', 1.09), ('GBP', 1.27)) v(cur, base)
    WHERE extract(isodow FROM d) < 6
"""

CUSTOMERS = """
    WITH camps AS (
        SELECT row_number() OVER (ORDER BY c.id) AS n, c.id, c.ad_account_id, c.external_id,
               a.platform
        FROM campaigns c JOIN ad_accounts a ON a.id = c.ad_account_id
    ), draws AS (
        SELECT i, 1 + floor(random() * (SELECT count(*) FROM camps))::int AS n,
               CAST(:start AS date) + floor(random() * :days)::int AS d, random() AS u
        FROM generate_series(1, :customers) i
    )
    INSERT INTO customers (external_id, acquired_at, acquisition_date, platform, ad_account_id,
                           campaign_id, campaign_external_id, country, device)
    SELECT 'bench-' || i, d + interval '1 hour' * floor(u * 24), d, camps.platform,
           camps.ad_account_id, camps.id, camps.external_id,
           (ARRAY['US', 'GB', 'DE', 'FR', 'JP'])[1 + floor(u * 5)::int],
           (ARRAY['iphone', 'android_phone'])[1 + floor(u * 10)::int % 2]
    FROM draws JOIN camps USING (n)
"""

#: :spread = 2 × (events per customer) − 1 before the cut at :end (6: about 3.5 each).
REVENUE = """
    INSERT INTO revenue_events (event_id, customer_id, occurred_at, amount, currency,
                                amount_reporting, fx_status)
    SELECT c.id || '-' || k, c.id, t, a, 'USD', a, 'exact'
    FROM customers c,
         LATERAL generate_series(1, 1 + floor(random() * :spread)::int) k,
         LATERAL (SELECT c.acquired_at + interval '1 day' * floor(random() ^ 2 * 400) AS t,
                         round((1 + random() * 30)::numeric, 2) AS a) e
    WHERE t < CAST(:end AS date) + 1
"""

MODEL = """
    WITH v AS (
        INSERT INTO model_versions (kind, algorithm, status, is_active, trained_at, params,
                                    metrics, source)
        VALUES ('ltv', 'mbgnbd_gg', 'ready', true, now(), '{}', '{}', 'spendlens')
        RETURNING id
    )
    INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30, predicted_ltv_90,
                               predicted_ltv_365, churn_probability, p_alive)
    SELECT v.id, c.id, x * 20, x * 35, x * 70, random(), random()
    FROM v, customers c, LATERAL (SELECT random() + 0.2 AS x) r
"""


def load_spend(db, start: dt.date, days: int, accounts_: list | None = None) -> tuple[int, float]:
    """Every account and chunk of `days` from `start` through the sync's write path, committed
    per chunk as a sync does; (ad-level rows, seconds)."""
    from sqlalchemy import text

    from backend.models import AdAccount
    from backend.services.ingestion.slices import Slice, replace_metric_slice
    from backend.services.roi.rollups import refresh_rollups

    end = start + dt.timedelta(days=days - 1)
    db.session.execute(text(FX_RATES), {"start": start, "end": end})
    stored = []
    for platform, external_id, currency in accounts_ or accounts():
        account = AdAccount(
            platform=platform,
            external_id=external_id,
            name=f"{platform} {external_id[-1]}",
            currency=currency,
            timezone="UTC",
            status="active",
        )
        db.session.add(account)
        stored.append(account)
    db.session.commit()
    began, ad_rows = time.perf_counter(), 0
    for account in stored:
        for first, last in chunks(start, days):
            slices = chunk_rows(
                account.platform, account.external_id, account.currency, first, last, start
            )
            cursor = db.session.connection().connection.cursor()
            for (level, breakdown), rows in slices.items():
                target = Slice(account.id, level, breakdown, first, last)
                replace_metric_slice(cursor, target, rows, sync_run_id=None)
                if level.value == "campaign":
                    refresh_rollups(cursor, target, "USD")
            db.session.commit()
            ad_rows += len(slices[(Level.AD, "none")])
        print(f"loaded {account.external_id}: {ad_rows} ad rows", file=sys.stderr, flush=True)
    return ad_rows, time.perf_counter() - began
