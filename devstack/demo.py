"""Seeding the demo: users of each role, the sandbox ad accounts with their credentials (all
but the ones left for an admin to add), exchange rates, a year of history (spend, customers and
their purchases), this month's budgets, and a backfill of the recent days through the worker.

Idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import math
import random
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import AdAccount, FxRate, Role, SyncRun, User
from backend.services import users

DEMO_USERS = (
    (Role.ADMIN, "admin@spendlens.demo", "Ada Admin"),
    (Role.MARKETER, "marketer@spendlens.demo", "Mia Marketer"),
    (Role.FINANCE, "finance@spendlens.demo", "Finn Finance"),
)
#: Units per euro around which the synthetic ECB-format rates wander (a demo has no network).
EURO_RATES = {"USD": 1.08, "GBP": 0.86, "JPY": 158.0, "AUD": 1.64, "CAD": 1.47}
#: Days of history the demo has (spend and customers): a year and more, so that D90 cohorts of
#: most of a year are complete.
HISTORY_DAYS = 400
#: The recent days the worker backfills through the platforms (older days load directly).
BACKFILL_DAYS = 30


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    password: str


def ensure_users(passwords_file: Path) -> list[DemoUser]:
    """One user per role; passwords generated once and kept in `passwords_file` (mode 600)."""
    known = {}
    if passwords_file.exists():
        for line in passwords_file.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and "@" in parts[1]:
                known[parts[1]] = parts[2]
    out = []
    for role, email, name in DEMO_USERS:
        password = known.get(email) or secrets.token_urlsafe(12)
        user = users.find_by_email(email)
        if user is None:
            users.create_user(None, email=email, password=password, role=role, name=name)
        elif email not in known:
            users.update_user(None, user.id, {"password": password})
        out.append(DemoUser(role.value, email, password))
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    passwords_file.write_text(
        "Demo users (role, email, password):\n"
        + "".join(f"  {u.role:<9} {u.email} {u.password}\n" for u in out)
    )
    passwords_file.chmod(0o600)
    return out


def synthetic_ecb_csv(start: dt.date, end: dt.date, seed: int = 11) -> str:
    """Exchange rates in ECB's CSV format: a seeded random walk around typical levels."""
    rng = random.Random(seed)
    names = sorted(EURO_RATES)
    level = {c: math.log(v) for c, v in EURO_RATES.items()}
    lines = ["Date," + ",".join(names)]
    day = start
    while day <= end:
        for c in names:
            level[c] += rng.gauss(0, 0.004) - 0.02 * (level[c] - math.log(EURO_RATES[c]))
        if day.weekday() < 5:  # the ECB publishes on working days; weekends carry Friday's
            cells = [f"{math.exp(level[c]):.4f}" for c in names]
            lines.append(day.isoformat() + "," + ",".join(cells))
        day += dt.timedelta(days=1)
    return lines[0] + "\n" + "\n".join(reversed(lines[1:])) + "\n"  # newest first, as ECB


def ensure_fx_rates(days: int) -> int:
    from backend.services.ingestion.fx import load_fx_csv

    today = dt.date.today()
    newest = db.session.scalar(select(func.max(FxRate.date)))
    if newest is not None and newest >= today - dt.timedelta(days=4):
        return 0
    csv_text = synthetic_ecb_csv(today - dt.timedelta(days=days), today)
    result = load_fx_csv(
        io.StringIO(csv_text),
        current_app.config["REPORTING_CURRENCY"],
        source="demo (synthetic ECB format)",
        overwrite=True,  # a new synthetic walk may restate days an earlier start stored
    )
    return result.rows


def write_sandbox_guide(var_dir: Path) -> Path:
    """The sandbox platforms' credentials and the accounts not yet added, for the admin who
    tries "Add account" (`make demo` prints it); the Apple private key beside it."""
    from connectors.sandbox import credentials as sandbox_credentials
    from connectors.sandbox.apple_search_ads import world as apple_sandbox
    from connectors.sandbox.generator import World

    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "sandbox-apple-private-key.pem"
    key_file.write_text(apple_sandbox.private_key_pem())
    guide = var_dir / "sandbox-credentials.txt"
    guide.write_text(sandbox_credentials.admin_guide(World().accounts, str(key_file)))
    for path in (key_file, guide):
        path.chmod(0o600)
    return guide


