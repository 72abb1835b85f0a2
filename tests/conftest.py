"""Fixtures on the real services: PostgreSQL from DATABASE_URL (embedded when unset), Redis from
REDIS_URL (embedded when unset), a real Celery worker process.

Each test run gets its own database (created here, dropped at the end) and its own Celery queue;
each test that uses the database starts from empty tables.
"""

from __future__ import annotations

import itertools
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from backend import create_app
from backend.config import sqlalchemy_url
from backend.models import Role, User
from backend.services import users

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = secrets.token_hex(4)


#: Where the embedded servers of a test run keep their data (when the variables are unset).
EMBEDDED_VAR = ROOT / "var" / "test"


@pytest.fixture(scope="session")
def embedded_run():
    """`var/test/run`, owned by this test run: what an earlier, killed run left there is stopped
    first, and the embedded servers started in it are stopped at the end."""
    from devstack.embedded import owned_run_directory
    from devstack.process_groups import RunDirectoryInUse

    try:
        run = owned_run_directory(EMBEDDED_VAR, f"a pytest run ({' '.join(sys.argv[1:])[:80]})")
    except RunDirectoryInUse as error:
        pytest.exit(f"{error}: wait for it, or set DATABASE_URL and REDIS_URL", returncode=3)
    yield run
    run.release()


@pytest.fixture(scope="session")
def server_database_url(request) -> Iterator[str]:
    """A URL of the PostgreSQL server to create test databases on."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield sqlalchemy_url(url)
        return
    from devstack.embedded import start_postgres

    url, server = start_postgres(
        EMBEDDED_VAR, database="postgres", run=request.getfixturevalue("embedded_run")
    )
    try:
        yield sqlalchemy_url(url)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(request) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from devstack.embedded import start_redis

    url, server = start_redis(EMBEDDED_VAR, run=request.getfixturevalue("embedded_run"))
    try:
        yield url
    finally:
        server.stop()


def create_database(server_url: str, name: str) -> str:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(server_database_url: str) -> Iterator[str]:
    name = f"spendlens_test_{RUN_ID}"
    url = create_database(server_database_url, name)
    yield url
    drop_database(server_database_url, name)


@pytest.fixture(scope="session")
def test_queue() -> str:
    return f"spendlens-test-{RUN_ID}"


@pytest.fixture(scope="session")
def sandbox():
    """The sandbox ad platforms (those whose server module exists) on one shared World."""
    from connectors.sandbox.runner import start_sandbox

    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def world(sandbox):
    """The sandbox's World, restored (no restatement, no faults) after the test."""
    yield sandbox.world
    sandbox.world.revision = 0
    sandbox.world.faults.clear()


@pytest.fixture(scope="session")
def encryption_keys() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def smtp_port() -> int:
    """A loopback port for the test SMTP server (tests/backend/budgets starts one on it when
    they need it); the app and the worker send their mail there."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def app_config(
    database_url: str, redis_url: str, test_queue: str, sandbox, encryption_keys: str, smtp_port
) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": encryption_keys,
        "CELERY": {"task_default_queue": test_queue},
        "CELERY_QUEUE": test_queue,
        # queued first syncs would race the tests that add accounts; tests/workers/test_first_sync
        # turns it on
        "SYNC_ON_CREATE": False,
        # failed logins are counted per run (and forgotten after each test, see `db`)
        "LOGIN_THROTTLE_PREFIX": f"spendlens-test-{RUN_ID}:login",
        **sandbox.config(),
    }


@pytest.fixture(scope="session")
def app(app_config: dict):
    from flask_migrate import upgrade

    app = create_app(app_config)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from backend.extensions import db

        db.engine.dispose()


def truncate_all(app, attempts: int = 20) -> None:
    """Empty every table. A task a test queued may still be running in the session's worker
    and lock the tables in another order: PostgreSQL then ends one side as a deadlock, and when
    that is the TRUNCATE it is tried again once the task's transaction is over."""
    from psycopg2.errors import DeadlockDetected

    from backend.extensions import db

    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        db.session.remove()
        for attempt in range(attempts):
            try:
                with db.engine.begin() as conn:
                    conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                return
            except sa.exc.OperationalError as error:
                if not isinstance(error.orig, DeadlockDetected) or attempt == attempts - 1:
                    raise
                time.sleep(0.5)


