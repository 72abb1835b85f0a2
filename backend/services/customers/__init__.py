"""Customer data in: acquired customers, their revenue events and in-app events, from CSV files
and JSON batches
(records.py: the layouts; loading.py: streaming, validation, one transaction; merging.py: the SQL;
fx.py: revenue in the reporting currency; bulk.py and plain_events.py: the bulk ways of an events
file in the plain form; demo.py: the sandbox's customers through the loaders)."""

from backend.services.customers.loading import (
    MAX_BATCH_ITEMS,
    LoadResult,
    load_customers_batch,
    load_customers_csv,
    load_events_batch,
    load_events_csv,
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
    "load_revenue_batch",
    "load_revenue_csv",
]
