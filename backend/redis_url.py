"""Redis URLs: the forms redis-py and Celery each expect for TCP and unix-socket servers."""

from __future__ import annotations

from urllib.parse import urlsplit


def celery_urls(redis_url: str) -> tuple[str, str]:
    """(broker_url, result_backend) for a redis:// or unix:// URL."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        query = f"?{parts.query}" if parts.query else ""
        url = f"redis+socket://{parts.path}{query}"
        return url, url
    return redis_url, redis_url
