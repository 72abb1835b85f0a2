"""Which background processes were seen lately: each Celery worker and beat records itself in
Redis every few seconds (workers/presence.py); the health check and the metrics read it.

One hash per kind ("worker", "beat") and deployment (namespaced by the Celery queue), a field per
process name holding the unix time it was last seen.
"""

from __future__ import annotations

import time

import redis

#: A process not seen for this long is reported as missing.
MAX_SILENCE_S = {"worker": 60.0, "beat": 120.0}
#: Records older than this are dropped (a worker that is gone for good).
FORGET_AFTER_S = 24 * 3600


def key(namespace: str, kind: str) -> str:
    return f"spendlens:{namespace}:presence:{kind}"


def record(client: redis.Redis, namespace: str, kind: str, name: str) -> None:
    now = time.time()
    pipe = client.pipeline(transaction=False)
    pipe.hset(key(namespace, kind), name, now)
    pipe.expire(key(namespace, kind), FORGET_AFTER_S)
    pipe.execute()


def last_seen(client: redis.Redis, namespace: str, kind: str) -> dict[str, float]:
    """Seconds since each process of this kind was last seen."""
    now = time.time()
    raw = client.hgetall(key(namespace, kind))
    ages = {
        (k.decode() if isinstance(k, bytes) else k): max(0.0, now - float(v))
        for k, v in raw.items()
    }
    stale = [name for name, age in ages.items() if age > FORGET_AFTER_S]
    if stale:
        client.hdel(key(namespace, kind), *stale)
    return {name: age for name, age in ages.items() if age <= FORGET_AFTER_S}


def describe(client: redis.Redis, namespace: str, kind: str) -> dict:
    """{ok, last_seen_s, seen, error} for the health check."""
    ages = last_seen(client, namespace, kind)
    youngest = min(ages.values()) if ages else None
    limit = MAX_SILENCE_S[kind]
    ok = youngest is not None and youngest <= limit
    live = sorted(name for name, age in ages.items() if age <= limit)
    if ok:
        error = None
    elif youngest is None:
        error = f"no {kind} seen"
    else:
        error = f"no {kind} seen for {youngest:.0f}s"
    return {
        "ok": ok,
        "last_seen_s": None if youngest is None else round(youngest, 1),
        "seen": live,
        "error": error,
    }
