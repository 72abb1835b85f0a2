"""Importing a data-science team's own model outputs as a version of their own.

CSV columns: `customer_id` (the customer's external id), `predicted_ltv_30`, `predicted_ltv_90`,
`predicted_ltv_365` (reporting currency, with model_outputs' definition: total revenue from
acquisition through day N), and optionally `churn_probability` and `p_alive` (0..1). The file is
validated like a customer file (line and field of up to 20 problems; a bad file imports nothing)
and streams through a staging table. It becomes an LTV version (algorithm 'external', source
'import:<name>') and, when it has churn probabilities, a churn version with the same source.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import IO

from backend.errors import Invalid
from backend.extensions import db
from backend.models import ModelKind, ModelStatus, ModelVersion
from backend.services import audit
from backend.services.customers.loading import copy_into_stage, csv_records
from backend.services.customers.merging import report_duplicates, report_unknown_customers
from backend.services.customers.problems import LISTED, Problems
from backend.services.customers.records import (
    FieldProblem,
    RecordLayout,
    copy_text,
    parse_identifier,
)
from backend.services.predictions import versions

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_LTV_COLUMNS = ("predicted_ltv_30", "predicted_ltv_90", "predicted_ltv_365")
_PROBABILITIES = ("churn_probability", "p_alive")


def _money(raw: str) -> Decimal:
    value = raw.strip()
    if not value:
        raise FieldProblem("required")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise FieldProblem("not a number") from None
    if not amount.is_finite() or amount < 0:
        raise FieldProblem("must be a number of at least 0")
    if amount >= Decimal(10) ** 14:
        raise FieldProblem("too large")
    return round(amount, 6)


def _probability(raw: str) -> Decimal | None:
    value = raw.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FieldProblem("not a number") from None
    if not number.is_finite() or not 0 <= number <= 1:
        raise FieldProblem("must be between 0 and 1")
    return number


OUTPUTS = RecordLayout(
    name="model_outputs",
    label="model outputs",
    table="model_outputs",
    columns=("customer_id", *_LTV_COLUMNS, *_PROBABILITIES),
    required=frozenset({"customer_id", *_LTV_COLUMNS}),
    parsers={
        "customer_id": parse_identifier,
        **dict.fromkeys(_LTV_COLUMNS, _money),
        **dict.fromkeys(_PROBABILITIES, _probability),
    },
    stage_table="stage_model_outputs",
    stage_columns=(
        ("line", "bigint"),
        ("customer_external_id", "text"),
        *((name, "numeric") for name in (*_LTV_COLUMNS, *_PROBABILITIES)),
    ),
    stage_values=lambda parsed: tuple(copy_text(parsed[name]) for name in OUTPUTS.columns),
)


def import_outputs(
    stream: IO[str], name: str, *, actor=None, activate: bool = False
) -> list[ModelVersion]:
    """Import the file as new version(s); activate them when asked. One transaction."""
    if not _NAME.match(name or ""):
        raise Invalid("a name of 1-64 letters, digits, '.', '_' or '-'", field="name")
    try:
        created = _import(stream, name, activate)
        audit.record(
            actor,
            "model_version.import",
            "model_version",
            created[0].id,
            None,
            {
                "source": f"import:{name}",
                "versions": [v.id for v in created],
                "activated": activate,
            },
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return created


def _import(stream: IO[str], name: str, activate: bool) -> list[ModelVersion]:
    problems = Problems("line")
    cursor = db.session.connection().connection.cursor()
    copied = copy_into_stage(cursor, OUTPUTS, csv_records(stream, OUTPUTS, problems), problems)
    if problems.count < LISTED:
        cursor.execute(f"ANALYZE {OUTPUTS.stage_table}")
        report_duplicates(
            cursor, OUTPUTS.stage_table, "customer_external_id", "customer_id", problems
        )
        report_unknown_customers(cursor, OUTPUTS.stage_table, problems)
    if problems:
        raise problems.rejection("Model outputs")
    if copied.count == 0:
        raise Invalid("the file has no outputs", field="file")
    cursor.execute(f"SELECT count(churn_probability) FROM {OUTPUTS.stage_table}")
    with_churn = cursor.fetchone()[0] > 0
    created = [_version(ModelKind.LTV, name, copied.count)]
    if with_churn:
        created.append(_version(ModelKind.CHURN, name, copied.count))
    db.session.flush()
    for version in created:
        columns = (
            (*_LTV_COLUMNS, *_PROBABILITIES) if version.kind == ModelKind.LTV else (_PROBABILITIES)
        )
        _insert_outputs(cursor, version.id, columns)
    if activate:
        versions.activate_pair(*created)
    return created


def _version(kind: ModelKind, name: str, rows: int) -> ModelVersion:
    version = ModelVersion(
        kind=kind.value,
        algorithm="external",
        status=ModelStatus.READY,
        is_active=False,
        trained_at=dt.datetime.now(dt.UTC),
        params={"rows": rows},
        metrics={},
        source=f"import:{name}",
    )
    db.session.add(version)
    return version


def _insert_outputs(cursor, version_id: int, columns: tuple[str, ...]) -> None:
    names = ", ".join(columns)
    selected = ", ".join(f"s.{c}" for c in columns)
    cursor.execute(
        f"""
        INSERT INTO model_outputs (model_version_id, customer_id, {names})
        SELECT %(version)s, c.id, {selected}
        FROM {OUTPUTS.stage_table} s JOIN customers c ON c.external_id = s.customer_external_id
        """,
        {"version": version_id},
    )
