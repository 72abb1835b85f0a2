"""End-to-end fixtures: the real stack (Flask serving the built dashboard, PostgreSQL, Redis, a
Celery worker, the sandbox platforms) seeded with the demo, driven by Debian's Chromium through
Playwright.

One seeded stack serves the whole e2e package (`demo_stack`, package scope): the demo seed (a
year of history, this month's budgets), its backfill of the recent days and the LTV model's
training on the sandbox customers, both run by the real worker. The tables are
emptied before and after, so the rest of the suite starts from empty tables as usual.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from backend import create_app
from tests.conftest import truncate_all

ROOT = Path(__file__).resolve().parent.parent.parent
DIST = ROOT / "frontend" / "dist"
#: Where tests/e2e/test_screenshots.py writes: under var/ (not tracked) on every test run;
#: `make screenshots` points it at docs/screenshots/, the copies the README shows.
SCREENSHOTS = Path(
    os.environ.get("SPENDLENS_SCREENSHOTS_DIR") or ROOT / "var" / "test" / "screenshots"
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
VIEWPORT = {"width": 1440, "height": 900}
#: Recent days the worker backfills for the e2e run (the seed loads the older year directly).
DEMO_DAYS = 30
#: Playwright's wait for a page to show what a test expects (ms); a cold page load of the
#: dashboard's lazily loaded chunks takes a second or two.
EXPECT_TIMEOUT_MS = 20_000


#: pytest-timeout counts fixture set-up against the first test that needs it; the first e2e
#: test pays for the seeded stack (demo seed, its backfill, the model training).
E2E_TIMEOUT_S = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(E2E_TIMEOUT_S))


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


def wait_for_sync_runs(app, timeout: float = 900) -> None:
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
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoStack:
    """The seeded stack: where it is served, its app, and the demo users by role."""

    url: str
    app: object
    users: dict[str, DemoUser]
    currency: str
    model_version: int | None

    def user(self, role: str) -> DemoUser:
        return self.users[role]

    @property
    def report_range(self) -> tuple[dt.date, dt.date]:
        """The dashboard's default range: the last 30 complete days (UTC, as the browser)."""
        end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        return end - dt.timedelta(days=29), end


def _read_users(passwords_file: Path) -> dict[str, DemoUser]:
    users = {}
    for line in passwords_file.read_text().splitlines()[1:]:
        role, email, password = line.split()
        users[role] = DemoUser(role, email, password)
    return users


def _check_backfill(app) -> None:
    """Every run of the demo backfill succeeded (a failure here explains every later one)."""
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import SyncRun

    with app.app_context():
        failed = db.session.execute(
            select(SyncRun.ad_account_id, SyncRun.status, SyncRun.error).where(
                SyncRun.status != "succeeded"
            )
        ).all()
        db.session.remove()
    assert not failed, f"demo backfill runs did not succeed: {failed}"


def _ensure_model(app, timeout: float = 600) -> int | None:
    """The active LTV model version, so that predicted ROAS has figures: the one the worker
    trains for the seed (waited for), else trained here; None without the model code."""
    if importlib.util.find_spec("backend.services.predictions.training") is None:
        return None
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import ModelKind, ModelVersion
    from backend.services.predictions.training import train_and_score

    active = select(ModelVersion.id).where(
        ModelVersion.kind == ModelKind.LTV, ModelVersion.is_active.is_(True)
    )
    training = select(ModelVersion.id).where(
        ModelVersion.kind == ModelKind.LTV, ModelVersion.status == "training"
    )
    deadline = time.monotonic() + timeout
    with app.app_context():
        while db.session.scalar(training) is not None and time.monotonic() < deadline:
            db.session.remove()
            time.sleep(1)
        version = db.session.scalar(active)
        if version is None:
            version = train_and_score().ltv.id
        db.session.remove()
    return version


def _ensure_first_purchase_model(app, timeout: float = 600) -> None:
    """An active first-purchase version, so that young cohorts have early figures: the one the
    worker trains after the LTV models (waited for), else trained here."""
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import ModelKind, ModelVersion
    from backend.services.predictions.first_purchase import train_first_purchase

    kind = ModelVersion.kind == ModelKind.FIRST_PURCHASE
    active = select(ModelVersion.id).where(kind, ModelVersion.is_active.is_(True))
    training = select(ModelVersion.id).where(kind, ModelVersion.status == "training")
    deadline = time.monotonic() + timeout
    with app.app_context():
        while db.session.scalar(training) is not None and time.monotonic() < deadline:
            db.session.remove()
            time.sleep(1)
        if db.session.scalar(active) is None:
            train_first_purchase()
        db.session.remove()


@pytest.fixture(scope="package")
def demo_stack(app, e2e_app, live_server, celery_worker, tmp_path_factory) -> Iterator[DemoStack]:
    """The demo seeded on the real stack for the whole e2e package; tables emptied after."""
    from devstack.demo import seed

    truncate_all(e2e_app)
    var_dir = tmp_path_factory.mktemp("demo")
    try:
        with e2e_app.app_context():
            seed(var_dir, days=DEMO_DAYS, train_in_worker=True)
        wait_for_sync_runs(e2e_app)
        _check_backfill(e2e_app)
        version = _ensure_model(e2e_app)
        _ensure_first_purchase_model(e2e_app)
        yield DemoStack(
            url=live_server,
            app=e2e_app,
            users=_read_users(var_dir / "demo-users.txt"),
            currency=e2e_app.config["REPORTING_CURRENCY"],
            model_version=version,
        )
    finally:
        wait_for_sync_runs(e2e_app)
        truncate_all(e2e_app)


@pytest.fixture
def new_page(browser, demo_stack) -> Iterator[Callable]:
    """Pages in fresh browser contexts (1440×900, en-US, UTC), closed after the test. Every test
    fails when Chromium reports a Content-Security-Policy violation on one of its pages."""
    contexts = []
    csp_violations: list[str] = []

    def make():
        context = browser.new_context(
            base_url=demo_stack.url, viewport=VIEWPORT, locale="en-US", timezone_id="UTC"
        )
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _note_csp_violation(message.text, csp_violations))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"


def _note_csp_violation(text: str, violations: list[str]) -> None:
    if "Content Security Policy" in text:
        violations.append(text)


def sign_in(page, user: DemoUser, next_path: str | None = None) -> None:
    """Log in through the login form (going to `next_path` afterwards when given)."""
    from playwright.sync_api import expect

    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="User menu")).to_be_visible()


@pytest.fixture
def page_as(new_page, demo_stack) -> Callable:
    """A page signed in as the demo user of a role."""

    def make(role: str, next_path: str | None = None):
        page = new_page()
        sign_in(page, demo_stack.user(role), next_path)
        return page

    return make


def csrf_headers(page) -> dict[str, str]:
    """The CSRF header of the page's session, for API calls through `page.request`."""
    response = page.request.get("/api/auth/me")
    assert response.ok, response.text()
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def run_task(app, name: str, timeout: float = 120) -> object:
    """Run a worker task by name on the real worker and wait for its result."""
    result = app.extensions["celery"].send_task(name)
    return result.get(timeout=timeout)
