"""The answers' schemas dumped by compiled functions (backend.api.dumping): the same values,
keys and types as marshmallow's own dump."""

from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import Schema, fields, post_dump

from backend.api.dumping import compiled_dump
from backend.api.strings import Text
from tests.backend.roi.conftest import AS_OF, JAN1, JAN10, typed


class Point(Schema):
    day = fields.Integer(required=True)
    value = fields.Float(allow_none=True)


class Everything(Schema):
    amount = fields.Float(allow_none=True)
    count = fields.Integer()
    label = Text()
    flag = fields.Boolean()
    day = fields.Date()
    at = fields.DateTime(allow_none=True)
    start = fields.Date(data_key="from", attribute="from_day")
    point = fields.Nested(Point, allow_none=True)
    points = fields.List(fields.Nested(Point))
    days = fields.List(fields.Date(), allow_none=True)
    by_age = fields.Dict(keys=Text(), values=fields.Dict(keys=Text(), values=fields.Float()))
    raw = fields.Raw()


def test_a_compiled_dump_writes_each_field_as_marshmallow_does():
    obj = {
        "amount": 3,  # an int in a Float field is written 3.0
        "count": 4.0,  # a float in an Integer field is written 4
        "label": b"caf\xc3\xa9",
        "flag": 1,
        "day": dt.date(2024, 1, 2),
        "at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "from_day": dt.date(2024, 2, 1),
        "point": None,
        "points": [{"day": 1.0, "value": None}, {"day": 2, "value": 7, "extra": "dropped"}],
        "days": [dt.date(2024, 1, 1)],
        "by_age": {"D7": {"error_p50": 1}},
        "raw": {"kept": [1, 2]},
        "not_in_the_schema": 1,
    }
    schema = Everything()
    assert typed(compiled_dump(schema)(obj)) == typed(schema.dump(obj))
    partial = {"amount": None, "at": None, "days": None}  # missing keys stay missing
    assert typed(compiled_dump(schema)(partial)) == typed(schema.dump(partial))


def test_what_a_compiled_dump_cannot_do_is_refused():
    class Hooked(Schema):
        value = fields.Float()

        @post_dump
        def rounded(self, data, **_):
            return data

    class DictNamed(Schema):
        items = fields.List(fields.Integer())

    for schema in (Hooked(), DictNamed()):
        with pytest.raises(ValueError):
            compiled_dump(schema)


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_the_cohort_answer_is_its_schemas_dump(world, grain):
    from backend.api.roi import _cohorts, _dump_cohorts_but_points
    from backend.services.roi.cohorts import cohort_report

    report = cohort_report(JAN1, JAN10, grain, as_of=AS_OF)
    assert report["cohorts"] and report["model"]
    assert typed(_dump_cohorts_but_points(report)) == typed(_cohorts.dump(report))


def test_the_overview_figures_are_their_schemas_dump(world):
    from backend.api.roi import _dump_overview_figures, _overview_figures
    from backend.services.roi.overview import overview_figures

    figures = overview_figures(JAN1, JAN10, AS_OF)
    assert figures["series"]
    assert typed(_dump_overview_figures(figures)) == typed(_overview_figures.dump(figures))
