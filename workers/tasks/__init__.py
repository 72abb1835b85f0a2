"""Task modules. Importing this package registers every task with Celery."""

from workers.tasks import alerts, models, recommendations, sync, system, traffic  # noqa: F401
