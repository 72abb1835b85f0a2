"""The demo loads its older history straight from the sandbox's World (connectors/sandbox/history):
those rows are the ones each platform's real connector reads from the sandbox server, on every
level and breakdown."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.services.connectors import build_connector
from connectors import AccountInfo, Level
from connectors.sandbox import credentials
from connectors.sandbox.generator import World
from connectors.sandbox.history import reported_rows

#: The second demo account of each platform (the first when it has one only).
ACCOUNTS = [
    [a for a in World().demo_accounts if a.platform == platform][:2][-1].external_id
    for platform in dict.fromkeys(a.platform for a in World().demo_accounts)
]


def comparable(rows) -> list[tuple]:
    return sorted(
        (
            r.date,
            r.currency,
            r.campaign_id,
            r.campaign_name,
            r.ad_group_id,
            r.ad_group_name,
            r.ad_id,
            r.ad_name,
            r.country,
            r.device,
            r.spend,
            r.impressions,
            r.clicks,
            r.installs,
            r.conversions,
            r.conversion_value,
            r.attribution,
        )
        for r in rows
    )


@pytest.mark.parametrize("external_id", ACCOUNTS)
def test_the_history_rows_are_the_rows_the_connector_reads(app, world, external_id):
    account = world.account(external_id)
    info = AccountInfo(
        account.platform, account.external_id, account.name, account.currency, account.timezone
    )
    end = world.account_today(account) - dt.timedelta(days=1)
    start = end - dt.timedelta(days=4)
    with app.app_context():
        connector = build_connector(
            account.platform, credentials.sandbox_configs()[account.platform]
        )
        for level in (Level.CAMPAIGN, Level.AD):
            for breakdown in (None, *connector.breakdowns):
                if level is Level.AD and breakdown is not None:
                    continue
                read = list(connector.fetch_daily(info, start, end, level, breakdown))
                direct = list(reported_rows(world, account, start, end, level, breakdown))
                assert read, (level, breakdown)
                assert comparable(direct) == comparable(read), (level, breakdown)
