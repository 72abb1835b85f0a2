"""Process groups of the dev tooling, on real processes: stopped whole (a deadline, then SIGKILL),
found again from their pid files after their owner died, and never confused with a stranger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from devstack.process_groups import (
    RUN_DIR_VARIABLE,
    Record,
    RunDirectory,
    RunDirectoryInUse,
    members,
    port_holder,
    port_in_use,
)

#: A leader and a child that both ignore SIGTERM, as a stuck gunicorn worker does.
STUBBORN = """
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(600)
"""
SLEEPER = "import time; print('ready', flush=True); time.sleep(600)"


def spawn(run: RunDirectory, name: str, code: str, tmp_path: Path):
    out = tmp_path / f"{name}.out"
    proc, record = run.spawn(name, [sys.executable, "-c", code], env=dict(os.environ), output=out)
    deadline = time.monotonic() + 30
    while "ready" not in out.read_text():
        assert time.monotonic() < deadline, "the child did not start"
        time.sleep(0.05)
    return proc, record


def alive(pids: list[int]) -> list[int]:
    return [
        p
        for p in pids
        if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
    ]


@pytest.fixture
def run(tmp_path):
    run = RunDirectory(tmp_path / "run")
    run.acquire("this test")
    yield run
    run.clear_leftovers(timeout=1)
    run.release()


def test_a_group_that_ignores_sigterm_is_killed_at_the_deadline(run, tmp_path):
    proc, record = spawn(run, "stubborn", STUBBORN, tmp_path)
    pids = [p.pid for p in members(record, run.path)]
    assert len(pids) == 2  # the leader and its child, in the leader's group

    started = time.monotonic()
    killed = run.stop([record], timeout=1.0)
    proc.wait(5)

    assert killed == ["stubborn"]
    assert 1.0 <= time.monotonic() - started < 8
    assert alive(pids) == []
    assert not (run.path / "stubborn.pid").exists()


def test_a_group_that_stops_on_sigterm_is_not_killed(run, tmp_path):
    proc, record = spawn(run, "polite", SLEEPER, tmp_path)
    assert run.stop([record], timeout=10) == []
    assert proc.wait(5) == -signal.SIGTERM


def test_what_a_dead_owner_left_is_found_and_stopped_by_the_next_owner(tmp_path):
    first = RunDirectory(tmp_path / "run")
    first.acquire("the first owner")
    proc, record = spawn(first, "leftover", STUBBORN, tmp_path)
    pids = [p.pid for p in members(record, first.path)]
    first.release()  # as if the owner had died: its children run on

    second = RunDirectory(tmp_path / "run")
    second.acquire("the second owner")
    cleared = second.clear_leftovers(timeout=1)
    proc.wait(5)

    assert cleared == [f"leftover (pid {record.pid})"]
    assert alive(pids) == []
    assert list(second.path.glob("*.pid")) == []
    second.release()


def test_a_recycled_pid_is_never_taken_for_a_leftover(run, tmp_path):
    """A pid file whose pid now belongs to another process (other start time, no marker)."""
    stranger = subprocess.Popen([sys.executable, "-c", SLEEPER], start_new_session=True)
    try:
        Record("old", stranger.pid, psutil.Process(stranger.pid).create_time() - 100, []).write(
            run.path / "old.pid"
        )
        assert run.clear_leftovers(timeout=1) == []
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_children_carry_their_run_directory_in_their_environment(run, tmp_path):
    proc, record = spawn(run, "marked", SLEEPER, tmp_path)
    assert psutil.Process(proc.pid).environ()[RUN_DIR_VARIABLE] == str(run.path)


def test_a_second_owner_is_refused_while_the_first_lives(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path;"
            "from devstack.process_groups import RunDirectory;"
            "run = RunDirectory(Path(sys.argv[1])); run.acquire('make demo on port 8123');"
            "print('ready', flush=True); time.sleep(600)",
            str(tmp_path / "run"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            RunDirectoryInUse, match=f"make demo on port 8123 \\(pid {holder.pid}\\)"
        ):
            RunDirectory(tmp_path / "run").acquire("another")
    finally:
        holder.kill()
        holder.wait()
    RunDirectory(tmp_path / "run").acquire("after the first died")  # its lock went with it


def test_the_process_holding_a_port_is_named():
    listener = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
            "print(s.getsockname()[1], flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(listener.stdout.readline())
        assert port_in_use(port)
        assert port_holder(port).startswith(f"pid {listener.pid} (")
    finally:
        listener.kill()
        listener.wait()
    assert not port_in_use(port)
