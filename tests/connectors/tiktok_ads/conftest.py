"""Fixtures: one TikTok sandbox server for this folder, a pinned World, connectors pointed at it.

Tests that touch the server ask for `sandbox` (or `make_connector`), which clears the server's
request log and fault counters before the test and the faults and restatements after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from connectors.base import AccountInfo, Endpoints
from connectors.retry import RetryPolicy
from connectors.sandbox.generator import World
from connectors.sandbox.tiktok_ads.server import TikTokSandboxServer, serve
from connectors.sandbox.tiktok_ads.world import PLATFORM, config
from connectors.tiktok_ads import TikTokAdsConnector

TODAY = dt.date(2026, 11, 20)


def fast_retry(attempts: int = 6) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, base_delay=0.0, jitter=False, sleep=lambda _s: None)


@pytest.fixture(scope="session")
def world() -> World:
    return World(today=TODAY)


@pytest.fixture(scope="session")
def tiktok_server(world: World) -> Iterator[TikTokSandboxServer]:
    server = serve(world)
    yield server
    server.stop()


@pytest.fixture
def sandbox(tiktok_server: TikTokSandboxServer, world: World) -> Iterator[TikTokSandboxServer]:
    tiktok_server.reset()
    yield tiktok_server
    for account in world.accounts_of(PLATFORM):
        world.set_faults(account.external_id, ())
    world.revision = 0
    tiktok_server.reset()


@pytest.fixture
def make_connector(sandbox: TikTokSandboxServer) -> Callable[..., TikTokAdsConnector]:
    def make(
        credentials: dict[str, str] | None = None,
        *,
        retry: RetryPolicy | None = None,
        page_size: int = 1000,
    ) -> TikTokAdsConnector:
        return TikTokAdsConnector(
            credentials or config(),
            endpoints=Endpoints(**sandbox.endpoints_kwargs()),
            retry=retry or fast_retry(),
            page_size=page_size,
        )

    return make


@pytest.fixture
def connector(make_connector) -> TikTokAdsConnector:
    return make_connector()


@pytest.fixture
def us_advertiser(world: World) -> AccountInfo:
    """The USD advertiser in America/New_York."""
    account = world.account("7100000000000000001")
    return AccountInfo(
        PLATFORM, account.external_id, account.name, account.currency, account.timezone
    )
