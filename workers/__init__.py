"""Celery workers: the Celery app, the beat schedule and thin task wrappers around services."""
