"""Customer data in: acquired customers, their revenue events and in-app events, from CSV files
and JSON batches
(records.py: the layouts; loading.py: streaming, validation, one transaction; merging.py: the SQL;
fx.py: revenue in the reporting currency; bulk.py, plain_events.py and event_sources.py: the bulk
ways of in-app events from CSV files and JSON; demo.py: the sandbox's customers through the
loaders)."""

from backend.services.customers.loading import (
    MAX_BATCH_ITEMS,
    LoadResult,
    load_customers_batch,
    load_customers_csv,
    load_events_batch,
    load_events_csv,
    load_events_json,
    load_revenue_batch,
    load_revenue_csv,
)
from backend.services.customers.problems import LoadRejected

__all__ = [
    "MAX_BATCH_ITEMS",
    "LoadRejected",
    "LoadResult",
    "load_customers_batch",
    "load_customers_csv",
    "load_events_batch",
    "load_events_csv",
    "load_events_json",
    "load_revenue_batch",
    "load_revenue_csv",
]
