"""Answers of the ROI read model computed once per data change: the ROI, overview and cohort
answers are kept in Redis as JSON under a key of the request and the data version.

The data version is what the reader's own database snapshot says of `roi_data_changes`
(Σ weight, max id of the changes that overlap the answer's days; triggers add a row in every
transaction that writes an input, with the days it changed, see `sql/data_changes.sql` and
`sql/data_change_days.sql`). It is read before the answer is computed, in an earlier or the
same snapshot, so an answer stored under a version never holds older data than that version: a
stale answer is never served. What is not data joins the key: the request, the day it is asked
on (`as_of`), the reporting currency and margin rate, the database, and a fingerprint of the
code that computes answers (a new release never serves an old release's shape).

Redis unavailable: answers are computed, never refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import text

from backend.extensions import db

log = logging.getLogger(__name__)

#: How long an answer is kept; a new data version makes it unreachable long before.
TTL_SECONDS = 24 * 3600
#: How long the others wait for a request computing an answer (its marker expires then too).
COMPUTING_SECONDS = 30
#: roi_data_changes is folded into its newest row once it holds more rows than this.
FOLD_AT_ROWS = 256
_VERSION = text(
    """
    SELECT COALESCE(sum(weight) FILTER (WHERE first_day <= :last AND last_day >= :first), 0),
           max(id) FILTER (WHERE first_day <= :last AND last_day >= :first), count(*)
    FROM roi_data_changes
    """
)
#: All rows but the newest folded into it (its weight counts theirs, its days span theirs): the
#: version of a range changes at most once, never back to an earlier value.
_FOLD = text(
    """
    WITH newest AS (SELECT max(id) AS id FROM roi_data_changes),
         gone AS (DELETE FROM roi_data_changes WHERE id < (SELECT id FROM newest)
                  RETURNING weight, first_day, last_day)
    UPDATE roi_data_changes
    SET weight = weight + (SELECT COALESCE(sum(weight), 0) FROM gone),
        first_day = LEAST(first_day, (SELECT min(first_day) FROM gone)),
        last_day = GREATEST(last_day, (SELECT max(last_day) FROM gone))
    WHERE id = (SELECT id FROM newest)
    """
)
#: Every day.
ALL_DAYS = (dt.date.min, dt.date.max)
#: Packages whose code shapes an answer.
_CODE = ("backend", "analytics", "connectors")


def data_version(days: tuple[dt.date, dt.date] = ALL_DAYS) -> str:
    """The version of the ROI answers' inputs about `days` (first, last; acquisition or spend
    days) in the session's current snapshot: changes of other days leave it as it is."""
    first, last = days
    total, newest, rows = db.session.execute(_VERSION, {"first": first, "last": last}).one()
    if rows > FOLD_AT_ROWS:
        _fold()
    return f"{total}.{newest or 0}"


def _fold() -> None:
    """Fold the change rows on a connection of its own (the caller's transaction writes nothing)."""
    with db.engine.begin() as conn:
        conn.execute(_FOLD)


def _root() -> Path:
    """The folder that holds the packages of `_CODE`."""
    return Path(__file__).resolve().parents[3]


def code_files() -> list[Path]:
    """The source files of the packages that compute answers."""
    root = _root()
    return [path for package in _CODE for path in sorted((root / package).rglob("*.py"))]


@cache
def code_fingerprint() -> str:
    """A digest of the source of the packages that compute answers."""
    root = _root()
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _client() -> redis.Redis | None:
    client = current_app.extensions.get("spendlens_roi_cache")
    if client is None:
        url = current_app.config.get("REDIS_URL")
        if not url:
            return None
        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        current_app.extensions["spendlens_roi_cache"] = client
    return client


