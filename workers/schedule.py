"""The one beat schedule of Spendlens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "ping": {"task": "workers.tasks.system.ping", "schedule": timedelta(minutes=5)},
        "sync-accounts": {
            "task": "workers.tasks.sync.schedule_syncs",
            "schedule": timedelta(minutes=int(config["SYNC_INTERVAL_MINUTES"])),
        },
    }
