"""A running sync's heartbeat: a thread that, every few seconds while the task works, stamps the
run's `heartbeat_at` and renews the task's platform slot.

The beat is what tells the reaper that the task is alive; when the worker dies (SIGKILL, OOM, a
lost machine) the beats stop, the slot's lease runs out within a minute and the reaper re-queues
the run. A beat that fails (the database or Redis is away) is logged and tried again on the next
tick; the task itself finds out about an outage on its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from backend.services.ingestion import recovery
from workers.concurrency import PlatformSlots

log = logging.getLogger("spendlens.workers.heartbeat")


class Heartbeat:
    def __init__(
        self,
        app: Flask,
        run_id: int,
        interval_s: float,
        slots: PlatformSlots | None = None,
        platform: str | None = None,
        token: str | None = None,
    ) -> None:
        self.app, self.run_id, self.interval_s = app, run_id, interval_s
        self.slots, self.platform, self.token = slots, platform, token
        self.beats = 0
        self.run_given_up = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"heartbeat-run-{run_id}", daemon=True
        )

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.beat()

    def beat(self) -> None:
        try:
            if self.slots is not None and self.platform and self.token:
                self.slots.renew(self.platform, self.token)
            with self.app.app_context():
                if not recovery.record_heartbeat(self.run_id):
                    self.run_given_up = True
            self.beats += 1
        except Exception as exc:  # noqa: BLE001 - a missed beat is retried on the next tick
            log.warning("sync run %s: heartbeat failed (%s)", self.run_id, type(exc).__name__)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s + 5)


@contextmanager
def beating(heartbeat: Heartbeat) -> Iterator[Heartbeat]:
    heartbeat.start()
    try:
        yield heartbeat
    finally:
        heartbeat.stop()
