"""`make demo`: the whole product on one machine.

Uses DATABASE_URL / REDIS_URL when set, else the embedded PostgreSQL and Redis under var/. Runs
migrations, seeds the demo, starts the sandbox ad platforms, an SMTP catcher, a Celery worker and
beat, and the web server; prints the URL (once it answers) and the demo users.

Every child runs in a process group of its own, recorded under var/run/ and logging to
var/log/<name>.log. A child that dies is restarted (within a budget: a crash loop ends the demo
with a message saying which). Ctrl-C (or SIGTERM) stops everything: the product, then the servers,
each group its signal, a deadline, then SIGKILL. A start clears what an earlier run of this checkout
left running, and refuses, in one sentence, when another one is still running or a port it needs
is taken. The data stays in var/ for the next run.

`python -m devstack [--port 8000] [--var DIR] [--smtp-port 8025] [--no-seed]`
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from devstack.process_groups import RunDirectory, RunDirectoryInUse, port_holder, port_in_use
from devstack.supervisor import SERVERS, ChildSpec, CrashLoop, OneOff, Supervisor

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
log = logging.getLogger("spendlens.demo")

#: How long the web server has to answer before the demo gives up.
WEB_TIMEOUT_S = 180
SANDBOX_TIMEOUT_S = 60
#: Children that read the sandbox's addresses from their environment.
SANDBOX_USERS = ("worker", "beat", "web")
#: The web server's environment beyond the app's own (an operator's own value wins): glibc gives
#: each thread that contends for its C heap an arena of its own (up to 8 per core), and a web
#: worker's request threads and its report read threads each kept what their cold answers had
#: freed; two arenas per process cut a worker's largest memory under bench/api_load.py.
WEB_ENV = {"MALLOC_ARENA_MAX": "2"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devstack", description="Run the whole Spendlens product here."
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("SPENDLENS_PORT", "8000")),
        help="the web server's (default: SPENDLENS_PORT, else 8000)",
    )
    parser.add_argument(
        "--smtp-port", type=int, help="the mail catcher's (default: SPENDLENS_SMTP_PORT, else 8025)"
    )
    parser.add_argument("--var", type=Path, default=VAR, help="where the demo keeps its data")
    parser.add_argument("--no-seed", action="store_true", help="skip the demo seed")
    parser.add_argument(
        "--stop-timeout", type=float, default=10, help="seconds a child has to stop before SIGKILL"
    )
    parser.add_argument(
        "--restart-limit", type=int, default=5, help="restarts of a child allowed in the window"
    )
    parser.add_argument("--restart-window", type=float, default=300, help="seconds (default 300)")
    args = parser.parse_args(argv)
    if args.smtp_port is None:
        args.smtp_port = int(os.environ.get("SPENDLENS_SMTP_PORT", "8025"))
    args.var = args.var.resolve()
    return args


def _key_file(path: Path, make: Callable[[], str]) -> str:
    """The key kept in `path` (written once, mode 0600): every child gets the same one."""
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(make())
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


def _secret_key(var: Path) -> str:
    import secrets

    return _key_file(var / "secret_key", lambda: secrets.token_hex(32))


def _encryption_key(var: Path) -> str:
    from cryptography.fernet import Fernet

    return _key_file(var / "encryption_key", lambda: Fernet.generate_key().decode())


def _processes(env: dict[str, str], port: int, var: Path = VAR) -> dict[str, list[str]]:
    """The long-running children's commands, in start order."""
    python = sys.executable
    procs = {
        "mail": [
            python, "-m", "devstack.mailcatcher",
            "--port", env["SPENDLENS_SMTP_PORT"], "--dir", str(var / "mail"),
        ],
        "worker": [
            python, "-m", "celery", "-A", "workers.app", "worker",
            "-c", "2", "--loglevel", "INFO", "-n", f"demo-{port}@%h",
        ],
        "beat": [
            python, "-m", "celery", "-A", "workers.app", "beat",
            "--loglevel", "INFO", "--schedule", str(var / "celerybeat-schedule"),
        ],
        "web": [
            python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "4", "--graceful-timeout", "5", "--access-logfile", "-",
            "backend:create_app()",
        ],
    }  # fmt: skip
    if importlib.util.find_spec("connectors.sandbox.__main__") is not None:
        sandbox = [python, "-m", "connectors.sandbox", "--env-file", str(var / "sandbox.env")]
        procs = {"sandbox": sandbox, **procs}
    return procs


