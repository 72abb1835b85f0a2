"""Per-platform concurrency limits across every worker process, held in Redis.

A slot is a member of a sorted set scored by its expiry, so a worker that dies mid-sync frees its
slot when the lease runs out. One platform's rate limit then keeps at most its own slots busy.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  return 1
end
return 0
"""


class PlatformSlots:
    def __init__(self, client: redis.Redis, limits: dict[str, int], lease_s: int = 3600) -> None:
        self.client = client
        self.limits = limits
        self.lease_s = lease_s
        self._acquire = client.register_script(_ACQUIRE)

    @staticmethod
    def key(platform: str) -> str:
        return f"spendlens:slots:{platform}"

    def acquire(self, platform: str) -> str | None:
        token = uuid.uuid4().hex
        now = time.time()
        limit = self.limits.get(platform, 2)
        got = self._acquire(keys=[self.key(platform)], args=[now, limit, now + self.lease_s, token])
        return token if got else None

    def release(self, platform: str, token: str) -> None:
        self.client.zrem(self.key(platform), token)

    @contextmanager
    def slot(self, platform: str) -> Iterator[bool]:
        token = self.acquire(platform)
        try:
            yield token is not None
        finally:
            if token is not None:
                self.release(platform, token)
