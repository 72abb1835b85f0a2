"""Fixtures: one Apple sandbox server for this folder, a pinned World, connectors pointed at it.

Tests that touch the server ask for `sandbox` (or `make_connector`), which clears the server's
request log and counters before the test and the faults, restatements and token settings after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from connectors.apple_search_ads import AppleSearchAdsConnector
from connectors.base import AccountInfo, Endpoints
from connectors.retry import RetryPolicy
from connectors.sandbox.apple_search_ads import world as apple_sandbox
from connectors.sandbox.apple_search_ads.server import AppleSandboxServer, serve
from connectors.sandbox.generator import World
from tests.connectors.apple_search_ads.support import (
    PAGE_LIMIT,
    PLATFORM,
    TODAY,
    account_info,
    fast_retry,
)


@pytest.fixture(scope="session")
def world() -> World:
    return World(today=TODAY)


@pytest.fixture(scope="session")
def apple_server(world: World) -> Iterator[AppleSandboxServer]:
    server = serve(world)
    yield server
    server.stop()


@pytest.fixture
def sandbox(apple_server: AppleSandboxServer, world: World) -> Iterator[AppleSandboxServer]:
    apple_server.reset()
    yield apple_server
    for account in world.accounts_of(PLATFORM):
        world.set_faults(account.external_id, ())
    world.revision = 0
    apple_server.token_lifetime = 3600
    apple_server.reset()


@pytest.fixture
def endpoints(sandbox: AppleSandboxServer) -> Endpoints:
    return Endpoints(**sandbox.endpoints_kwargs())


@pytest.fixture
def make_connector(endpoints: Endpoints) -> Callable[..., AppleSearchAdsConnector]:
    def make(
        config: dict[str, str] | None = None,
        *,
        retry: RetryPolicy | None = None,
        page_limit: int = PAGE_LIMIT,
        endpoints_: Endpoints | None = None,
    ) -> AppleSearchAdsConnector:
        return AppleSearchAdsConnector(
            config or apple_sandbox.config(),
            endpoints=endpoints_ or endpoints,
            retry=retry or fast_retry(),
            page_limit=page_limit,
        )

    return make


@pytest.fixture
def connector(make_connector) -> AppleSearchAdsConnector:
    return make_connector()


@pytest.fixture
def us_org(world: World) -> AccountInfo:
    """The USD org in America/Los_Angeles."""
    return account_info(world, "40001")


@pytest.fixture
def au_org(world: World) -> AccountInfo:
    """The AUD org in Australia/Sydney."""
    return account_info(world, "40002")
