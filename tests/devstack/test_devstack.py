"""`make demo`'s launcher as a user runs it: a subprocess on free ports with a var directory of
its own, stopped with Ctrl-C (SIGINT), killed, started twice, refused.

Most tests share one launcher on the test run's PostgreSQL and Redis (without the demo seed), in
the order a user meets these things; the last one runs the default path, the embedded servers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from devstack.process_groups import RUN_DIR_VARIABLE, Record, port_in_use
from tests.conftest import ROOT, RUN_ID, service_env, truncate_all

STOP_TIMEOUT_S = 3
#: A start on this machine's two shared cores: the web server answers within a minute or two.
START_TIMEOUT_S = 300
BANNER = "Spendlens is running at"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Launcher:
    var: Path
    port: int
    smtp_port: int
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    output: Path | None = None
    starts: int = field(default=0)

    def start(self, *extra: str) -> Launcher:
        self.starts += 1
        self.output = self.var.parent / f"launcher-{self.starts}.log"
        with self.output.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "devstack",
                    "--port", str(self.port), "--smtp-port", str(self.smtp_port),
                    "--var", str(self.var), "--stop-timeout", str(STOP_TIMEOUT_S), *extra,
                ],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if self.proc.poll() is not None:
                code = self.proc.returncode
                raise AssertionError(f"the launcher exited ({code}):\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in {timeout} s:\n{self.text()[-3000:]}")
            time.sleep(0.5)

    def records(self) -> dict[str, Record]:
        return {p.stem: Record.read(p) for p in (self.var / "run").glob("*.pid")}

    def processes(self) -> list[psutil.Process]:
        """Every live process of the recorded groups or marked with this run directory."""
        groups = {r.pid for r in self.records().values()}
        found = []
        for process in psutil.process_iter():
            try:
                if process.status() == psutil.STATUS_ZOMBIE:
                    continue
                if os.getpgid(process.pid) in groups or (
                    process.environ().get(RUN_DIR_VARIABLE) == str(self.var / "run")
                ):
                    found.append(process)
            except (OSError, psutil.Error):
                continue
        return found

    def interrupt(self, timeout: float) -> float:
        """Ctrl-C; returns how long the launcher took to exit."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout)
        return time.monotonic() - started


def gone(processes: list[psutil.Process], timeout: float = 10) -> list[psutil.Process]:
    """The processes still alive after `timeout` (zombies of the launcher's own count as gone)."""
    deadline = time.monotonic() + timeout
    left = processes
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    return left


