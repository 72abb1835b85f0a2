"""Per-platform slots in the real Redis."""

from __future__ import annotations

import secrets

import pytest
import redis

from workers.concurrency import PlatformSlots


@pytest.fixture
def slots(redis_url):
    client = redis.Redis.from_url(redis_url)
    slots = PlatformSlots(client, {"meta": 2}, lease_s=60, namespace=secrets.token_hex(4))
    yield slots
    client.delete(slots.key("meta"))


def test_a_platform_gets_at_most_its_limit_of_slots(slots):
    first, second = slots.acquire("meta"), slots.acquire("meta")
    assert first and second
    assert slots.acquire("meta") is None
    slots.release("meta", first)
    assert slots.acquire("meta") is not None


def test_other_platforms_are_not_limited_by_a_busy_one(slots):
    slots.acquire("meta"), slots.acquire("meta")
    assert slots.acquire("google_ads") is not None


def test_a_redelivered_task_takes_its_own_slot_back(slots):
    slots.acquire("meta", holder="task-1")
    slots.acquire("meta", holder="task-2")
    assert slots.acquire("meta", holder="task-3") is None
    assert slots.acquire("meta", holder="task-1") == "task-1"


def test_an_expired_lease_frees_the_slot(redis_url):
    client = redis.Redis.from_url(redis_url)
    slots = PlatformSlots(client, {"meta": 1}, lease_s=-1, namespace=secrets.token_hex(4))
    assert slots.acquire("meta") is not None
    assert slots.acquire("meta") is not None
    client.delete(slots.key("meta"))


def test_slot_context_releases_on_exit(slots):
    with slots.slot("meta") as granted:
        assert granted
    assert slots.client.zcard(slots.key("meta")) == 0
