"""The bulk ways of in-app events, from a CSV file or JSON items (event_sources.py; plain_events.py:
checked and given their customers' ids by Arrow), both streamed by COPY:

- into an empty customer_events (the first load): straight into the table, whose keys and
  indexes are dropped first and rebuilt after, sorted, in the same transaction; the table is
  locked against readers until then;
- into a table that holds events (the daily load): straight into the table when none of the
  event ids is stored yet (a stored one makes that COPY fail, which is undone); otherwise into
  a temporary staging table of the same columns, then merged by event id as the full parse
  merges (merging.py: a new event inserted, a changed one updated, an unchanged one left alone),
  a slice of the staging table at a time. Readers are never blocked.

Records not in the form these ways take, a customer never loaded, an event id given twice: this
way rolls back to its savepoint and the load takes the full parse (loading.py), which loads them
or names each problem by line or item and field: the contract is that one's, these ways only take
the common case faster.
"""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pyarrow as pa

from backend.services.customers import merging
from backend.services.customers.plain_events import (
    COLUMNS,
    CustomerIds,
    EventSource,
    NotPlain,
    copy_plain_events,
)
from backend.services.customers.records import EVENTS

_TABLE = EVENTS.table
_STAGE = "stage_plain_events"
#: Pages of the staging table merged by one statement (~1M events): what a statement keeps
#: until its end (the rows it wrote, for the check of their customers) stays bounded.
SLICE_PAGES = 16_384
#: Records whose event ids are looked up before copying a file straight into the table.
PROBE_LINES = 1_000


def load_plain_events(cursor, source: EventSource) -> tuple[int, int, int] | None:
    """Load the events of `source` a bulk way, in the caller's transaction: (rows, inserted,
    updated), or None (nothing done, the source back at its start) when the full parse must
    take them."""
    if not source.rewindable:
        return None
    cursor.execute("SAVEPOINT bulk_events")
    try:
        if _empty_and_locked(cursor):
            rows = _copy_and_index(cursor, source)
            result = (rows, rows, 0)
        else:
            cursor.execute("ROLLBACK TO SAVEPOINT bulk_events")  # and its locks, if any
            customers = CustomerIds(cursor)
            result = _copy_new(cursor, source, customers) or _stage_and_merge(
                cursor, source, customers
            )
    except (
        NotPlain,
        pa.ArrowException,
        psycopg2.DataError,
        psycopg2.IntegrityError,
        psycopg2.errors.CardinalityViolation,  # an event id given twice, met by the merge
    ):
        cursor.execute("ROLLBACK TO SAVEPOINT bulk_events")
        source.rewind()
        return None
    cursor.execute("RELEASE SAVEPOINT bulk_events")
    return result


def _empty_and_locked(cursor) -> bool:
    """Whether customer_events has no rows; if so it is locked against everyone until the end
    of the transaction (its indexes are dropped), and customers against writers."""
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_TABLE})")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute(f"LOCK TABLE {_TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute("LOCK TABLE customers IN SHARE MODE")
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_TABLE})")
    return bool(cursor.fetchone()[0])


def _copy_and_index(cursor, source: EventSource) -> int:
    rebuild = _drop_keys_and_indexes(cursor)
    rows = copy_plain_events(cursor, source, _TABLE, CustomerIds(cursor))
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for statement in rebuild:
        cursor.execute(statement)
    return rows


def _drop_keys_and_indexes(cursor) -> list[str]:
    """Drop the table's keys, indexes and check of its customers; the statements that make
    them again."""
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype IN ('p', 'u')""",
        (_TABLE,),
    )
    keys = cursor.fetchall()
    cursor.execute(
        """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
           WHERE indrelid = %s::regclass AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        (_TABLE,),
    )
    indexes = cursor.fetchall()
    # The check that the rows' customers exist (migration 0034) would keep every row written
    # for one anti-join at the end: every row was given the id of a customer read under the
    # SHARE lock this transaction holds, so proving it again proves nothing.
    cursor.execute(
        """SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass
           AND tgfoid = 'customer_events_check_customers'::regproc AND tgtype & 4 <> 0""",
        (_TABLE,),
    )  # tgtype & 4: an insert trigger
    checks = cursor.fetchall()
    for name, _ in keys:
        cursor.execute(f'ALTER TABLE {_TABLE} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    for name, _ in checks:
        cursor.execute(f'DROP TRIGGER "{name}" ON {_TABLE}')
    # the keys first (an event id given twice fails there), then the indexes
    return (
        [f'ALTER TABLE {_TABLE} ADD CONSTRAINT "{n}" {d}' for n, d in keys]
        + [d for _, d in indexes]
        + [d for _, d in checks]
    )


def _copy_new(cursor, source: EventSource, customers: CustomerIds) -> tuple[int, int, int] | None:
    """The events straight into the table by COPY, when none of their ids is stored yet (the
    daily load of new events); None, nothing done and the source back at its start, when one
    is (or is given twice). The COPY fails at such a row but is sent to its end (the server
    discards the rest): a file whose first events are stored (loaded again, or re-sending the
    end of the previous one) is not copied."""
    if _starts_stored(cursor, source):
        return None
    cursor.execute("SAVEPOINT bulk_new_events")
    try:
        rows = copy_plain_events(cursor, source, _TABLE, customers)
    except psycopg2.errors.UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT bulk_new_events")
        source.rewind()
        return None
    cursor.execute("RELEASE SAVEPOINT bulk_new_events")
    return rows, rows, 0


def _starts_stored(cursor, source: EventSource) -> bool:
    """Whether an event id of the first PROBE_LINES records is stored; the source back at its
    start."""
    ids = source.first_event_ids(PROBE_LINES)
    cursor.execute(f"SELECT EXISTS (SELECT FROM {_TABLE} WHERE event_id = ANY(%s))", (ids,))
    return bool(cursor.fetchone()[0])


def _stage_and_merge(cursor, source: EventSource, customers: CustomerIds) -> tuple[int, int, int]:
    """The events into the staging table, merged, then checked for an event id given twice."""
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    cursor.execute(f"CREATE TEMP TABLE {_STAGE} (LIKE {_TABLE} INCLUDING DEFAULTS) ON COMMIT DROP")
    rows = copy_plain_events(cursor, source, _STAGE, customers)
    cursor.execute(f"SELECT pg_relation_size('{_STAGE}') / current_setting('block_size')::int")
    pages = cursor.fetchone()[0]
    inserted = updated = 0
    for first in range(0, pages, SLICE_PAGES):
        inserted_here, updated_here = merging.counted_merge(
            cursor,
            merging.merge_events_sql(
                f"""SELECT {", ".join(COLUMNS)} FROM {_STAGE}
                    WHERE ctid >= '({first},0)' AND ctid < '({first + SLICE_PAGES},0)'"""
            ),
        )
        inserted, updated = inserted + inserted_here, updated + updated_here
    # When every row inserted an event, no two share an id; otherwise two rows with a stored
    # id can both have left it as it was: the full parse names the lines (the merge is undone)
    if inserted < rows:
        cursor.execute(
            f"SELECT EXISTS (SELECT FROM {_STAGE} GROUP BY event_id HAVING count(*) > 1)"
        )
        if cursor.fetchone()[0]:
            raise NotPlain("event_id")
    return rows, inserted, updated
