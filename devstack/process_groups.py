"""Child processes of the dev tooling (`make demo` and the tests' embedded servers), each in a
process group of its own and recorded in a pid file under `<var>/run/`.

A child is stopped whole: its stop signal to the group's leader (or to every member when the leader
is gone), a deadline, then SIGKILL to every member left. The run directory is locked by the process
that owns the children for as long as it lives, so a later start can tell a live owner (refuse)
from what a dead one left behind (stop it, using the pid files). A process is only ever taken for
ours when it is the recorded leader (same pid *and* start time) or carries this run directory in
its environment (`SPENDLENS_RUN_DIR`), so a recycled pid is never signalled.

Everything here is dev tooling; the product never imports it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

log = logging.getLogger("spendlens.processes")

#: Set in every child's environment (and so in its children's): the run directory it belongs to.
RUN_DIR_VARIABLE = "SPENDLENS_RUN_DIR"


class RunDirectoryInUse(RuntimeError):
    """Another live process owns the run directory."""


@dataclass(frozen=True)
class Record:
    """What a pid file holds: the group leader's pid and start time, and what it runs."""

    name: str
    pid: int
    started: float
    command: list[str]
    stop_signal: int = int(signal.SIGTERM)

    @classmethod
    def read(cls, path: Path) -> Record | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        tmp.replace(path)


def start_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _is_ours(process: psutil.Process, record: Record, run_dir: Path) -> bool:
    try:
        if process.pid == record.pid:
            return abs(process.create_time() - record.started) < 0.05
        return process.environ().get(RUN_DIR_VARIABLE) == str(run_dir)
    except psutil.Error:
        return False


def _groups() -> dict[int, list[psutil.Process]]:
    """Every live process by process group id."""
    groups: dict[int, list[psutil.Process]] = {}
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            groups.setdefault(os.getpgid(process.pid), []).append(process)
        except (OSError, psutil.Error):
            continue
    return groups


def members(
    record: Record, run_dir: Path, groups: dict[int, list[psutil.Process]] | None = None
) -> list[psutil.Process]:
    """The live processes of the record's group that are ours (see the module docstring)."""
    group = (groups if groups is not None else _groups()).get(record.pid, [])
    return [p for p in group if _is_ours(p, record, run_dir)]


def _signal(processes: Iterable[psutil.Process], signum: int) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(signum)


def stop_groups(records: list[Record], run_dir: Path, timeout: float) -> list[str]:
    """Stop the records' groups together: each its stop signal, then SIGKILL at the deadline.

    Returns the names of the groups that had to be killed."""
    groups = _groups()
    pending = {r.name: r for r in records if members(r, run_dir, groups)}
    for record in pending.values():
        group = members(record, run_dir, groups)
        leader = [p for p in group if p.pid == record.pid]
        _signal(leader or group, record.stop_signal)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        time.sleep(0.1)
        groups = _groups()
        pending = {n: r for n, r in pending.items() if members(r, run_dir, groups)}
    killed = []
    groups = _groups()
    for name, record in pending.items():
        left = members(record, run_dir, groups)
        if left:
            log.warning(
                "%s did not stop within %.0f s: SIGKILL to %s",
                name,
                timeout,
                ", ".join(str(p.pid) for p in left),
            )
            killed.append(name)
            _signal(left, signal.SIGKILL)
            psutil.wait_procs(left, timeout=5)
    return killed


@dataclass
class RunDirectory:
    """`<var>/run/`: the lock of the owning process and one pid file per child group."""

    path: Path
    _lock: object | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = self.path.resolve()

    def acquire(self, description: str) -> None:
        """Become the owner, or raise RunDirectoryInUse naming the live owner."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = open(self.path / "owner", "a+")  # noqa: SIM115 - held for the owner's lifetime
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            owner = lock.read().strip() or "another process"
            lock.close()
            raise RunDirectoryInUse(f"{self.path} is in use by {owner}") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{description} (pid {os.getpid()})\n")
        lock.flush()
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def records(self) -> list[Record]:
        found = []
        for path in sorted(self.path.glob("*.pid")):
            record = Record.read(path)
            if record is None:
                path.unlink(missing_ok=True)
            else:
                found.append(record)
        return found

    def clear_leftovers(self, timeout: float = 10) -> list[str]:
        """Stop every group an earlier owner left running (call once acquired); returns what
        was stopped, as "name (pid N)"."""
        records = self.records()
        left = [r for r in records if members(r, self.path)]
        stopped = [f"{r.name} (pid {r.pid})" for r in left]
        if left:
            log.warning("stopping what an earlier run left running: %s", ", ".join(stopped))
            stop_groups(left, self.path, timeout)
        for record in records:
            (self.path / f"{record.name}.pid").unlink(missing_ok=True)
        return stopped

    def spawn(
        self,
        name: str,
        command: list[str],
        *,
        env: dict[str, str],
        cwd: Path | None = None,
        output: Path | None = None,
        stop_signal: int = signal.SIGTERM,
        user: str | None = None,
    ) -> tuple[subprocess.Popen, Record]:
        """Start `command` as the leader of a new process group and record it."""
        env = {**env, RUN_DIR_VARIABLE: str(self.path)}
        as_user = {}
        if user:
            import pwd

            as_user = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}
        out = open(output, "ab") if output else None  # noqa: SIM115 - closed below
        try:
            proc = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT if out else None,
                start_new_session=True,
                **as_user,
            )
        finally:
            if out:
                out.close()
        record = Record(name, proc.pid, start_time(proc.pid) or time.time(), command, stop_signal)
        record.write(self.path / f"{name}.pid")
        return proc, record

    def stop(self, records: list[Record], timeout: float) -> list[str]:
        killed = stop_groups(records, self.path, timeout)
        for record in records:
            (self.path / f"{record.name}.pid").unlink(missing_ok=True)
        return killed


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def port_holder(port: int) -> str:
    """Who listens on TCP `port`: "pid N (command line)", or "another process" when unknown."""
    with contextlib.suppress(psutil.Error):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                if conn.pid is None:
                    break
                with contextlib.suppress(psutil.Error):
                    command = " ".join(psutil.Process(conn.pid).cmdline())
                    return f"pid {conn.pid} ({command[:120]})"
                return f"pid {conn.pid}"
    return "another process"
