"""Task modules. Importing this package registers every task with Celery."""

from workers.tasks import (  # noqa: F401
    alerts,
    predictions,
    recommendations,
    sync,
    system,
    traffic,
)