class Refusal(RuntimeError):
    """The demo cannot start; the message is one sentence saying why."""


class Demo:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var: Path = args.var
        self.run = RunDirectory(self.var / "run")
        self.supervisor = Supervisor(
            self.run,
            cwd=ROOT,
            log_dir=self.var / "log",
            stop_timeout=args.stop_timeout,
            restart_limit=args.restart_limit,
            restart_window_s=args.restart_window,
        )
        self.env: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.args.port}/"

    def claim(self) -> None:
        """Own var/run (or refuse), stop what an earlier run left, check the ports are free."""
        self.var.mkdir(parents=True, exist_ok=True)
        try:
            self.run.acquire(f"make demo on port {self.args.port}")
        except RunDirectoryInUse as error:
            raise Refusal(
                f"Spendlens is already running from this checkout ({error}); stop it with "
                "Ctrl-C in its terminal first."
            ) from None
        cleared = self.run.clear_leftovers(self.args.stop_timeout)
        if cleared:
            log.info("stopped what an earlier run left running: %s", ", ".join(cleared))
        self.check_port(self.args.port, "web")
        self.check_port(self.args.smtp_port, "mail catcher")

    def check_port(self, port: int, what: str) -> None:
        if port_in_use(port):
            raise Refusal(
                f"Port {port} (the {what}'s) is in use by {port_holder(port)}; stop that "
                f"process or choose another port (--port / --smtp-port, or SPENDLENS_PORT / "
                f"SPENDLENS_SMTP_PORT)."
            )

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("SPENDLENS_SECRET_KEY", _secret_key(self.var))
        env.setdefault("SPENDLENS_ENCRYPTION_KEYS", _encryption_key(self.var))
        env["SPENDLENS_SMTP_PORT"] = str(self.args.smtp_port)
        env.setdefault("SPENDLENS_DASHBOARD_URL", self.url.rstrip("/"))
        dist = ROOT / "frontend" / "dist"
        if (dist / "index.html").exists():
            env.setdefault("SPENDLENS_FRONTEND_DIST", str(dist))
        env.pop("SPENDLENS_RUN_DIR", None)
        return env

    def start_servers(self) -> None:
        """The embedded PostgreSQL and Redis, where DATABASE_URL / REDIS_URL are unset."""
        from devstack import embedded

        for variable, make in (
            ("DATABASE_URL", embedded.postgres_service),
            ("REDIS_URL", embedded.redis_service),
        ):
            if self.env.get(variable):
                continue
            service = make(self.var)
            spec = ChildSpec(
                service.name,
                service.command,
                dict(os.environ),
                tier=SERVERS,
                stop_signal=service.stop_signal,
                user=service.user,
                ready=service.ready,
            )
            self.supervisor.start(spec)
            url = service.url
            if service.name == "postgres":
                url = embedded.create_database(url, "spendlens")
            self.env[variable] = url
            log.info("embedded %s under %s", service.name, self.var)

    def _spec(self, name: str, command: list[str]) -> ChildSpec:
        return ChildSpec(name, command, self._env(name))

    def _env(self, name: str) -> dict[str, str]:
        """A child's environment: the demo's, over WEB_ENV for the web server."""
        return {**WEB_ENV, **self.env} if name == "web" else dict(self.env)

    def _read_sandbox_env(self) -> dict[str, str]:
        path = self.var / "sandbox.env"
        deadline = time.monotonic() + SANDBOX_TIMEOUT_S
        while time.monotonic() < deadline:
            if path.exists() and path.stat().st_size:
                lines = path.read_text().splitlines()
                return dict(line.partition("=")[::2] for line in lines if "=" in line)
            if self.supervisor.children["sandbox"].proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(
            f"the sandbox platforms did not start; see {self.supervisor.log_file('sandbox')}"
        )

    def start_sandbox(self, command: list[str]) -> None:
        spec = self._spec("sandbox", command)
        spec.prepare = lambda: (self.var / "sandbox.env").unlink(missing_ok=True)
        self.supervisor.start(spec)
        self.env.update(self._read_sandbox_env())

    def after_sandbox_restart(self) -> None:
        """The restarted sandbox listens on new ports: restart those that talk to it."""
        fresh = self._read_sandbox_env()
        if all(self.env.get(k) == v for k, v in fresh.items()):
            return
        self.env.update(fresh)
        for name in SANDBOX_USERS:
            if name in self.supervisor.children:
                log.info("restarting %s: the sandbox moved", name)
                self.supervisor.replace(name, self._env(name))

    def prepare_database(self) -> OneOff | None:
        """Run the migrations, then start the demo seed (returned: the caller waits for it)."""
        python = sys.executable
        flask = [python, "-m", "flask", "--app", "backend"]
        self.supervisor.run_once(self._spec("migrate", [*flask, "db", "upgrade"]))
        if not self.args.no_seed:
            seed = [
                python,
                "-m",
                "flask",
                "--app",
                "devstack.app",
                "demo-seed",
                "--var",
                str(self.var),
            ]
            return self.supervisor.begin_once(self._spec("seed", seed))
        return None

    def wait_for_web(self) -> None:
        """Until the URL's health check answers 200, restarting children that die meanwhile."""
        deadline = time.monotonic() + WEB_TIMEOUT_S
        health = f"{self.url}api/health"
        last = "no answer"
        while time.monotonic() < deadline:
            self.supervisor.poll()
            try:
                with urllib.request.urlopen(health, timeout=5) as answer:
                    log.info("health: %s", answer.read().decode()[:300])
                    return
            except urllib.error.HTTPError as answer:  # it answers, but a service is not well
                last = f"{answer.code} {answer.read().decode()[:300]}"
            except OSError as error:
                last = str(error)
            time.sleep(0.5)
        raise RuntimeError(
            f"{health} did not answer 200 within {WEB_TIMEOUT_S} s ({last}); see "
            f"{self.supervisor.log_file('web')}"
        )

    def start(self) -> None:
        """The servers, the sandbox and the mail catcher, the migrations; then the worker and
        the web server start while the seed runs (they boot meanwhile), and beat once it is
        done (its first schedule must find the seeded accounts and their history)."""
        self.claim()
        self.env = self.environment()
        self.start_servers()
        seeding = None
        processes = _processes(self.env, self.args.port, self.var)
        for name, command in processes.items():
            if name == "sandbox":
                self.start_sandbox(command)
                continue
            if name == "worker":
                seeding = self.prepare_database()
            if name == "beat":
                continue
            if name == "web":  # still free after the migrations?
                self.check_port(self.args.port, "web")
            self.supervisor.start(self._spec(name, command))
        if seeding is not None:
            self.supervisor.finish_once(seeding)
        self.supervisor.start(self._spec("beat", processes["beat"]))
        self.wait_for_web()
        self.announce()

    def watch(self) -> None:
        while True:
            if "sandbox" in self.supervisor.poll():
                self.after_sandbox_restart()
            time.sleep(0.5)

    def stop(self) -> None:
        self.supervisor.stop_all()
        self.run.release()

    def announce(self) -> None:
        users = self.var / "demo-users.txt"
        lines = ["", "=" * 72, f"Spendlens is running at {self.url}"]
        if users.exists():
            lines.append(users.read_text().rstrip())
        if (self.var / "sandbox-credentials.txt").exists():
            lines.append((self.var / "sandbox-credentials.txt").read_text().rstrip())
        lines += [
            f"Mail sent by Spendlens is caught in {self.var / 'mail'} "
            f"(SMTP 127.0.0.1:{self.args.smtp_port}); logs are in {self.var / 'log'}",
            f"Press Ctrl-C to stop; the data stays in {self.var} for the next run.",
            "=" * 72,
            "",
        ]
        print("\n".join(lines), flush=True)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop the demo (even where SIGINT was inherited ignored); further
    ones while it stops are ignored: everything is killed at the stop deadline anyway."""

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    _stop_on_signals()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s demo %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    args = parse_args(argv)
    demo = Demo(args)
    code = 0
    try:
        demo.start()
        demo.watch()
    except Refusal as refusal:
        print(f"make demo: {refusal}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        log.info("stopping")
    except (CrashLoop, RuntimeError) as error:
        log.error("stopping: %s", error)
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        demo.stop()
    log.info("stopped")
    return code
