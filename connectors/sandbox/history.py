"""The World's spend as the connectors report it, without the network: for loading a long
history into the demo quickly (a year through the platforms' wire formats takes minutes).

`reported_rows` gives, for one account, level, breakdown and date range, the rows the
platform's connector yields when it reads the sandbox server (same ids, names, vocabulary and
amounts; tests/connectors/test_sandbox_history.py compares them): the campaign level sums the
ad cells of a campaign-day, the finest level is the ad (Meta) or the ad group (Google Ads,
Apple Search Ads), breakdowns split by country or device, and Apple Search Ads reports no
purchases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from connectors.base import NO_ID, Breakdown, Level, SpendRow
from connectors.sandbox.generator import Cell, SandboxAccount, World, to_decimal
from connectors.sandbox.platforms import facts_of

_COUNTS = ("spend_minor", "impressions", "clicks", "installs", "conversions", "value_minor")


def reported_rows(
    world: World,
    account: SandboxAccount,
    start: dt.date,
    end: dt.date,
    level: Level,
    breakdown: Breakdown | None = None,
) -> Iterator[SpendRow]:
    """The rows of one slice (account, level, breakdown, days) as the connector reports them."""
    sums: dict[tuple, list] = {}
    for cell in world.cells(account, start, end, breakdown.value if breakdown else None):
        key = _key(cell, level)
        entry = sums.get(key)
        if entry is None:
            sums[key] = [cell, *(getattr(cell, name) for name in _COUNTS)]
        else:
            for i, name in enumerate(_COUNTS, start=1):
                entry[i] += getattr(cell, name)
    facts = facts_of(account.platform)
    for cell, spend, impressions, clicks, installs, conversions, value in sums.values():
        if not facts.reports_purchases:
            conversions = value = 0
        if not (spend or impressions or clicks or installs or conversions or value):
            continue
        yield SpendRow(
            platform=account.platform,
            account_id=account.external_id,
            date=cell.date,
            currency=account.currency,
            campaign_id=cell.campaign.campaign_id,
            campaign_name=cell.campaign.name,
            spend=to_decimal(spend, account.currency),
            impressions=impressions,
            clicks=clicks,
            installs=installs,
            conversions=to_decimal(conversions, "JPY"),
            conversion_value=to_decimal(value, account.currency),
            **_ad_fields(facts.ad_fields, cell, level),
            country=cell.country or NO_ID,
            device=cell.device or NO_ID,
            attribution=facts.attribution,
        )


def _key(cell: Cell, level: Level) -> tuple:
    # the ad's id is its ad group's where the ad group is the finest level
    ad = cell.ad.ad_id if level is Level.AD else None
    return (cell.date, cell.campaign.campaign_id, ad, cell.country, cell.device)


def _ad_fields(ad_fields: str, cell: Cell, level: Level) -> dict[str, str]:
    if level is Level.CAMPAIGN:
        return {}
    group = {"ad_group_id": cell.ad.ad_group_id, "ad_group_name": cell.ad.ad_group_name}
    if ad_fields == "ad":
        return {**group, "ad_id": cell.ad.ad_id, "ad_name": cell.ad.name}
    if ad_fields == "ad_group":
        return {**group, "ad_id": cell.ad.ad_group_id, "ad_name": cell.ad.ad_group_name}
    return group
