"""How a service ends a unit of work (Superset's commands wrap theirs in `@transaction`): one
transaction that commits when the work returns and rolls back when it raises (the error goes on
to the caller). A service commits more than once only where a step must be seen by others before
the next begins — a task's row before the task is sent, a run shown as running — and says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from backend.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit the session when the block ends; roll it back if the block raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
