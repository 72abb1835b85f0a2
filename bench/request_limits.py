"""Memory of a web worker that receives a 100 MB JSON body at the unauthenticated login.

Starts gunicorn (one threaded worker, as the demo runs it) twice: with the default body limit
(SPENDLENS_MAX_REQUEST_MB) and, as the reference, with the limit raised above the body. Sends
the body over a raw socket and prints one JSON line: the worker's resident memory before and
after each, the answer's status, and the ratio of the growths (target: the limited worker does
not grow, the ratio is ~0). The body is refused before anything is read, so no database or Redis
is needed (the health check used to wait for the worker may answer 503).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
BODY_MB = 100


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_serving(port: int) -> None:
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _send_body(port: int) -> str:
    total = BODY_MB * MB
    head = b'{"email": "a@example.com", "password": "'
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % total
        )
        try:
            sock.sendall(head)
            sent = len(head)
            while sent + MB <= total - 2:
                sock.sendall(b"x" * MB)
                sent += MB
            sock.sendall(b"x" * (total - 2 - sent) + b'"}')
        except OSError:
            pass  # the server refused the body unread and closed the connection
        try:
            return sock.recv(64).split()[1].decode()
        except (OSError, IndexError):
            return "closed"


def measure(limit_mb: int | None) -> dict:
    port = _free_port()
    env = dict(os.environ, SPENDLENS_SECRET_KEY="bench")
    env.setdefault("DATABASE_URL", "postgresql://unused@127.0.0.1:1/unused")
    if limit_mb is not None:
        env["SPENDLENS_MAX_REQUEST_MB"] = str(limit_mb)
    cmd = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--threads", "2", "backend:create_app()",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_serving(port)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        worker = int(children[0])
        before = _rss_mb(worker)
        status = _send_body(port)
        time.sleep(1)
        return {
            "rss_before_mb": round(before),
            "rss_after_mb": round(_rss_mb(worker)),
            "answer": status,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    limited = measure(None)
    reference = measure(BODY_MB * 2)
    growth = limited["rss_after_mb"] - limited["rss_before_mb"]
    reference_growth = reference["rss_after_mb"] - reference["rss_before_mb"]
    print(
        json.dumps(
            {
                "body_mb": BODY_MB,
                "limited": limited,
                "reference_without_limit": reference,
                "growth_ratio": round(growth / max(reference_growth, 1), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
