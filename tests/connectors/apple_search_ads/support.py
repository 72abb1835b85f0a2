"""Constants and helpers shared by the Apple Search Ads tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.base import AccountInfo
from connectors.retry import RetryPolicy
from connectors.sandbox.generator import World

PLATFORM = "apple_search_ads"
#: The sandbox's pinned "today" (dates before it have data).
TODAY = dt.date(2025, 3, 15)
#: Small pages, so that every report comes back in several of them.
PAGE_LIMIT = 3
#: A ~60-day window ending yesterday.
WINDOW = (TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=1))


def fast_retry(**overrides: Any) -> RetryPolicy:
    return RetryPolicy(**{"base_delay": 0.01, "max_delay": 0.05, **overrides})


def account_info(world: World, external_id: str) -> AccountInfo:
    acc = world.account(external_id)
    return AccountInfo(
        platform=PLATFORM,
        external_id=acc.external_id,
        name=acc.name,
        currency=acc.currency,
        timezone=acc.timezone,
    )
