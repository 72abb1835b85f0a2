"""One stored row by its id, for the services: `find_by_id` answers NotFound (404) when there is
none, and for an id the key's column cannot hold (a number in a URL is not checked against the
column's range anywhere else) instead of letting the database refuse it."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import BigInteger, inspect, select

from backend.errors import NotFound
from backend.extensions import db

Row = TypeVar("Row")

INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


def find_by_id(model: type[Row], row_id: int, *, missing: str, for_update: bool = False) -> Row:
    """The row of `model` with this id (locked with `for_update`), or NotFound(`missing`)."""
    (key,) = inspect(model).primary_key
    largest = BIGINT_MAX if isinstance(key.type, BigInteger) else INTEGER_MAX
    if not 0 < row_id <= largest:
        raise NotFound(missing)
    stmt = select(model).where(key == row_id)
    row = db.session.scalar(stmt.with_for_update() if for_update else stmt)
    if row is None:
        raise NotFound(missing)
    return row
