"""A service's unit of work on the real database: committed when it ends, rolled back when it
raises, and one transaction with any unit of work begun inside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.models import FxRate
from backend.services.transaction import unit_of_work


def rate(day: int) -> FxRate:
    return FxRate(
        date=dt.date(2025, 1, day),
        currency="EUR",
        reporting_currency="USD",
        rate=Decimal("1.1"),
        source="test",
    )


def committed_days(db) -> list[int]:
    """The days of the stored rates, as another connection sees them."""
    with db.engine.connect() as other:
        found = other.execute(text("SELECT date FROM fx_rates ORDER BY date")).scalars()
        return [day.day for day in found]


def test_a_unit_of_work_commits_when_it_ends(db):
    with unit_of_work():
        db.session.add(rate(1))
    assert committed_days(db) == [1]


def test_a_unit_of_work_rolls_back_when_it_raises_and_the_error_goes_on(db):
    with pytest.raises(ZeroDivisionError), unit_of_work():
        db.session.add(rate(1))
        db.session.flush()
        1 / 0  # noqa: B018
    assert db.session.scalars(text("SELECT count(*) FROM fx_rates")).one() == 0
    assert committed_days(db) == []


def test_a_unit_of_work_inside_another_commits_nothing_of_its_own(db):
    with unit_of_work():
        with unit_of_work():
            db.session.add(rate(1))
        db.session.flush()
        assert committed_days(db) == []
        db.session.add(rate(2))
    assert committed_days(db) == [1, 2]


def test_an_outer_unit_of_work_that_raises_rolls_back_the_inner_ones_too(db):
    with pytest.raises(ZeroDivisionError), unit_of_work():
        with unit_of_work():
            db.session.add(rate(1))
        1 / 0  # noqa: B018
    assert committed_days(db) == []
    with unit_of_work():  # and the next one, begun afresh, commits again
        db.session.add(rate(3))
    assert committed_days(db) == [3]
