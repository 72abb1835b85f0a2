"""The one beat schedule of Spendlens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from celery.schedules import crontab


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "ping": {"task": "workers.tasks.system.ping", "schedule": timedelta(minutes=5)},
        "sync-accounts": {
            "task": "workers.tasks.sync.schedule_syncs",
            "schedule": timedelta(minutes=int(config["SYNC_INTERVAL_MINUTES"])),
        },
        "reap-orphaned-syncs": {
            "task": "workers.tasks.sync.reap_orphaned_runs",
            "schedule": timedelta(seconds=int(config.get("SYNC_REAPER_SECONDS", 60))),
            # a pass no worker picked up in time is dropped: the next one does its work
            "options": {"expires": int(config.get("SYNC_REAPER_SECONDS", 60))},
        },
        "train-models": {
            "task": "workers.tasks.predictions.train_and_score",
            "schedule": crontab(minute=0, hour=int(config.get("MODEL_TRAINING_HOUR_UTC", 3))),
        },
        "resume-activations": {
            "task": "workers.tasks.predictions.resume_activations",
            "schedule": timedelta(minutes=5),
        },
        "measure-drift": {
            "task": "workers.tasks.predictions.measure_drift",
            "schedule": timedelta(hours=6),
        },
        "refresh-customer-data": {
            "task": "workers.tasks.predictions.refresh_customer_data",
            "schedule": timedelta(hours=1),
        },
        "score-traffic": {
            "task": "workers.tasks.traffic.score_traffic",
            "schedule": timedelta(hours=1),
        },
        "evaluate-budgets": {
            "task": "workers.tasks.alerts.evaluate_budgets",
            "schedule": timedelta(minutes=int(config.get("ALERT_EVALUATION_MINUTES", 5))),
        },
        "deliver-outbox": {
            "task": "workers.tasks.alerts.deliver_outbox",
            "schedule": timedelta(minutes=1),
        },
        "weekly-recommendation": {
            "task": "workers.tasks.recommendations.weekly_recommendation",
            "schedule": crontab(
                minute=30, hour=4, day_of_week=int(config.get("RECOMMENDATION_WEEKDAY", 1))
            ),
        },
        "alert-digests": {
            "task": "workers.tasks.alerts.send_digests",
            "schedule": crontab(minute=0, hour=7),
        },
    }
