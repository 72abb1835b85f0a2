"""Servers a test (or a benchmark) owns and may stop and restart: a PostgreSQL cluster of its own
(initdb/pg_ctl, or pgserver's binaries) and a redis-server, each on a free loopback port in a
temporary directory. The shared servers of the machine are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port} after {timeout}s")


def _postgres_bin() -> Path:
    """The directory of initdb/pg_ctl: on PATH, else the binaries pgserver ships."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def _as_server_user(directory: Path) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` system user (as
    pgserver does), owning its directory."""
    if os.geteuid() != 0:
        return []
    import pwd

    owner = pwd.getpwnam("postgres")
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    return [shutil.which("runuser") or "runuser", "-u", "postgres", "--"]


class PostgresCluster:
    """A throwaway PostgreSQL cluster (trust auth, user postgres) that can be restarted."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="spendlens-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.bin = _postgres_bin()
        self.prefix = _as_server_user(self.dir)
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        conf_path = self.data / "postgresql.conf"
        with open(conf_path, "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                "max_connections = 100\nshared_buffers = 32MB\n"
            )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self, timeout: float = 60) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                mode,
                "-w",
                "stop",
            ],
            check=False,
            capture_output=True,
        )

    def restart(self, down_s: float = 1.0) -> None:
        """Stop (ending every connection), stay down `down_s` seconds, start again."""
        self.stop()
        time.sleep(down_s)
        self.start()

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A redis-server of the test's own; data kept across restarts (an RDB saved at shutdown)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="spendlens-redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--save",
                "60 1",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, timeout)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM saves the data first (as a restarted production Redis would); SIGKILL does
        not."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self, down_s: float = 1.0, sig: int = signal.SIGTERM) -> None:
        self.stop(sig)
        time.sleep(down_s)
        self.start()

    def remove(self) -> None:
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def kill_group(pid: int) -> None:
    """SIGKILL a process group (a Celery worker and its pool children)."""
    os.killpg(pid, signal.SIGKILL)
