"""The demo launcher's supervisor on real processes: a child that dies is started again, a child
in a crash loop ends the demo with a message naming it, and stopping goes product first."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psutil
import pytest

from devstack.process_groups import RunDirectory
from devstack.supervisor import SERVERS, ChildSpec, CrashLoop, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


@pytest.fixture
def supervisor(tmp_path):
    run = RunDirectory(tmp_path / "run")
    run.acquire("this test")
    supervisor = Supervisor(
        run,
        cwd=tmp_path,
        log_dir=tmp_path / "log",
        stop_timeout=2,
        restart_limit=2,
        restart_window_s=60,
    )
    yield supervisor
    supervisor.stop_all()
    run.release()


def command_line(pid: int, timeout: float = 5) -> list[str]:
    """The process's command line once the kernel has set it: Popen returns when the vforked
    child has exec'd, a moment before the new image's arguments are readable in /proc."""
    deadline = time.monotonic() + timeout
    while not (cmdline := psutil.Process(pid).cmdline()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return cmdline


def poll_until(supervisor: Supervisor, condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.poll()
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the condition did not come true in time")


def test_a_child_that_dies_is_started_again(supervisor):
    child = supervisor.start(ChildSpec("worker", SLEEPER, dict(os.environ)))
    first = child.proc.pid
    child.proc.kill()

    poll_until(supervisor, lambda: child.proc.pid != first)

    assert child.restarts == 1
    assert child.proc.poll() is None
    assert command_line(child.proc.pid) == SLEEPER
    assert (supervisor.run.path / "worker.pid").read_text().count(str(child.proc.pid)) == 1


def test_a_crash_loop_ends_with_a_message_naming_the_child_and_its_log(supervisor):
    supervisor.start(ChildSpec("beat", CRASHER, dict(os.environ)))
    with pytest.raises(CrashLoop) as error:
        poll_until(supervisor, lambda: False, timeout=60)
    message = str(error.value)
    assert message.startswith("beat exited 3 times within 60 s (last exit code 3)")
    assert str(supervisor.log_file("beat")) in message


def on_sigterm(note: Path, linger: float) -> list[str]:
    """A child that, on SIGTERM, lingers, then notes the time it exits."""
    code = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        f"    time.sleep({linger})\n"
        f"    open({str(note)!r}, 'w').write(repr(time.time()))\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "time.sleep(600)\n"
    )
    return [sys.executable, "-c", code]


def test_stopping_takes_the_product_down_before_the_servers(supervisor, tmp_path):
    supervisor.start(
        ChildSpec("redis", on_sigterm(tmp_path / "redis", 0), dict(os.environ), tier=SERVERS)
    )
    supervisor.start(ChildSpec("web", on_sigterm(tmp_path / "web", 0.5), dict(os.environ)))
    time.sleep(0.5)  # both have installed their handlers

    supervisor.stop_all()

    web_exit = float((tmp_path / "web").read_text())
    redis_exit = float((tmp_path / "redis").read_text())
    assert redis_exit > web_exit
    assert list(supervisor.run.path.glob("*.pid")) == []
