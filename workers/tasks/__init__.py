"""Task modules. Importing this package registers every task with Celery."""

from workers.tasks import alerts, models, sync, system  # noqa: F401