def answer_key(kind: str, request: dict, version: str) -> str:
    config = current_app.config
    parts = {
        "kind": kind,
        "request": request,
        "version": version,
        "currency": config["REPORTING_CURRENCY"],
        "margin": str(config.get("ROI_MARGIN_RATE")),
        "database": db.engine.url.render_as_string(hide_password=True),
        "code": code_fingerprint(),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"{config['ROI_CACHE_PREFIX']}:{kind}:{digest[:40]}"


def cached_json(
    kind: str,
    request: dict,
    compute: Callable[[], str | bytes],
    days: tuple[dt.date, dt.date] = ALL_DAYS,
) -> tuple[bytes, bool]:
    """(the answer's JSON in UTF-8, whether it came from the cache): the stored answer of this
    request at the current data version, else `compute()`'s, stored. `request` holds everything
    the answer depends on besides the data (dates as ISO text or dates); `days`, the days of
    acquisition and spend it reads.

    One request computes a missing answer at a time: the others asking for it meanwhile wait
    for it (up to COMPUTING_SECONDS, then compute it themselves)."""
    return answer_at(current_key(kind, request, days), compute)


def current_key(kind: str, request: dict, days: tuple[dt.date, dt.date] = ALL_DAYS) -> str:
    """The key of this request's answer at the current data version, read now on a connection
    of its own outside the session's transaction (one round trip: no BEGIN, no ROLLBACK, no
    pre-ping): the session's snapshot, taken later if the answer is computed, holds data at
    least as new as that version's."""
    return answer_key(kind, request, committed_version(days))


def committed_version(days: tuple[dt.date, dt.date] = ALL_DAYS) -> str:
    """data_version's version of the latest commit, on an autocommit connection."""
    first, last = days
    engine = autocommit_engine()
    for attempt in (1, 2):
        try:
            with engine.connect() as conn:
                total, newest, rows = conn.execute(_VERSION, {"first": first, "last": last}).one()
            break
        except sa.exc.DBAPIError as exc:
            # a connection the server closed meanwhile (no pre-ping here): once more on a new one
            if attempt == 2 or not exc.connection_invalidated:
                raise
    if rows > FOLD_AT_ROWS:
        _fold()
    return f"{total}.{newest or 0}"


def autocommit_engine() -> sa.Engine:
    """A small pool of autocommit connections to the app's database, for reads of a warm
    request that need no transaction: the data version, the overview's status."""
    engine = current_app.extensions.get("spendlens_roi_version_engine")
    if engine is None or engine.url != db.engine.url:
        engine = sa.create_engine(
            db.engine.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8,
            pool_recycle=3600,
        )  # fmt: skip
        current_app.extensions["spendlens_roi_version_engine"] = engine
    return engine


def answer_at(key: str, compute: Callable[[], str | bytes]) -> tuple[bytes, bool]:
    """cached_json's answer for a key from current_key (read in this request)."""
    client = _client()
    if client is None:
        return _encoded(compute()), False
    try:
        hit = client.get(key)
        if hit is None and not client.set(key + ":computing", b"1", nx=True, ex=COMPUTING_SECONDS):
            hit = _wait_for(client, key)
    except redis.RedisError as exc:
        log.warning("ROI answer cache unavailable: %s", exc)
        return _encoded(compute()), False
    if hit is not None:
        return hit, True
    try:
        body = _encoded(compute())
        client.set(key, body, ex=TTL_SECONDS)
    except redis.RedisError as exc:
        log.warning("could not keep a ROI answer: %s", exc)
    finally:
        _forget_marker(client, key)
    return body, False


def _encoded(answer: str | bytes) -> bytes:
    """An answer's JSON in UTF-8 (`compute` gives text or UTF-8 bytes)."""
    return answer.encode() if isinstance(answer, str) else answer


def _forget_marker(client: redis.Redis, key: str) -> None:
    """The others stop waiting (an answer stored, or none to wait for: the computation failed)."""
    try:
        client.delete(key + ":computing")
    except redis.RedisError as exc:
        log.warning("could not clear a ROI answer's computing marker: %s", exc)


def _wait_for(client: redis.Redis, key: str) -> bytes | None:
    """The answer another request is computing, once it is stored; None after
    COMPUTING_SECONDS or when that request gave up (its marker gone without an answer)."""
    deadline = time.monotonic() + COMPUTING_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        answer, computing = client.mget(key, key + ":computing")
        if answer is not None or computing is None:
            return answer
    return None
