"""What every request and response goes through: body size limits, uploads that must be
multipart, JSON nested too deep, the keep-alive connection after a refusal, security headers,
and a production server that will not start without a secret key."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from backend.http_guards import CONTENT_SECURITY_POLICY, MAX_JSON_DEPTH, MB
from tests.conftest import service_env

ROOT = Path(__file__).resolve().parent.parent.parent


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_100000_deep_is_a_400_not_a_server_error(client):
    response = client.post(
        "/api/auth/login", data=_nested(100_000), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.is_json
    assert "nested deeper" in response.json["message"]


def test_deep_json_is_refused_on_signed_in_routes_too(admin):
    body = '{"customers": ' + _nested(MAX_JSON_DEPTH + 1) + "}"
    response = admin.post("/api/customers/batch", data=body, content_type="application/json")
    assert response.status_code == 400


def test_brackets_inside_strings_are_not_nesting(client, make_user):
    user = make_user()
    body = json.dumps({"email": user.email, "password": "[{" * 500})
    response = client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 401


def test_json_as_deep_as_allowed_reaches_the_view(admin):
    body = '{"customers": ' + _nested(MAX_JSON_DEPTH - 1) + "}"
    response = admin.post("/api/customers/batch", data=body, content_type="application/json")
    assert response.status_code == 422  # the schema's answer: the body was parsed


def test_a_json_body_over_the_limit_is_a_413(app, client):
    body = b'{"email": "a@example.com", "password": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"])
    response = client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.is_json
    assert response.headers["Connection"] == "close"


def test_an_upload_sent_as_a_plain_body_is_a_415(admin):
    response = admin.post(
        "/api/revenue/upload", data=b"event_id,customer_id\n", content_type="text/csv"
    )
    assert response.status_code == 415
    assert response.is_json
    assert "multipart/form-data" in response.json["message"]


def test_an_upload_may_be_larger_than_a_json_body(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_REQUEST_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1 * MB)
    header = "customer_id,acquired_at\n"
    rows = "".join(f"c{i:07d},2026-01-01T00:00:00Z\n" for i in range(60_000))
    assert len(rows) > 1.5 * MB
    import io

    response = admin.post(
        "/api/customers/upload", data={"file": (io.BytesIO((header + rows).encode()), "c.csv")}
    )
    assert response.status_code == 200, response.json
    assert response.json["rows"] == 60_000


def test_an_upload_over_its_own_limit_is_a_413(app, admin, monkeypatch):
    import io

    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    data = {"file": (io.BytesIO(b"customer_id,acquired_at\n" + b"x" * (2 * MB)), "c.csv")}
    response = admin.post("/api/customers/upload", data=data)
    assert response.status_code == 413
    assert response.is_json


def test_every_answer_carries_the_security_headers(app, client, admin):
    for response in (client.get("/api/health"), admin.get("/api/auth/me"), client.get("/")):
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_when_cookies_are_secure(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/api/health")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.fixture(params=["werkzeug", "gunicorn"])
def live_server(request, app, app_config, db):
    """The app on a real HTTP/1.1 server with keep-alive on a loopback port: werkzeug's
    threaded server, or gunicorn's threaded workers as the demo and compose run it."""
    if request.param == "werkzeug":
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.server_port
        server.shutdown()
        return
    port = _free_port()
    proc = _gunicorn(service_env(app_config), port)
    try:
        _wait_serving(proc, port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def admin_token(admin) -> str:
    return admin.post("/api/auth/tokens", json={"name": "keep-alive"}).json["token"]


def test_a_refused_plain_upload_leaves_the_keep_alive_connection_usable(live_server, admin_token):
    conn = http.client.HTTPConnection("127.0.0.1", live_server, timeout=30)
    auth = {"Authorization": f"Bearer {admin_token}"}
    conn.request("GET", "/api/auth/me", headers=auth)
    first = conn.getresponse()
    first.read()
    assert first.status == 200
    sock = conn.sock
    body = b"event_id,customer_id,occurred_at,amount,currency\n" + b"x" * (5 * MB)
    conn.request(
        "POST", "/api/revenue/upload", body=body, headers={**auth, "Content-Type": "text/csv"}
    )
    refused = conn.getresponse()
    payload = json.loads(refused.read())
    assert refused.status == 415
    assert "multipart/form-data" in payload["message"]
    conn.request("GET", "/api/auth/me", headers=auth)
    after = conn.getresponse()
    assert after.status == 200
    assert json.loads(after.read())["auth_method"] == "token"
    assert conn.sock is sock  # the same connection, kept alive
    conn.close()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--threads", "2", "backend:create_app()",
    ]  # fmt: skip
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait_serving(proc: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not start serving")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1
    return int(children[0])


def test_a_100_mb_body_to_login_does_not_grow_the_web_worker(app_config, db):
    port = _free_port()
    proc = _gunicorn(service_env(app_config), port)
    try:
        _wait_serving(proc, port)
        worker = _worker_pid(proc.pid)
        before = _rss_kb(worker)
        status = None
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (100 * MB)
            )
            chunk = b'{"email": "a@example.com", "password": "' + b"x" * (MB - 41)
            try:
                for _ in range(100):
                    sock.sendall(chunk)
            except OSError:
                pass  # refused before it was read: the server closed the connection
            try:
                status = int(sock.recv(64).split()[1])
            except (OSError, IndexError, ValueError):
                status = None
        grown_mb = (_rss_kb(worker) - before) / 1024
        assert grown_mb < 20, f"the worker grew by {grown_mb:.0f} MB"
        assert status in (413, None)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/health")
        assert conn.getresponse().status in (200, 503)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_production_server_refuses_to_start_without_a_secret_key(app_config):
    env = service_env(app_config)
    env.pop("SPENDLENS_SECRET_KEY")
    proc = _gunicorn(env, _free_port())
    try:
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert "SPENDLENS_SECRET_KEY is not set" in output


def test_outside_a_server_a_missing_secret_key_is_made_up(app_config):
    from backend import create_app

    env_before = os.environ.get("SERVER_SOFTWARE")
    assert env_before is None or not env_before.startswith("gunicorn")
    made = create_app({**app_config, "SECRET_KEY": None})
    assert len(made.config["SECRET_KEY"]) >= 32


def test_upload_routes_document_413_and_415(app, admin):
    spec = admin.get("/api/openapi.json").json
    for path in ("/api/customers/upload", "/api/revenue/upload", "/api/fx-rates/upload"):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"413", "415"} <= set(responses), path
