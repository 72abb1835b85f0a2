"""Per-platform concurrency limits across every worker process, held in Redis.

A slot is a member of a sorted set scored by its expiry, named by its holder (the task id): a task
redelivered after its worker died takes its own slot back at once. The lease is short and the
holder's heartbeat renews it while the sync runs, so a slot whose holder died frees itself within
a lease (the reaper frees it at once when it reaps the run). One platform's rate limit then keeps
at most its own slots busy. Keys are namespaced (by the Celery queue), so deployments sharing a
Redis do not share slots.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  return 1
end
return 0
"""

_RENEW = """
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
"""


class PlatformSlots:
    def __init__(
        self,
        client: redis.Redis,
        limits: dict[str, int],
        lease_s: int = 60,
        namespace: str = "default",
    ) -> None:
        self.client = client
        self.limits = limits
        self.lease_s = lease_s
        self.namespace = namespace
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)

    def key(self, platform: str) -> str:
        return f"spendlens:{self.namespace}:slots:{platform}"

    def acquire(self, platform: str, holder: str | None = None) -> str | None:
        token = holder or uuid.uuid4().hex
        now = time.time()
        limit = self.limits.get(platform, 2)
        got = self._acquire(keys=[self.key(platform)], args=[now, limit, now + self.lease_s, token])
        return token if got else None

    def renew(self, platform: str, token: str) -> bool:
        """Extend a held slot's lease; False when it was lost (expired and taken, or freed)."""
        expiry = time.time() + self.lease_s
        return bool(self._renew(keys=[self.key(platform)], args=[expiry, token]))

    def holders(self, platform: str) -> list[str]:
        """The holders of live slots of a platform."""
        live = self.client.zrangebyscore(self.key(platform), time.time(), "+inf")
        return [h.decode() if isinstance(h, bytes) else h for h in live]

    def release(self, platform: str, token: str) -> None:
        self.client.zrem(self.key(platform), token)

    @contextmanager
    def slot(self, platform: str, holder: str | None = None) -> Iterator[bool]:
        token = self.acquire(platform, holder)
        try:
            yield token is not None
        finally:
            if token is not None:
                self.release(platform, token)
