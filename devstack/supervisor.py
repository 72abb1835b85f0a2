"""The demo launcher's children: started in process groups of their own (devstack.process_groups),
restarted when they die, within a budget, and stopped together on the way out.

A child that exits is started again after a short backoff (1, 2, 4, ... s); one that exits more
than `restart_limit` times within `restart_window_s` is in a crash loop, and CrashLoop ends the
demo with a message naming it and its log. Stopping goes by tier: the product first (web, beat,
worker, sandbox, mail together, one deadline, then SIGKILL), the servers it uses last.

Dev tooling; the product never imports it.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devstack.process_groups import Record, RunDirectory

log = logging.getLogger("spendlens.demo")

#: Tiers, stopped in this order: what uses the servers, then the servers.
PRODUCT, SERVERS = 1, 0
READY_TIMEOUT_S = 60


class CrashLoop(RuntimeError):
    """A child kept dying: the demo stops."""


@dataclass
class ChildSpec:
    name: str
    command: list[str]
    env: dict[str, str]
    tier: int = PRODUCT
    stop_signal: int = signal.SIGTERM
    user: str | None = None
    #: Called until true after a start (an embedded server accepting connections, say).
    ready: Callable[[], bool] | None = None
    #: Called before every start (removing what the previous one left, say).
    prepare: Callable[[], None] | None = None


@dataclass
class Child:
    spec: ChildSpec
    proc: subprocess.Popen
    record: Record
    exits: deque[float] = field(default_factory=deque)
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class OneOff:
    """A one-off command (the migrations, the seed) started and not yet waited for."""

    spec: ChildSpec
    proc: subprocess.Popen
    record: Record


class Supervisor:
    def __init__(
        self,
        run: RunDirectory,
        *,
        cwd: Path,
        log_dir: Path,
        stop_timeout: float = 10,
        restart_limit: int = 5,
        restart_window_s: float = 300,
    ) -> None:
        self.run = run
        self.cwd = cwd
        self.log_dir = log_dir
        self.stop_timeout = stop_timeout
        self.restart_limit = restart_limit
        self.restart_window_s = restart_window_s
        self.children: dict[str, Child] = {}
        self.one_offs: list[OneOff] = []
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def _spawn(self, spec: ChildSpec) -> tuple[subprocess.Popen, Record]:
        if spec.prepare is not None:
            spec.prepare()
        proc, record = self.run.spawn(
            spec.name,
            spec.command,
            env=spec.env,
            cwd=self.cwd,
            output=self.log_file(spec.name),
            stop_signal=spec.stop_signal,
            user=spec.user,
        )
        if spec.ready is not None:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not spec.ready():
                if proc.poll() is not None or time.monotonic() > deadline:
                    self.run.stop([record], self.stop_timeout)
                    raise RuntimeError(f"{spec.name} did not start; see {self.log_file(spec.name)}")
                time.sleep(0.1)
        return proc, record

    def start(self, spec: ChildSpec) -> Child:
        proc, record = self._spawn(spec)
        child = self.children[spec.name] = Child(spec, proc, record)
        log.info("started %s (pid %d)", spec.name, proc.pid)
        return child

    def run_once(self, spec: ChildSpec) -> None:
        """Run a one-off command (migrations, seed) as a recorded group; stop it if interrupted."""
        self.finish_once(self.begin_once(spec))

    def begin_once(self, spec: ChildSpec) -> OneOff:
        """Start a one-off command; `finish_once` waits for it (`stop_all` stops it)."""
        proc, record = self._spawn(spec)
        one = OneOff(spec, proc, record)
        self.one_offs.append(one)
        return one

    def finish_once(self, one: OneOff) -> None:
        """Wait for a one-off command, restarting children that die meanwhile; RuntimeError
        when it failed."""
        try:
            while one.proc.poll() is None:
                self.poll()
                time.sleep(0.2)
        finally:
            self.run.stop([one.record], self.stop_timeout)
            one.proc.wait()
            self.one_offs.remove(one)
        code = one.proc.returncode
        if code != 0:
            raise RuntimeError(
                f"{one.spec.name} failed (exit {code}); see {self.log_file(one.spec.name)}"
            )

    def poll(self) -> list[str]:
        """Restart children that died (after their backoff); returns the names restarted.

        Raises CrashLoop when a child used up its restart budget."""
        now = time.monotonic()
        restarted = []
        for name, child in self.children.items():
            if child.restart_at is None:
                code = child.proc.poll()
                if code is None:
                    continue
                self.run.stop([child.record], self.stop_timeout)  # what is left of its group
                child.exits.append(now)
                while child.exits and child.exits[0] < now - self.restart_window_s:
                    child.exits.popleft()
                if len(child.exits) > self.restart_limit:
                    raise CrashLoop(
                        f"{name} exited {len(child.exits)} times within "
                        f"{self.restart_window_s:.0f} s (last exit code {code}); "
                        f"see {self.log_file(name)}"
                    )
                delay = min(2 ** (len(child.exits) - 1), 30)
                child.restart_at = now + delay
                log.warning(
                    "%s exited (code %s); restarting it in %d s (%d of %d restarts allowed "
                    "within %.0f s)",
                    name,
                    code,
                    delay,
                    len(child.exits),
                    self.restart_limit,
                    self.restart_window_s,
                )
            elif now >= child.restart_at:
                self._restart(child)
                restarted.append(name)
        return restarted

    def _restart(self, child: Child) -> None:
        child.proc, child.record = self._spawn(child.spec)
        child.restart_at = None
        child.restarts += 1
        log.info("restarted %s (pid %d)", child.spec.name, child.proc.pid)

    def replace(self, name: str, env: dict[str, str]) -> None:
        """Stop a child and start it again with a new environment."""
        child = self.children[name]
        self.run.stop([child.record], self.stop_timeout)
        child.proc.wait()
        child.spec.env = env
        self._restart(child)

    def stop_all(self) -> None:
        """Stop every child: the product's together (with a one-off still running), then the
        servers'."""
        if self.one_offs:
            log.info("stopping %s", ", ".join(one.spec.name for one in self.one_offs))
            self.run.stop([one.record for one in self.one_offs], self.stop_timeout)
            for one in self.one_offs:
                one.proc.wait()
            self.one_offs.clear()
        for tier in (PRODUCT, SERVERS):
            children = [c for c in self.children.values() if c.spec.tier == tier]
            if not children:
                continue
            log.info("stopping %s", ", ".join(c.spec.name for c in children))
            self.run.stop([c.record for c in children], self.stop_timeout)
            for child in children:
                child.proc.wait()
        self.children.clear()
