"""What the Redis broker holds: the ids of the tasks waiting in a queue, and of those delivered
to a worker and not acknowledged yet (kombu's `unacked` hash).

The reaper asks this to tell a queued sync run whose task is on its way from one whose task is
gone. It reads kombu's Redis layout (a list per queue, one more per priority step, and the
`unacked` hash of [message, exchange, routing key]), which is stable across kombu 5.x.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

#: kombu's separator between a queue's name and its priority step, and the steps it uses.
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)
UNACKED_KEY = "unacked"


@dataclass(frozen=True)
class BrokerTasks:
    queued: frozenset[str]
    unacked: frozenset[str]


def _task_id(raw: bytes | str) -> str | None:
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    if isinstance(message, list):  # an unacked entry: [message, exchange, routing_key]
        message = message[0] if message else {}
    headers = message.get("headers") or {}
    return headers.get("id") or (message.get("properties") or {}).get("correlation_id")


def tasks_in_broker(client: redis.Redis, queue: str) -> BrokerTasks:
    """Task ids waiting in `queue` (every priority), and task ids delivered but unacknowledged
    (on any queue of this Redis database)."""
    pipe = client.pipeline(transaction=False)
    pipe.lrange(queue, 0, -1)
    for step in PRIORITY_STEPS:
        pipe.lrange(f"{queue}{PRIORITY_SEP}{step}", 0, -1)
    pipe.hvals(UNACKED_KEY)
    *lists, unacked = pipe.execute()
    queued = {_task_id(raw) for items in lists for raw in items}
    held = {_task_id(raw) for raw in unacked}
    return BrokerTasks(frozenset(queued - {None}), frozenset(held - {None}))


def queue_depth(client: redis.Redis, queue: str) -> int:
    """Messages waiting in `queue`, every priority."""
    pipe = client.pipeline(transaction=False)
    pipe.llen(queue)
    for step in PRIORITY_STEPS:
        pipe.llen(f"{queue}{PRIORITY_SEP}{step}")
    return sum(pipe.execute())
