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
from connectors.sandbox.platforms import declared

#: The attribution windows the Meta connector asks for (and stamps on its rows).
META_ATTRIBUTION = "7d_click,1d_view"
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
        key = _key(account, cell, level)
        entry = sums.get(key)
        if entry is None:
            sums[key] = [cell, *(getattr(cell, name) for name in _COUNTS)]
        else:
            for i, name in enumerate(_COUNTS, start=1):
                entry[i] += getattr(cell, name)
    for cell, spend, impressions, clicks, installs, conversions, value in sums.values():
        if account.platform == "apple_search_ads":
            conversions = value = 0  # Apple Search Ads reports installs, not purchases
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
            **_ad_fields(account, cell, level),
            country=cell.country or NO_ID,
            device=cell.device or NO_ID,
            attribution=META_ATTRIBUTION if account.platform == "meta" else "",
        )


def _key(account: SandboxAccount, cell: Cell, level: Level) -> tuple:
    ad = None
    if level is Level.AD:
        ad = cell.ad.ad_id if account.platform == "meta" else cell.ad.ad_group_id
    return (cell.date, cell.campaign.campaign_id, ad, cell.country, cell.device)


def _ad_fields(account: SandboxAccount, cell: Cell, level: Level) -> dict[str, str]:
    if level is Level.CAMPAIGN:
        return {}
    group = {"ad_group_id": cell.ad.ad_group_id, "ad_group_name": cell.ad.ad_group_name}
    if account.platform == "meta" or account.platform in declared():
        # the declared platforms report ads under their ad groups, as Meta does
        return {**group, "ad_id": cell.ad.ad_id, "ad_name": cell.ad.name}
    if account.platform == "apple_search_ads":
        return {**group, "ad_id": cell.ad.ad_group_id, "ad_name": cell.ad.ad_group_name}
    return group
