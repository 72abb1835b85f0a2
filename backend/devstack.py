"""`make demo`: the whole product on one machine.

Uses DATABASE_URL / REDIS_URL when set, else the embedded PostgreSQL and Redis under var/. Runs
migrations, seeds the demo, starts the sandbox ad platforms, an SMTP catcher, a Celery worker and
beat, and the web server; prints the URL and the demo users. Ctrl-C stops what it started and
leaves the data in var/ for the next run.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
log = logging.getLogger("spendlens.demo")


def _services(env: dict[str, str]) -> list:
    """Fill DATABASE_URL / REDIS_URL in `env`, starting the embedded servers where unset."""
    handles = []
    if not env.get("DATABASE_URL"):
        from backend.embedded import start_postgres

        env["DATABASE_URL"], handle = start_postgres(VAR)
        handles.append(handle)
        log.info("embedded PostgreSQL under var/postgres")
    if not env.get("REDIS_URL"):
        from backend.embedded import start_redis

        env["REDIS_URL"], handle = start_redis(VAR)
        handles.append(handle)
        log.info("embedded Redis on a unix socket (data in var/redis.rdb)")
    return handles


def _secret_key() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _encryption_key() -> str:
    path = VAR / "encryption_key"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def _migrate_and_seed(env: dict[str, str]) -> None:
    python = sys.executable
    subprocess.run(
        [python, "-m", "flask", "--app", "backend", "db", "upgrade"], cwd=ROOT, env=env, check=True
    )
    if importlib.util.find_spec("backend.commands.demo") is not None:
        subprocess.run(
            [python, "-m", "flask", "--app", "backend", "demo-seed"], cwd=ROOT, env=env, check=True
        )


def _processes(env: dict[str, str], port: int) -> dict[str, list[str]]:
    python = sys.executable
    procs = {
        "mail": [
            python,
            "-m",
            "backend.mailcatcher",
            "--port",
            env["SPENDLENS_SMTP_PORT"],
            "--dir",
            str(VAR / "mail"),
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "workers.app",
            "worker",
            "-c",
            "2",
            "--loglevel",
            "INFO",
            "-n",
            "demo@%h",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "workers.app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
        "web": [
            python,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "backend:create_app()",
        ],
    }
    if importlib.util.find_spec("connectors.sandbox.__main__") is not None:
        procs = {
            "sandbox": [python, "-m", "connectors.sandbox", "--env-file", str(VAR / "sandbox.env")],
            **procs,
        }
    return procs


def _wait_for_sandbox(env: dict[str, str], timeout: float = 30) -> None:
    path = VAR / "sandbox.env"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size:
            for line in path.read_text().splitlines():
                key, _, value = line.partition("=")
                if key:
                    env[key] = value
            return
        time.sleep(0.2)
    raise RuntimeError("the sandbox platforms did not start")


def _wait_for_web(port: int, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                log.info("health: %s", r.read().decode())
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    log.warning("the web server did not answer /api/health in %ss", timeout)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop the demo cleanly (even where SIGINT was inherited ignored)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def main() -> None:
    _stop_on_signals()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s demo %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    handles = _services(env)
    port = int(env.get("SPENDLENS_PORT", "8000"))
    env.setdefault("SPENDLENS_SECRET_KEY", _secret_key())
    env.setdefault("SPENDLENS_ENCRYPTION_KEYS", _encryption_key())
    env.setdefault("SPENDLENS_SMTP_PORT", "8025")
    env.setdefault("SPENDLENS_DASHBOARD_URL", f"http://127.0.0.1:{port}")
    dist = ROOT / "frontend" / "dist"
    if dist.exists():
        env.setdefault("SPENDLENS_FRONTEND_DIST", str(dist))
    children: dict[str, subprocess.Popen] = {}
    try:
        (VAR / "sandbox.env").unlink(missing_ok=True)
        for name, cmd in _processes(env, port).items():
            if name == "worker":
                _migrate_and_seed(env)
            children[name] = subprocess.Popen(cmd, cwd=ROOT, env=env)
            if name == "sandbox":
                _wait_for_sandbox(env)
        _wait_for_web(port)
        _announce(env, port)
        while all(p.poll() is None for p in children.values()):
            time.sleep(1)
        dead = [n for n, p in children.items() if p.poll() is not None]
        log.error("stopped because %s exited", ", ".join(dead))
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in children.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        del handles


def _announce(env: dict[str, str], port: int) -> None:
    users = VAR / "demo-users.txt"
    print("\n" + "=" * 72)
    print(f"Spendlens is running at http://127.0.0.1:{port}/")
    if users.exists():
        print(users.read_text().rstrip())
    print(
        f"Mail sent by Spendlens is caught in {VAR / 'mail'} (SMTP 127.0.0.1:"
        f"{env['SPENDLENS_SMTP_PORT']})"
    )
    print("Press Ctrl-C to stop; the data stays in var/ for the next run.")
    print("=" * 72 + "\n", flush=True)


if __name__ == "__main__":
    main()