@pytest.fixture
def db(app):
    """The database, emptied after the test; yields the Flask-SQLAlchemy handle in a context."""
    from backend.extensions import db as database

    with app.app_context():
        yield database
        database.session.remove()
    truncate_all(app)
    forget_failed_logins(app)


def forget_failed_logins(app) -> None:
    """Empty the run's login throttling buckets in Redis (each test starts with none)."""
    import redis

    client = redis.Redis.from_url(app.config["REDIS_URL"])
    try:
        keys = list(client.scan_iter(match=app.config["LOGIN_THROTTLE_PREFIX"] + ":*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


#: The password of the tests' users.
PASSWORD = "correct horse battery staple"
#: A cheap scrypt for the tests' many users (production keeps werkzeug's N=2^15).
TEST_HASH_METHOD = "scrypt:1024:8:1"
_emails = itertools.count(1)


@pytest.fixture
def make_user(app, db, monkeypatch) -> Callable[..., User]:
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", TEST_HASH_METHOD)

    def make(role: Role | str = Role.MARKETER, *, email: str | None = None, **kwargs) -> User:
        email = email or f"{Role(role).value}-{next(_emails)}@example.com"
        kwargs.setdefault("password", PASSWORD)
        return users.create_user(None, email=email, role=role, **kwargs)

    return make


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    """Log `client` in; every later request of it carries the CSRF header. Returns the token."""
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    token = response.json["csrf_token"]
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    return token


@pytest.fixture
def client_for(app, make_user) -> Callable[..., FlaskClient]:
    """A new client logged in as a new user of the role (the user is `client.user`)."""

    def make(role: Role | str, **kwargs) -> FlaskClient:
        user = make_user(role, **kwargs)
        client = app.test_client()
        login(client, user.email, kwargs.get("password", PASSWORD))
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def admin(client_for) -> FlaskClient:
    return client_for(Role.ADMIN)


@pytest.fixture
def marketer(client_for) -> FlaskClient:
    return client_for(Role.MARKETER)


@pytest.fixture
def finance(client_for) -> FlaskClient:
    return client_for(Role.FINANCE)


def service_env(app_config: dict, **extra: str) -> dict[str, str]:
    """Environment for a child process (worker, beat, web) pointed at the test services."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app_config["REDIS_URL"],
        SPENDLENS_SECRET_KEY=app_config["SECRET_KEY"],
        SPENDLENS_CELERY_QUEUE=app_config["CELERY"]["task_default_queue"],
        SPENDLENS_ENCRYPTION_KEYS=app_config["ENCRYPTION_KEYS"],
        SPENDLENS_SMTP_HOST=app_config["SMTP_HOST"],
        SPENDLENS_SMTP_PORT=str(app_config["SMTP_PORT"]),
        SPENDLENS_LOGIN_THROTTLE_PREFIX=app_config["LOGIN_THROTTLE_PREFIX"],
    )
    from connectors.sandbox.runner import CONFIG_KEYS

    for key in CONFIG_KEYS.values():
        if app_config.get(key):
            env[f"SPENDLENS_{key}"] = app_config[key]
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def worker_env(app_config: dict) -> dict[str, str]:
    return service_env(app_config)


def start_worker(
    env: dict[str, str],
    queue: str,
    *,
    concurrency: int = 2,
    name: str = "w1",
    new_session: bool = False,
) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.app",
        "worker",
        "-Q",
        queue,
        "-c",
        str(concurrency),
        "-n",
        f"{name}-{RUN_ID}@%h",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    log = open(ROOT / "var" / f"test-worker-{name}-{RUN_ID}.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=new_session
    )


def wait_for_worker(app, proc: subprocess.Popen, queue: str, timeout: float = 180) -> None:
    celery_app = app.extensions["celery"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}")
        result = celery_app.send_task("workers.tasks.system.ping", queue=queue)
        try:
            result.get(timeout=5)
            return
        except Exception:  # noqa: BLE001 - not up yet
            result.forget()
    raise RuntimeError("worker did not answer a ping in time")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def celery_worker(app, worker_env: dict[str, str], test_queue: str):
    """A real Celery worker process on the test queue (session-wide)."""
    (ROOT / "var").mkdir(exist_ok=True)
    proc = start_worker(worker_env, test_queue)
    try:
        wait_for_worker(app, proc, test_queue)
        yield proc
    finally:
        stop_process(proc)
