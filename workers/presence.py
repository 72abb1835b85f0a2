"""Workers and beat show themselves alive in Redis (backend/services/presence.py): a worker
bootstep records the worker every `INTERVAL_S` on the worker's own timer, and beat's scheduler
records beat on its ticks. The web health check and /metrics read these records.

A record that cannot be written (Redis is away) is skipped; the next tick tries again.
"""

from __future__ import annotations

import logging
import socket
import time

import redis
from celery import bootsteps
from celery.beat import PersistentScheduler

from backend.services import presence

log = logging.getLogger("spendlens.workers.presence")
INTERVAL_S = 15.0


def _client(conf) -> redis.Redis:
    return redis.Redis.from_url(
        conf["spendlens_redis_url"], socket_timeout=1.0, socket_connect_timeout=1.0
    )


def _record(conf, kind: str, name: str) -> None:
    try:
        presence.record(_client(conf), conf["spendlens_namespace"], kind, name)
    except redis.RedisError as exc:
        log.debug("%s %s not recorded: %s", kind, name, exc)


class WorkerPresence(bootsteps.StartStopStep):
    """Records the worker as seen, now and every INTERVAL_S."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker) -> None:
        conf = worker.app.conf
        _record(conf, "worker", worker.hostname)
        self.tref = worker.timer.call_repeatedly(
            INTERVAL_S, _record, (conf, "worker", worker.hostname), priority=10
        )

    def stop(self, worker) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


class PresentScheduler(PersistentScheduler):
    """Beat's scheduler, recording beat as seen on its ticks (at most every INTERVAL_S)."""

    _recorded_at = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._recorded_at >= INTERVAL_S:
            self._recorded_at = now
            _record(self.app.conf, "beat", f"beat@{socket.gethostname()}")
        return super().tick(*args, **kwargs)