def health(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as answer:
        return answer.status


@pytest.fixture(scope="module")
def launcher_env(app_config) -> dict[str, str]:
    env = service_env(app_config, SPENDLENS_CELERY_QUEUE=f"spendlens-devstack-{RUN_ID}")
    env.pop(RUN_DIR_VARIABLE, None)
    return env


@pytest.fixture(scope="module")
def demo(app, launcher_env, tmp_path_factory):
    """One launcher on the test services, without the demo seed; emptied tables after."""
    launcher = Launcher(
        tmp_path_factory.mktemp("demo") / "var", free_port(), free_port(), launcher_env
    )
    launcher.start("--no-seed")
    launcher.wait_for(BANNER)
    yield launcher
    if launcher.proc.poll() is None:
        launcher.interrupt(60)
    for process in launcher.processes():
        process.kill()
    truncate_all(app)


def test_the_url_is_announced_once_it_answers(demo):
    text = demo.text()
    assert text.index("health: {") < text.index(f"{BANNER} http://127.0.0.1:{demo.port}/")
    assert health(demo.port) == 200


def test_the_web_server_runs_with_two_malloc_arenas_per_worker(demo):
    web = psutil.Process(demo.records()["web"].pid)
    workers = [p for p in web.children() if p.is_running()]
    assert workers
    for process in (web, *workers):
        assert process.environ().get("MALLOC_ARENA_MAX") == "2"


def test_a_worker_that_dies_is_restarted_and_takes_tasks_again(app, demo, launcher_env):
    worker = demo.records()["worker"]
    os.killpg(worker.pid, signal.SIGKILL)

    demo.wait_for("restarted worker", timeout=60)

    restarted = demo.records()["worker"]
    assert restarted.pid != worker.pid and psutil.pid_exists(restarted.pid)
    result = app.extensions["celery"].send_task(
        "workers.tasks.system.ping", queue=launcher_env["SPENDLENS_CELERY_QUEUE"]
    )
    assert result.get(timeout=120)["pong"] is True


def test_a_restarted_sandbox_moves_the_web_worker_and_beat_to_its_new_ports(demo):
    sandbox = demo.records()["sandbox"]
    os.killpg(sandbox.pid, signal.SIGKILL)

    demo.wait_for("restarted sandbox", timeout=60)
    demo.wait_for("restarted web (pid", timeout=180)  # worker, beat, then web are replaced
    for name in ("worker", "beat", "web"):
        assert f"restarting {name}: the sandbox moved" in demo.text()

    lines = (demo.var / "sandbox.env").read_text().splitlines()
    fresh = dict(line.split("=", 1) for line in lines if "=" in line)
    for name in ("worker", "beat", "web"):
        environ = psutil.Process(demo.records()[name].pid).environ()
        assert all(environ.get(key) == value for key, value in fresh.items()), name
    assert psutil.Process(demo.records()["web"].pid).environ().get("MALLOC_ARENA_MAX") == "2"
    deadline = time.monotonic() + 120
    while True:
        try:
            assert health(demo.port) == 200
            break
        except OSError:
            assert time.monotonic() < deadline, "the restarted web server did not answer"
            time.sleep(1)


def test_a_second_start_is_refused_while_one_runs(demo):
    second = Launcher(demo.var, free_port(), free_port(), demo.env, starts=10).start("--no-seed")
    assert second.proc.wait(60) == 1
    assert "Spendlens is already running from this checkout" in second.text()
    assert f"make demo on port {demo.port}" in second.text()
    assert BANNER not in second.text()
    assert demo.proc.poll() is None and health(demo.port) == 200


def test_a_start_clears_what_a_killed_launcher_left(demo):
    demo.proc.kill()  # the terminal was closed, say: the children run on
    demo.proc.wait()
    left = demo.processes()
    assert {"web", "worker", "beat", "mail"} <= set(demo.records())
    assert left and gone(left, timeout=1) == left

    demo.start("--no-seed")
    demo.wait_for(BANNER)

    assert "stopped what an earlier run left running: " in demo.text()
    assert gone(left, timeout=5) == []
    assert health(demo.port) == 200


def test_ctrl_c_stops_everything_even_a_stuck_web_worker(demo):
    web = demo.records()["web"]
    web_workers = [p for p in psutil.Process(web.pid).children() if p.is_running()]
    assert web_workers
    web_workers[0].suspend()  # SIGSTOP: it cannot even see SIGTERM
    processes = demo.processes()

    took = demo.interrupt(timeout=60)

    assert demo.proc.returncode == 0
    assert took < 2 * STOP_TIMEOUT_S + 15
    assert f"web did not stop within {STOP_TIMEOUT_S} s: SIGKILL" in demo.text()
    assert gone(processes) == []
    assert demo.processes() == []
    assert not port_in_use(demo.port) and not port_in_use(demo.smtp_port)
    assert list((demo.var / "run").glob("*.pid")) == []


def test_a_taken_port_is_refused_in_one_sentence_naming_its_holder(launcher_env, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(holder.stdout.readline().split(" port ")[1].split()[0])
        launcher = Launcher(tmp_path / "var", port, free_port(), launcher_env).start("--no-seed")
        assert launcher.proc.wait(60) == 1
        refusal = [line for line in launcher.text().splitlines() if line.startswith("make demo")]
        assert len(refusal) == 1, launcher.text()
        assert refusal[0].startswith(
            f"make demo: Port {port} (the web's) is in use by pid {holder.pid} ("
        )
        assert "-m http.server --bind 127.0.0.1 0); stop that process" in refusal[0]
        assert BANNER not in launcher.text()
        assert launcher.processes() == []
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
def public_tmp():
    """A scratch folder outside pytest's own: run as root, the embedded PostgreSQL runs as an
    unprivileged user that must reach its data folder, and another pytest session starting on
    the machine resets pytest's root folder to 0700 (seen when two sessions ran at once)."""
    path = Path(tempfile.mkdtemp(prefix="spendlens-default-path-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.smoke
@pytest.mark.timeout(900)
def test_the_default_path_starts_and_stops_the_embedded_servers(public_tmp):
    """DATABASE_URL, REDIS_URL and SPENDLENS_SECRET_KEY unset, as on a fresh machine."""
    tmp_path = public_tmp
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env = {k: v for k, v in env.items() if not k.startswith("SPENDLENS_")}
    env["SPENDLENS_CELERY_QUEUE"] = f"spendlens-devstack-{RUN_ID}"
    launcher = Launcher(tmp_path / "var", free_port(), free_port(), env).start("--no-seed")
    try:
        launcher.wait_for(BANNER)
        records = launcher.records()
        assert {"postgres", "redis", "web", "worker", "beat", "mail"} <= set(records)
        key = (launcher.var / "secret_key").read_text().strip()
        assert (launcher.var / "secret_key").stat().st_mode & 0o777 == 0o600
        for name in ("web", "worker", "beat"):
            assert psutil.Process(records[name].pid).environ()["SPENDLENS_SECRET_KEY"] == key
        assert health(launcher.port) == 200
        processes = launcher.processes()
    finally:
        took = launcher.interrupt(timeout=120)
    assert launcher.proc.returncode == 0, launcher.text()[-3000:]
    assert took < 2 * STOP_TIMEOUT_S + 30
    assert gone(processes) == []
    assert launcher.processes() == []
    assert not port_in_use(launcher.port)
