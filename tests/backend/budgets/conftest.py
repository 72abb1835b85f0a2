"""Fixtures for budgets and alerts: accounts in UTC and USD (the reporting currency, so no
exchange rate is involved), spend written through the real slice path (facts, then rollups),
sync runs, budgets, and a real SMTP server (aiosmtpd) on the loopback port the app and the
worker are configured with."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from email.message import EmailMessage

import pytest
from sqlalchemy import text

from backend.models import AdAccount, Budget
from backend.services import budgets
from backend.services.ingestion.slices import Slice, replace_metric_slice
from backend.services.roi.rollups import refresh_rollups
from connectors import Level, SpendRow

ONLY_THRESHOLD = {
    "threshold": {"enabled": True, "levels": [50, 80, 100]},
    "projected_overspend": {"enabled": False},
    "predicted_roas": {"enabled": False},
    "anomaly": {"enabled": False},
    "stale_data": {"enabled": False},
    "credentials": {"enabled": False},
    "suspect_traffic": {"enabled": False},
}


def only(rule: str, **config) -> dict:
    """Rules with just `rule` switched on (with `config`)."""
    rules = {name: {"enabled": False} for name in ONLY_THRESHOLD}
    rules[rule] = {"enabled": True, **config}
    return rules


def spend_row(account: AdAccount, day: dt.date, spend: Decimal, campaign: str) -> SpendRow:
    return SpendRow(
        platform=account.platform,
        account_id=account.external_id,
        date=day,
        currency=account.currency,
        campaign_id=campaign,
        campaign_name=f"Campaign {campaign}",
        spend=Decimal(spend),
        impressions=1000,
        clicks=10,
        installs=5,
        conversions=Decimal(1),
        conversion_value=Decimal("1.00"),
    )


def write_spend(
    db, account: AdAccount, daily: Mapping[dt.date, Decimal | str | int], campaign: str = "c1"
) -> None:
    """Replace the account's campaign-level slice over the given days (the real write path:
    replace_metric_slice, then refresh_rollups), as one sync would; days of the range missing
    from `daily` end up with no spend."""
    days = sorted(daily)
    rows = [spend_row(account, d, Decimal(str(daily[d])), campaign) for d in days if daily[d]]
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    target = Slice(account.id, Level.CAMPAIGN, "none", days[0], days[-1])
    replace_metric_slice(cursor, target, rows, sync_run_id=None)
    refresh_rollups(cursor, target, "USD")
    db.session.commit()


def each_day(start: dt.date, end: dt.date, amount) -> dict[dt.date, object]:
    return {start + dt.timedelta(days=i): amount for i in range((end - start).days + 1)}


def mark_synced(db, account: AdAccount, through: dt.date, at: dt.datetime) -> None:
    """A successful sync run of the account covering days up to `through`, finished at `at`."""
    db.session.execute(
        text(
            """
            INSERT INTO sync_runs (ad_account_id, kind, window_start, window_end, status,
                                   attempts, rows, reconciliation_flagged, created_at,
                                   finished_at)
            VALUES (:acc, 'scheduled', :start, :end, 'succeeded', 1, 0, false, :at, :at)
            """
        ),
        {"acc": account.id, "start": through - dt.timedelta(days=28), "end": through, "at": at},
    )
    db.session.commit()


@pytest.fixture
def make_account(db) -> Callable[..., AdAccount]:
    def make(platform: str = "meta", external_id: str = "act_1", **kwargs) -> AdAccount:
        account = AdAccount(
            platform=platform,
            external_id=external_id,
            name=kwargs.pop("name", f"{platform} {external_id}"),
            currency="USD",
            timezone="UTC",
            status=kwargs.pop("status", "active"),
            created_at=kwargs.pop("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
            **kwargs,
        )
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def account(make_account) -> AdAccount:
    return make_account()


@pytest.fixture
def make_budget(db) -> Callable[..., Budget]:
    def make(**overrides) -> Budget:
        data = {
            "name": "Meta October",
            "scope": {"type": "all"},
            "period": "month",
            "period_start": dt.date(2026, 10, 1),
            "amount": Decimal("10000"),
            "recipients": ["cfo@example.com", "controller@example.com"],
            "rules": ONLY_THRESHOLD,
        }
        data.update(overrides)
        return budgets.create_budget(None, data)

    return make


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        #: Addresses answered with "550 no such user".
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == recipient]


class MailServer:
    """A real SMTP server on the test SMTP port, which tests can stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def wait_for(self, count: int, timeout: float = 60.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.1)
        raise AssertionError(f"{len(self.messages)} messages arrived, expected {count}")


@pytest.fixture
def mail_server(app_config) -> MailServer:
    server = MailServer(app_config["SMTP_PORT"])
    server.start()
    yield server
    server.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a multipart/alternative message."""
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def outbox(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        text("SELECT recipient, status, alert_id, attempts FROM mail_outbox ORDER BY id")
    ).all()
