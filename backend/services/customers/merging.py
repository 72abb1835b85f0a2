"""The SQL half of a load: the temporary staging tables, the checks that need every staged record
(ids given twice, unknown ad accounts, unknown customers), and the merge into the real tables
(customers keyed by external id; revenue and in-app events by event id)."""

from __future__ import annotations

from backend.services.customers.fx import build_rate_table, fx_status
from backend.services.customers.problems import LISTED, Problems
from backend.services.customers.records import CUSTOMERS, EVENTS, REVENUE, RecordLayout


def check_stage(cursor, layout: RecordLayout, problems: Problems) -> None:
    """Add the problems only the whole load shows (up to the number an answer lists)."""
    cursor.execute(f"ANALYZE {layout.stage_table}")
    if layout is CUSTOMERS:
        report_duplicates(cursor, layout.stage_table, "external_id", "customer_id", problems)
        _report_unknown_accounts(cursor, problems)
    else:
        report_duplicates(cursor, layout.stage_table, "event_id", "event_id", problems)
        report_unknown_customers(cursor, layout.stage_table, problems)


def report_duplicates(cursor, stage: str, key: str, field: str, problems: Problems) -> None:
    """Records whose `key` an earlier record of the same load already has."""
    cursor.execute(
        f"""
        SELECT line, first FROM (
            SELECT line, min(line) OVER (PARTITION BY {key}) AS first FROM {stage}
        ) x WHERE line <> first ORDER BY line LIMIT {LISTED}
        """
    )
    for line, first in cursor.fetchall():
        problems.add(line, {field: [f"the same {field} as {problems.label} {first}"]})


def report_unknown_customers(cursor, stage: str, problems: Problems) -> None:
    """Records naming a customer (`customer_external_id`) that was never loaded."""
    cursor.execute(
        f"""
        SELECT s.line FROM {stage} s
        WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.external_id = s.customer_external_id)
        ORDER BY s.line LIMIT {LISTED}
        """
    )
    for (line,) in cursor.fetchall():
        problems.add(line, {"customer_id": ["no such customer (load the customers first)"]})


def _report_unknown_accounts(cursor, problems: Problems) -> None:
    cursor.execute(
        f"""
        SELECT s.line, s.platform, s.account_external_id FROM stage_customers s
        WHERE s.account_external_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ad_accounts a
            WHERE a.platform = s.platform AND a.external_id = s.account_external_id)
        ORDER BY s.line LIMIT {LISTED}
        """
    )
    for line, platform, account in cursor.fetchall():
        problems.add(line, {"account_external_id": [f"no {platform} ad account {account}"]})


def merge_stage(cursor, layout: RecordLayout) -> tuple[int, int]:
    """Insert new records and update changed ones; returns (inserted, updated)."""
    if layout is CUSTOMERS:
        sql = _MERGE_CUSTOMERS
    elif layout is REVENUE:
        sql = _merge_revenue(cursor)
    elif layout is EVENTS:
        sql = _MERGE_EVENTS
    else:
        raise ValueError(f"no merge for {layout.name}")
    return counted_merge(cursor, sql)


def counted_merge(cursor, sql: str) -> tuple[int, int]:
    """Run an upsert (`INSERT ... ON CONFLICT DO UPDATE`); returns (inserted, updated)."""
    cursor.execute(
        f"WITH merged AS ({sql} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged"
    )
    inserted, updated = cursor.fetchone()
    return int(inserted), int(updated)


_CUSTOMER_VALUES = (
    "acquired_at",
    "acquisition_date",
    "platform",
    "ad_account_id",
    "campaign_id",
    "campaign_external_id",
    "country",
    "device",
)

_MERGE_CUSTOMERS = f"""
    INSERT INTO customers AS c (external_id, {", ".join(_CUSTOMER_VALUES)})
    SELECT s.external_id, s.acquired_at, s.acquisition_date, s.platform, a.id, k.id,
           s.campaign_external_id, s.country, s.device
    FROM stage_customers s
    LEFT JOIN ad_accounts a ON a.platform = s.platform AND a.external_id = s.account_external_id
    LEFT JOIN campaigns k ON k.ad_account_id = a.id AND k.external_id = s.campaign_external_id
    ON CONFLICT (external_id) DO UPDATE SET
        {", ".join(f"{c} = EXCLUDED.{c}" for c in _CUSTOMER_VALUES)}
    WHERE ({", ".join(f"c.{c}" for c in _CUSTOMER_VALUES)}) IS DISTINCT FROM
          ({", ".join(f"EXCLUDED.{c}" for c in _CUSTOMER_VALUES)})
"""

_REVENUE_VALUES = (
    "customer_id",
    "occurred_at",
    "amount",
    "currency",
    "amount_reporting",
    "fx_status",
)


def _merge_revenue(cursor) -> str:
    build_rate_table(cursor, "stage_revenue_fx", "stage_revenue")
    return f"""
        INSERT INTO revenue_events AS e (event_id, {", ".join(_REVENUE_VALUES)})
        SELECT s.event_id, c.id, s.occurred_at, s.amount, s.currency,
               round(s.amount * f.rate, 6), {fx_status("f.rate_date", "s.event_date")}
        FROM stage_revenue s
        JOIN customers c ON c.external_id = s.customer_external_id
        JOIN stage_revenue_fx f ON f.currency = s.currency AND f.event_date = s.event_date
        ON CONFLICT (event_id) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in _REVENUE_VALUES)}, loaded_at = now()
        WHERE ({", ".join(f"e.{c}" for c in _REVENUE_VALUES)}) IS DISTINCT FROM
              ({", ".join(f"EXCLUDED.{c}" for c in _REVENUE_VALUES)})
    """


_EVENT_VALUES = ("customer_id", "occurred_at", "name", "value", "properties")


def merge_events_sql(source: str) -> str:
    """The upsert of in-app events from `source`, a query of (event_id, customer_id as
    customers.id, occurred_at, name, value, properties): a new event id is inserted, a stored
    one updated when a value changed, left alone otherwise."""
    return f"""
        INSERT INTO customer_events AS e (event_id, {", ".join(_EVENT_VALUES)})
        {source}
        ON CONFLICT (event_id) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in _EVENT_VALUES)}, loaded_at = now()
        WHERE ({", ".join(f"e.{c}" for c in _EVENT_VALUES)}) IS DISTINCT FROM
              ({", ".join(f"EXCLUDED.{c}" for c in _EVENT_VALUES)})
    """


_MERGE_EVENTS = merge_events_sql(
    """SELECT s.event_id, c.id, s.occurred_at, s.name, s.value, s.properties
       FROM stage_events s JOIN customers c ON c.external_id = s.customer_external_id"""
)


def resolve_campaigns(cursor) -> int:
    """Link customers to campaigns synced since they were loaded; returns how many."""
    cursor.execute(
        """
        UPDATE customers c SET campaign_id = k.id
        FROM campaigns k
        WHERE c.campaign_id IS NULL AND c.campaign_external_id IS NOT NULL
          AND k.ad_account_id = c.ad_account_id AND k.external_id = c.campaign_external_id
        """
    )
    return cursor.rowcount
