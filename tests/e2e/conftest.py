"""End-to-end fixtures: the real stack (Flask serving the built dashboard, PostgreSQL, Redis, a
Celery worker, the sandbox platforms) seeded with the demo, driven by Debian's Chromium through
Playwright."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from backend import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
DIST = ROOT / "frontend" / "dist"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def e2e_app(app_config):
    if not (DIST / "index.html").exists():
        pytest.fail("frontend/dist is missing: build the dashboard first (make test does)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    return create_app({**app_config, "FRONTEND_DIST": str(DIST)})


@pytest.fixture(scope="session")
def live_server(e2e_app):
    """The app on a real HTTP server (threaded werkzeug) on a free loopback port."""
    server = make_server("127.0.0.1", 0, e2e_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def wait_for_sync_runs(app, timeout: float = 300) -> None:
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import SyncRun

    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            pending = db.session.scalars(
                select(SyncRun).where(SyncRun.status.in_(["queued", "running"]))
            ).all()
            if not pending:
                return
            db.session.remove()
            time.sleep(0.5)
    raise AssertionError("the demo backfill did not finish in time")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
