"""How a service ends a unit of work (Superset's commands wrap theirs in `@transaction`): one
transaction that commits when the work returns and rolls back when it raises (the error goes on
to the caller). A service commits more than once only where a step must be seen by others before
the next begins — a task's row before the task is sent, a run shown as running — and says so.

A unit of work begun inside another is part of it: it commits nothing, and the outer one
commits or rolls back the whole (a recommendation's application writes its budgets through the
budgets service, all or none of them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from backend.extensions import db

_OPEN = "spendlens.unit_of_work"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit the session when the block ends; roll it back if the block raises. Inside another
    unit of work, do neither: the outer one ends the transaction."""
    info = db.session.info
    if info.get(_OPEN):
        yield
        return
    info[_OPEN] = True
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()
    finally:
        info.pop(_OPEN, None)
