"""Helpers for ingestion tests: accounts and SpendRows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from backend.models import AdAccount
from connectors import SpendRow
from connectors.sandbox.google_ads import world as google_sandbox
from connectors.sandbox.meta import world as meta_sandbox


def make_row(
    day: dt.date,
    campaign: str = "c1",
    spend: str = "10.00",
    *,
    currency: str = "EUR",
    country: str = "-",
    device: str = "-",
    ad_group: str = "-",
    ad: str = "-",
    name: str | None = None,
) -> SpendRow:
    return SpendRow(
        platform="meta",
        account_id="act_1",
        date=day,
        currency=currency,
        campaign_id=campaign,
        campaign_name=name or f"Campaign {campaign}",
        spend=Decimal(spend),
        impressions=1000,
        clicks=50,
        installs=5,
        conversions=Decimal(2),
        conversion_value=Decimal("30.50"),
        ad_group_id=ad_group,
        ad_group_name="g" if ad_group != "-" else "",
        ad_id=ad,
        ad_name="a" if ad != "-" else "",
        country=country,
        device=device,
        attribution="7d_click,1d_view",
    )


@pytest.fixture
def account(db):
    account = AdAccount(
        platform="meta",
        external_id="act_1",
        name="Test EU",
        currency="EUR",
        timezone="Europe/Berlin",
        status="active",
    )
    db.session.add(account)
    db.session.commit()
    return account


def sandbox_credentials(platform: str, *, bad: bool = False) -> dict:
    from connectors.sandbox import credentials

    if bad and platform == "meta":
        return meta_sandbox.config(meta_sandbox.EXPIRED_TOKEN)
    if bad and platform == "google_ads":
        return google_sandbox.config(google_sandbox.REVOKED_REFRESH_TOKEN)
    return credentials.sandbox_configs()[platform]


def add_sandbox_account(app, db, sandbox_account, *, bad: bool = False) -> AdAccount:
    """Store a sandbox account with (encrypted) credentials the sandbox accepts or refuses."""
    from backend.crypto import CredentialBox

    box = CredentialBox.from_config(app.config)
    account = AdAccount(
        platform=sandbox_account.platform,
        external_id=sandbox_account.external_id,
        name=sandbox_account.name,
        currency=sandbox_account.currency,
        timezone=sandbox_account.timezone,
        status="active",
        credentials_encrypted=box.encrypt(sandbox_credentials(sandbox_account.platform, bad=bad)),
    )
    db.session.add(account)
    db.session.commit()
    return account
