"""Task modules. Importing this package registers every task with Celery."""

from workers.tasks import sync, system  # noqa: F401
