"""The audit log: one entry per change, written in the caller's transaction.

Any service that changes something on behalf of a user calls `record(...)` before its own commit,
so the change and its entry are stored together or not at all:

    before = audit.snapshot(budget, ("amount", "currency"))
    budget.amount = new_amount
    audit.record(actor, "budget.update", "budget", budget.id, before,
                 audit.snapshot(budget, ("amount", "currency")))
    db.session.commit()

Values of secret fields (at any depth) are replaced by "[secret]"; only fields that changed are
kept when both `before` and `after` are given.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, func, select, text

from backend.extensions import db
from backend.models import AuditLog, User

SECRET = "[secret]"
#: Field names whose values never reach the log, whatever the caller passes.
ALWAYS_SECRET = frozenset(
    {"password", "password_hash", "token", "token_hash", "credentials_encrypted", "secret"}
)
SYSTEM_ACTOR = "system"
#: PostgreSQL's OFFSET is a bigint; a page beyond this is empty anyway.
MAX_OFFSET = 2**62


def record(
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int | str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    secret_fields: Iterable[str] = (),
) -> AuditLog:
    """Add an audit entry to the current session (the caller commits it with its change).

    `actor` None means the system (a CLI command, a scheduled job). `action` is
    "<entity>.<verb>", e.g. "ad_account.update".
    """
    secrets = ALWAYS_SECRET | frozenset(secret_fields)
    if before is not None and after is not None:
        before, after = _changed_only(before, after)
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else SYSTEM_ACTOR,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=_redact(before, secrets) if before is not None else None,
        after=_redact(after, secrets) if after is not None else None,
        ip=_client_ip(),
    )
    db.session.add(entry)
    return entry


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of a model as a JSON-ready dict."""
    return {name: getattr(obj, name) for name in fields}


@dataclass(frozen=True)
class AuditQuery:
    entity_type: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def search(query: AuditQuery, *, offset: int, limit: int) -> tuple[list[AuditLog], int]:
    """Entries matching `query`, newest first, and the total count."""
    offset = min(offset, MAX_OFFSET)
    stmt = _filtered(select(AuditLog), query)
    total = db.session.scalar(_filtered(select(func.count(AuditLog.id)), query)) or 0
    rows = db.session.scalars(
        stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


#: How each entity is named for people: (table, the SQL of its name). An entity that no longer
#: exists is named by its last snapshot's "name" or "email".
ENTITY_NAMES = {
    "ad_account": ("ad_accounts", "name"),
    "budget": ("budgets", "name"),
    "user": ("users", "email"),
    "api_token": ("api_tokens", "name"),
    "model_version": ("model_versions", "kind || ' model ' || algorithm || ' #' || id"),
}


def entity_names(entries: Iterable[AuditLog]) -> dict[int, str | None]:
    """A readable name per entry id (None when its entity has none): one query per type."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        entity_id = entry.entity_id or ""
        if entry.entity_type in ENTITY_NAMES and entity_id.isdigit() and len(entity_id) <= 18:
            wanted.setdefault(entry.entity_type, set()).add(int(entity_id))
    found: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        table, name = ENTITY_NAMES[kind]
        sql = text(f"SELECT CAST(id AS text), {name} FROM {table} WHERE id = ANY(:ids)")
        for entity_id, label in db.session.execute(sql, {"ids": sorted(ids)}):
            found[(kind, entity_id)] = label
    return {
        entry.id: found.get((entry.entity_type, entry.entity_id or "")) or _snapshot_name(entry)
        for entry in entries
    }


def _snapshot_name(entry: AuditLog) -> str | None:
    for snapshot in (entry.after, entry.before):
        for key in ("name", "email"):
            if isinstance(snapshot, Mapping) and isinstance(snapshot.get(key), str):
                return snapshot[key]
    return None


def facets() -> dict[str, list[str]]:
    """The actions and entity types the log holds, for the filters to offer."""
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action))
    types = db.session.scalars(
        select(AuditLog.entity_type).distinct().order_by(AuditLog.entity_type)
    )
    return {"actions": list(actions), "entity_types": list(types)}


def _filtered(stmt: Select, query: AuditQuery) -> Select:
    if query.entity_type:
        stmt = stmt.where(AuditLog.entity_type == query.entity_type)
    if query.entity_id:
        stmt = stmt.where(AuditLog.entity_id == query.entity_id)
    if query.actor:
        actor = query.actor.strip()
        if actor.isdigit() and len(actor) <= 9:
            stmt = stmt.where(AuditLog.actor_id == int(actor))
        else:
            stmt = stmt.where(func.lower(AuditLog.actor_email) == actor.lower())
    if query.action:
        stmt = stmt.where(AuditLog.action == query.action)
    if query.since:
        stmt = stmt.where(AuditLog.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditLog.at < query.until)
    return stmt


def _changed_only(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return ({k: before.get(k) for k in keys}, {k: after.get(k) for k in keys})


def _redact(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): (SECRET if k in secrets and v is not None else _redact(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(v, secrets) for v in value]
    return _json_value(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        # JSONB refuses NUL and unpaired surrogates; the log must never fail a change.
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return SECRET
    return str(value)


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:64] or None
