"""A marshmallow schema's dump of plain dicts as one compiled function: the dict the schema's
`dump` gives (its fields in their order, under their data keys, a key the object lacks left out,
each value as its field writes it), without marshmallow's per-field calls (attribute lookup,
`serialize`, a schema dump per nested dict). A cohort answer dumps thousands of nested values;
through the schema that cost more than encoding the answer.

Floats, integers and text are written inline (float(), int(), text, None kept); nested
schemas, lists and dicts are compiled in turn; every other field is written by its own
`_serialize`, so what it writes is the field's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, missing

Write = Callable[[Any], Any]


def compiled_dump(schema: Schema) -> Callable[[Mapping], dict]:
    """`schema.dump` of a mapping (not `many`), compiled. ValueError for what it does not
    compile: dump hooks, default values, dotted attributes, nested `many`, and attributes
    named like a dict's methods (marshmallow would read the method of a dict lacking them)."""
    if schema.many or schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        raise ValueError(f"{type(schema).__name__}: many and dump hooks are not compiled")
    plan = []
    for name, field in schema.dump_fields.items():
        attribute = field.attribute or name
        if field.dump_default is not missing or "." in attribute or hasattr(dict, attribute):
            raise ValueError(f"{name}: not compiled (a default, a dotted or a dict's attribute)")
        key = field.data_key if field.data_key is not None else name
        plan.append((attribute, key, _writer(field, name)))

    def dump(obj: Mapping) -> dict:
        out = {}
        for attribute, key, write in plan:
            value = obj.get(attribute, missing)
            if value is not missing:
                out[key] = write(value)
        return out

    return dump


def _writer(field: fields.Field, name: str) -> Write:
    """What a field writes for a value (None as None, as marshmallow's fields do)."""
    if isinstance(field, fields.Nested):
        if field.many:
            raise ValueError(f"{name}: nested many is not compiled")
        return _or_none(compiled_dump(field.schema))
    if isinstance(field, fields.List):
        inner = _writer(field.inner, name)
        return _or_none(lambda values: [inner(value) for value in values])
    if isinstance(field, fields.Dict):
        write_key = _writer(field.key_field, name) if field.key_field else _same
        write_value = _writer(field.value_field, name) if field.value_field else _same
        return _or_none(lambda mapping: {write_key(k): write_value(v) for k, v in mapping.items()})
    if type(field) in (fields.Float, fields.Integer) and not field.as_string:
        return _or_none(field.num_type)
    if isinstance(field, fields.String) and type(field)._serialize is fields.String._serialize:
        return _or_none(ensure_text_type)
    return lambda value: field._serialize(value, name, None)


def _same(value: Any) -> Any:
    return value


def _or_none(write: Write) -> Write:
    return lambda value: None if value is None else write(value)
