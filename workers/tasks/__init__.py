"""Task modules. Importing this package registers every task with Celery."""

from workers.tasks import models, sync, system  # noqa: F401
