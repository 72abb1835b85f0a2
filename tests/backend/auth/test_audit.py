"""The audit service (one entry per change, in the caller's transaction, secrets replaced) and
GET /api/audit (admin; filters and pagination)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from backend.models import AuditLog, Role
from backend.services import audit


def test_record_keeps_changed_fields_and_replaces_secrets(db, make_user):
    actor = make_user(Role.FINANCE)
    entry = audit.record(
        actor,
        "budget.update",
        "budget",
        7,
        {"amount": Decimal("10.50"), "month": dt.date(2025, 1, 1), "cfg": {"api_key": "k1"}},
        {"amount": Decimal("12.00"), "month": dt.date(2025, 1, 1), "cfg": {"api_key": "k2"}},
        secret_fields=["api_key"],
    )
    db.session.commit()
    stored = db.session.get(AuditLog, entry.id)
    assert stored.actor_email == actor.email and stored.entity_id == "7"
    assert stored.before == {"amount": "10.50", "cfg": {"api_key": "[secret]"}}
    assert stored.after == {"amount": "12.00", "cfg": {"api_key": "[secret]"}}


def test_record_without_actor_is_the_system(db):
    entry = audit.record(None, "x.run", "x", None, None, {"password": "hunter2hunter2"})
    db.session.commit()
    assert entry.actor_email == "system"
    assert entry.after == {"password": "[secret]"}


def test_an_entry_is_rolled_back_with_its_change(admin):
    """The last admin's demotion fails (409): neither the change nor its entry is stored."""
    assert admin.patch(f"/api/users/{admin.user.id}", json={"role": "marketer"}).status_code == 409
    assert admin.get("/api/audit", query_string={"action": "user.update"}).json == []


def _seed(admin, make_user) -> None:
    for n in range(3):
        user = make_user(Role.MARKETER)
        admin.patch(f"/api/users/{user.id}", json={"name": f"n{n}"})


def test_filters_by_entity_actor_and_action(admin, make_user):
    _seed(admin, make_user)
    by_action = admin.get("/api/audit", query_string={"action": "user.update"}).json
    assert len(by_action) == 3
    assert all(e["actor_email"] == admin.user.email for e in by_action)
    by_email = admin.get("/api/audit", query_string={"actor": admin.user.email.upper()}).json
    by_id = admin.get("/api/audit", query_string={"actor": str(admin.user.id)}).json
    assert by_email == by_id == by_action
    entity = by_action[0]["entity_id"]
    one = admin.get("/api/audit", query_string={"entity_type": "user", "entity_id": entity}).json
    assert {e["action"] for e in one} == {"user.create", "user.update"}


def test_filters_by_time_window(admin, make_user):
    _seed(admin, make_user)
    now = dt.datetime.now(dt.UTC)
    future = (now + dt.timedelta(hours=1)).isoformat()
    past = (now - dt.timedelta(hours=1)).isoformat()
    assert admin.get("/api/audit", query_string={"since": future}).json == []
    assert len(admin.get("/api/audit", query_string={"since": past}).json) >= 6
    assert admin.get("/api/audit", query_string={"until": past}).json == []


def test_a_time_without_zone_or_a_reversed_window_is_422(admin):
    naive = admin.get("/api/audit", query_string={"since": "2025-01-01T00:00:00"})
    assert naive.status_code == 422 and "since" in naive.json["errors"]
    reversed_ = admin.get(
        "/api/audit",
        query_string={"since": "2025-02-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"},
    )
    assert reversed_.status_code == 422


def test_pages_newest_first_with_the_total_in_a_header(admin, make_user):
    _seed(admin, make_user)
    first = admin.get("/api/audit", query_string={"page": 1, "page_size": 2})
    second = admin.get("/api/audit", query_string={"page": 2, "page_size": 2})
    pagination = json.loads(first.headers["X-Pagination"])
    assert pagination["total"] == 7  # the admin, 3 users created, 3 updated
    assert len(first.json) == len(second.json) == 2
    ids = [e["id"] for e in first.json + second.json]
    assert ids == sorted(ids, reverse=True)


def test_entries_name_their_entity_as_people_do(admin, make_user):
    user = make_user(Role.MARKETER)
    admin.patch(f"/api/users/{user.id}", json={"name": "Renamed"})
    (entry,) = admin.get("/api/audit", query_string={"action": "user.update"}).json
    assert entry["entity_id"] == str(user.id) and entry["entity_name"] == user.email


def test_a_deleted_entity_is_named_by_its_last_snapshot(admin, db):
    audit.record(None, "budget.delete", "budget", 999_999, {"name": "Gone Q3"}, None)
    db.session.commit()
    (entry,) = admin.get("/api/audit", query_string={"action": "budget.delete"}).json
    assert entry["entity_name"] == "Gone Q3"


def test_facets_list_the_actions_and_entity_types_in_the_log(admin, make_user):
    _seed(admin, make_user)
    facets = admin.get("/api/audit/facets").json
    assert facets["actions"] == ["user.create", "user.update"]
    assert facets["entity_types"] == ["user"]
