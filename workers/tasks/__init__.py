"""Task modules. Importing this package registers every task with Celery."""

from workers.tasks import alerts, predictions, recommendations, sync, system, traffic  # noqa: F401
