"""The report views take a session's check from Redis once it passed (no PostgreSQL query for
the caller on a cache hit), and still lose a user at once when their sessions end: a
deactivation, a role change, a password reset, a logout. A check kept by a request that raced
such a change does not count."""

from __future__ import annotations

import json

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy import event

from backend.extensions import db as database
from backend.services import user_sessions

REPORT = ("/api/roi", {"start": "2024-01-01", "end": "2024-01-10", "group_by": "platform"})
#: Another view of a signed-in user, which reads PostgreSQL for the session on every request.
ME = "/api/auth/me"


@pytest.fixture
def cache(app):
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    yield client
    client.close()


def report(client) -> int:
    return client.get(REPORT[0], query_string=REPORT[1]).status_code


def _key(app, client) -> str:
    """The Redis key of the check kept for the client's session."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    key = app.session_interface.get_signing_serializer(app).loads(cookie.value)["_sid"]
    with app.test_request_context():
        return user_sessions._identity_key(key)


def kept_checks(app, cache, client) -> list[dict]:
    """The checks kept for the client's session (at most one)."""
    kept = cache.get(_key(app, client))
    return [json.loads(kept)] if kept else []


class Statements:
    """The SQL statements run on the app's own engine while it is counting."""

    def __init__(self, engine) -> None:
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self.seen

    def __exit__(self, *_) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args) -> None:
        self.seen.append(statement)


def test_a_report_keeps_the_session_check_and_a_hit_reads_only_the_data_version(
    app, cache, marketer
):
    assert kept_checks(app, cache, marketer) == []  # the login kept none
    assert report(marketer) == 200
    kept = kept_checks(app, cache, marketer)
    assert [(k["user"], k["role"]) for k in kept] == [(marketer.user.id, "marketer")]
    assert 0 < cache.ttl(_key(app, marketer)) <= user_sessions.IDENTITY_SECONDS
    with Statements(database.engine) as seen, Statements(sa.Engine) as everywhere:
        response = marketer.get(REPORT[0], query_string=REPORT[1])
        assert response.headers["X-Spendlens-Cache"] == "hit"
    assert seen == []  # no session row, no user row: nothing on the app's connections
    assert len(everywhere) == 1 and "roi_data_changes" in everywhere[0]  # the data version
    with Statements(database.engine) as seen:
        assert marketer.get(ME).status_code == 200  # other views still check PostgreSQL
    assert [s for s in seen if "user_sessions" in s]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda admin, user: admin.delete(f"/api/users/{user.id}"), id="deactivation"),
        pytest.param(
            lambda admin, user: admin.patch(f"/api/users/{user.id}", json={"role": "finance"}),
            id="role change",
        ),
        pytest.param(
            lambda admin, user: admin.patch(
                f"/api/users/{user.id}", json={"password": "a reset password!!"}
            ),
            id="password reset",
        ),
    ],
)
def test_a_change_ending_the_users_sessions_refuses_the_next_report(
    app, cache, admin, marketer, change
):
    assert report(marketer) == report(marketer) == 200
    assert kept_checks(app, cache, marketer)
    assert change(admin, marketer.user).status_code in (200, 204)
    assert report(marketer) == 401


def test_a_logout_refuses_a_copy_of_the_cookie_at_once(app, cache, marketer):
    copy = app.test_client()
    for cookie in marketer._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    assert report(copy) == report(marketer) == 200
    assert marketer.post("/api/auth/logout").status_code == 204
    assert report(copy) == 401


def test_a_check_kept_by_a_request_that_raced_the_change_does_not_count(
    app, cache, admin, marketer
):
    """A request read the user's generation and found the session live just before an admin
    deactivated the user, and keeps its check just after: that check is stamped with the
    generation before the deactivation's commit, so it is not taken."""
    assert report(marketer) == 200
    name = _key(app, marketer)
    raced = cache.get(name)
    assert admin.delete(f"/api/users/{marketer.user.id}").status_code == 204
    cache.set(name, raced, ex=user_sessions.IDENTITY_SECONDS)  # kept after the commit
    assert report(marketer) == 401


def test_sessions_are_ended_in_redis_only_once_the_change_commits(app, db, cache, marketer):
    """The generation moves again after the commit: a check kept between the statement and the
    commit (when PostgreSQL still showed the session) counts no more afterwards."""
    with app.test_request_context():
        generation = user_sessions._generation_key(marketer.user.id)
    assert report(marketer) == 200
    user_sessions.close_user_sessions(marketer.user.id)
    before_commit = cache.get(generation)
    db.session.commit()
    assert int(cache.get(generation)) == int(before_commit) + 1
    user_sessions.close_user_sessions(marketer.user.id)
    rolled_back = cache.get(generation)
    db.session.rollback()
    assert cache.get(generation) == rolled_back  # nothing committed, nothing more to end
    assert report(marketer) == 401


def test_reports_are_answered_when_redis_is_unreachable(app, cache, marketer, make_user, db):
    client = app.extensions.pop("spendlens_session_cache", None)
    url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        assert report(marketer) == 200
        db.session.execute(sa.text("UPDATE users SET is_active = false"))
        db.session.commit()
        assert report(marketer) == 401  # checked in PostgreSQL
    finally:
        app.config["REDIS_URL"] = url
        app.extensions.pop("spendlens_session_cache", None)
        app.extensions.pop("spendlens_roi_cache", None)
        if client is not None:
            app.extensions["spendlens_session_cache"] = client