def ensure_sandbox_accounts(history_days: int = HISTORY_DAYS) -> list[AdAccount]:
    """The demo's sandbox accounts (not those left for an admin to add), with credentials the
    sandbox accepts and their history starting `history_days` ago."""
    from backend.services import accounts
    from backend.services.ingestion.windows import account_today
    from connectors.sandbox import credentials as sandbox_credentials
    from connectors.sandbox.generator import World

    configs = sandbox_credentials.sandbox_configs()
    out = []
    for account in World().demo_accounts:
        stored = db.session.scalar(
            select(AdAccount).where(
                AdAccount.platform == account.platform, AdAccount.external_id == account.external_id
            )
        )
        if stored is None:
            stored = accounts.create_account(
                None,
                {
                    "platform": account.platform,
                    "external_id": account.external_id,
                    "name": account.name,
                    "currency": account.currency,
                    "timezone": account.timezone,
                    "credentials": configs[account.platform],
                },
                first_sync=False,  # the seed loads the history and queues the recent days
            )
            stored.history_start = account_today(stored) - dt.timedelta(days=history_days)
            db.session.commit()
        out.append(stored)
    return out


def never_synced(accounts: list[AdAccount]) -> list[AdAccount]:
    return [
        account
        for account in accounts
        if not db.session.scalar(select(SyncRun.id).where(SyncRun.ad_account_id == account.id))
    ]


def load_history(accounts: list[AdAccount], history_days: int, backfill_days: int) -> int:
    """Spend from `history_days` ago up to the days the worker backfills, straight from the
    sandbox's World (`demo_world.load_spend_history`); returns the rows written."""
    from backend.services.ingestion.windows import account_today
    from connectors.sandbox.generator import World
    from devstack.demo_world import load_spend_history

    world = World()
    rows = 0
    for account in accounts:
        today = account_today(account)
        start = today - dt.timedelta(days=history_days)
        end = today - dt.timedelta(days=backfill_days + 1)
        rows += load_spend_history(account, world, start, end)
    return rows


def backfill(accounts: list[AdAccount], days: int) -> int:
    """Queue a backfill of the last `days` (to today) of each account; returns runs queued."""
    from backend.services.ingestion.sync import request_sync
    from backend.services.ingestion.windows import account_today

    queued = 0
    for account in accounts:
        today = account_today(account)
        queued += len(request_sync(account.id, "backfill", today - dt.timedelta(days=days), today))
    return queued


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def seed(
    var_dir: Path,
    days: int = BACKFILL_DAYS,
    history_days: int = HISTORY_DAYS,
    train_in_worker: bool = False,
) -> dict[str, object]:
    """`days`: the recent days the worker backfills; `history_days`: all the history; the first
    LTV model is trained here, or with `train_in_worker` queued for the worker."""
    history_days = max(history_days, days)
    timings: dict[str, float] = {}
    clock = _PhaseClock(timings)
    with clock("users"):
        demo_users = ensure_users(var_dir / "demo-users.txt")
        write_sandbox_guide(var_dir)
    with clock("fx_rates"):
        fx_rows = ensure_fx_rates(history_days + 30)
    with clock("accounts"):
        accounts = ensure_sandbox_accounts(history_days)
        new = never_synced(accounts)
    with clock("spend_history"):
        history_rows = load_history(new, history_days, days)
    customers = None
    if _module_exists("devstack.demo_customers"):
        from devstack import demo_customers as customer_demo

        with clock("customers"):
            customers = customer_demo.load_demo_customers(
                days=history_days, train=not train_in_worker
            )
            if train_in_worker and customer_demo.needs_first_model():
                from backend.services.predictions.training import request_training

                customers["model_version"] = request_training(None).id
    with clock("budgets"):
        budgets = _ensure_budgets(demo_users)
    with clock("recommendation"):
        recommendation = _first_recommendation()
    with clock("backfill"):
        queued = backfill(new, days)
    existing = db.session.scalar(select(func.count(User.id)))
    return {
        "users": len(demo_users),
        "fx_rates": fx_rows,
        "accounts": len(accounts),
        "history_rows": history_rows,
        "customers": customers,
        "budgets": budgets,
        "recommendation_run": recommendation,
        "backfill_runs": queued,
        "total_users": existing,
        "seconds": timings,
    }


class _PhaseClock:
    """Wall seconds of each phase of the seed, kept in `timings` (the demo prints them)."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = round(time.perf_counter() - began, 1)


def _first_recommendation() -> int | None:
    """Queue the demo's first reallocation run (it waits for the first LTV model), unless one
    exists; returns its id."""
    from backend.models import RecommendationRun
    from backend.services.recommendations import runs

    if db.session.scalar(select(func.count(RecommendationRun.id))):
        return None
    return runs.request_run(None, {"wait_for_model": True}, trigger="schedule").id


def _ensure_budgets(demo_users: list[DemoUser]) -> int:
    from connectors.sandbox.generator import World
    from devstack.demo_world import ensure_budgets

    finance = [u.email for u in demo_users if u.role == Role.FINANCE.value]
    return ensure_budgets(World(), finance)
